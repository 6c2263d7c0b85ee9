/** Human and JSON views of a torrent-file++, shared by `show` and `verify`. */
import type { TorrentPlusPlus } from '../agent/lib/metainfo/model.ts';
import { rolloutJson, rolloutLines } from './rollout-summary.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const when = (s: number | undefined): string | null =>
  s === undefined ? null : new Date(s * 1000).toISOString();

/**
 * The payload's files: one (named by info.name), or a directory's, relative to its top
 * folder `name`, with the SHA-256 of the first signer's manifest (spec §Directory payloads).
 */
function filesOf(t: TorrentPlusPlus): { path: string; length: number; sha256?: string }[] {
  const manifest = t.signatures[0]?.signedInfo.files;
  if (t.info.files === undefined || manifest === undefined)
    return [{ path: t.info.name, length: t.info.length }];
  return manifest.map((f) => ({ path: f.path, length: f.length, sha256: hex(f.sha256) }));
}

export function toJson(t: TorrentPlusPlus): Record<string, unknown> {
  return {
    infoHash: t.infoHash,
    name: t.info.name,
    length: t.info.length,
    pieceLength: t.info.pieceLength,
    pieces: t.info.pieces.length / 20,
    private: t.info.private,
    inline: t.inline !== undefined,
    directory: t.info.files !== undefined,
    files: filesOf(t),
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
      rollout: s.signedInfo.rollout === undefined ? null : rolloutJson(s.signedInfo.rollout),
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
    `files:${t.info.files ? ` (a directory: ${t.info.name}/)` : ''}`,
    ...filesOf(t).map((f) => `  ${f.path} (${f.length} bytes${f.sha256 ? `, sha256 ${f.sha256}` : ''})`),
  ];
  for (const s of t.signatures) {
    const si = s.signedInfo;
    lines.push(
      `signature by ${s.signer}:`,
      `  uri:        ${si.uri}`,
      `  version:    ${si.version}`,
      `  sha256:     ${hex(si.sha256)}`,
      `  expires:    ${when(si.expires) ?? 'never'}`,
      ...(si.rollout
        ? rolloutLines(si.rollout).map((l) => `  ${l}`)
        : ['  rollout:    none (every node installs at once)']),
    );
  }
  return lines.join('\n');
}
