/** Decode → edit → re-encode a torrent, for building attacks that stay canonical bencode. */
import bencode from 'bencode';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDict = Record<string, any>;

export function edit(bytes: Uint8Array, change: (top: AnyDict) => void): Uint8Array {
  const top = bencode.decode(bytes) as AnyDict;
  change(top);
  return bencode.encode(top);
}

export function signerEntry(top: AnyDict): AnyDict {
  const sigs = top['signatures'] as AnyDict;
  return sigs[Object.keys(sigs)[0]!] as AnyDict;
}
