/** Human and JSON views of a torrent-file++, shared by `show` and `verify`. */
import type { TorrentPlusPlus } from '../agent/lib/metainfo/model.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const when = (s: number | undefined): string | null =>
  s === undefined ? null : new Date(s * 1000).toISOString();

export function toJson(t: TorrentPlusPlus): Record<string, unknown> {
  return {
    infoHash: t.infoHash,
    name: t.info.name,
    length: t.info.length,
    pieceLength: t.info.pieceLength,
    pieces: t.info.pieces.length / 20,
    private: t.info.private,
    inline: t.inline !== undefined,
    files: [{ path: t.info.name, length: t.info.length }],
    announce: t.announce ?? null,
    createdBy: t.createdBy ?? null,
    creationDate: when(t.creationDate),
    signatures: t.signatures.map((s) => ({
      signer: s.signer,
      uri: s.signedInfo.uri,
      version: s.signedInfo.version,
      length: s.signedInfo.length,
      sha256: hex(s.signedInfo.sha256),
      expires: when(s.signedInfo.expires),
      signature: hex(s.signature),
    })),
  };
}

export function toText(t: TorrentPlusPlus): string {
  const lines = [
    `infohash:     ${t.infoHash}`,
    `name:         ${t.info.name}`,
    `length:       ${t.info.length} bytes`,
    `pieces:       ${t.info.pieces.length / 20} × ${t.info.pieceLength} bytes`,
    `inline:       ${t.inline ? 'yes (the payload is in the file)' : 'no'}`,
    `announce:     ${t.announce ?? '(none)'}`,
    `created:      ${when(t.creationDate) ?? '(unknown)'}${t.createdBy ? ` by ${t.createdBy}` : ''}`,
    `files:`,
    `  ${t.info.name} (${t.info.length} bytes)`,
  ];
  for (const s of t.signatures) {
    const si = s.signedInfo;
    lines.push(
      `signature by ${s.signer}:`,
      `  uri:        ${si.uri}`,
      `  version:    ${si.version}`,
      `  sha256:     ${hex(si.sha256)}`,
      `  expires:    ${when(si.expires) ?? 'never'}`,
    );
  }
  return lines.join('\n');
}
