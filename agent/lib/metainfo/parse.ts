/**
 * Parsing a torrent-file++ (spec §Check order, steps 1–3): size cap → shape bounds and
 * strict bencode → required fields and types. Pure: bytes in, a TorrentPlusPlus or a MetadataError out.
 * Signatures are only read here, not checked (that is verify.ts).
 */
import { createHash } from 'node:crypto';
import { MetadataError } from '../common/errors.ts';
import { decodeStrict, encode, isDict, type BDict } from './bencode-strict.ts';
import { bytesField, dictField, intField, onlyKeys, optional, textField } from './fields.ts';
import { LIMITS } from './limits.ts';
import { readInfoFiles, readSignedFiles } from './files-field.ts';
import { readRollout } from './rollout-field.ts';
import { checkShape } from './shape.ts';
import type { InfoDict, SignatureEntry, SignedInfo, TorrentPlusPlus } from './model.ts';

const TOP_KEYS = [
  'announce',
  'announce-list',
  'comment',
  'created by',
  'creation date',
  'info',
  'payload',
  'signatures',
];
const INFO_KEYS = ['files', 'length', 'name', 'piece length', 'pieces', 'private'];
const SIGNED_KEYS = ['expires', 'files', 'kid', 'length', 'rollout', 'sha256', 'uri', 'version'];
const URI_RE = /^[a-z][a-z0-9+.-]*:\S+$/i;
const KID_RE = /^[0-9a-f]{16}$/;

function parseInfo(info: BDict): InfoDict {
  onlyKeys(info, INFO_KEYS, 'info');
  // A directory payload (spec §Directory payloads): `files` in place of `length`.
  if (info['files'] !== undefined && info['length'] !== undefined)
    throw new MetadataError('MALFORMED', 'info: "length" (a file) and "files" (a directory) together');
  const files = info['files'] === undefined ? undefined : readInfoFiles(info);
  const name = textField(info, 'name', 'info', LIMITS.maxNameBytes);
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new MetadataError(
      'MALFORMED',
      `info.name: expected a plain file name, found "${name.slice(0, 40)}"`,
    );
  }
  const pieceLength = intField(info, 'piece length', 'info', LIMITS.minPieceLength, LIMITS.maxPieceLength);
  if ((pieceLength & (pieceLength - 1)) !== 0) {
    throw new MetadataError('MALFORMED', `info.piece length: expected a power of two, found ${pieceLength}`);
  }
  const length = files === undefined ? intField(info, 'length', 'info', 1) : total(files);
  const pieces = bytesField(info, 'pieces', 'info');
  const expectedPieces = Math.ceil(length / pieceLength);
  if (expectedPieces > LIMITS.maxPieces) {
    throw new MetadataError('TOO_LARGE', `info: ${expectedPieces} pieces, the limit is ${LIMITS.maxPieces}`);
  }
  if (pieces.length !== expectedPieces * 20) {
    throw new MetadataError(
      'MALFORMED',
      `info.pieces: expected ${expectedPieces} SHA-1 hashes (${expectedPieces * 20} bytes), found ${pieces.length} bytes`,
    );
  }
  const priv = optional(info, 'private', () => intField(info, 'private', 'info', 0, 1));
  return { name, length, pieceLength, pieces, private: priv === 1, ...(files ? { files } : {}) };
}

function total(files: readonly { length: number }[]): number {
  const sum = files.reduce((n, f) => n + f.length, 0);
  if (!Number.isSafeInteger(sum)) throw new MetadataError('TOO_LARGE', 'info.files: a total over 2^53 bytes');
  return sum;
}

function parseSignedInfo(d: BDict, path: string, info: InfoDict): SignedInfo {
  onlyKeys(d, SIGNED_KEYS, path);
  const uri = textField(d, 'uri', path, LIMITS.maxUriBytes);
  if (!URI_RE.test(uri))
    throw new MetadataError(
      'MALFORMED',
      `${path}.uri: expected "scheme:resource", found "${uri.slice(0, 60)}"`,
    );
  const sha256 = bytesField(d, 'sha256', path);
  if (sha256.length !== 32)
    throw new MetadataError('MALFORMED', `${path}.sha256: expected 32 bytes, found ${sha256.length}`);
  const kid = textField(d, 'kid', path, 16);
  if (!KID_RE.test(kid))
    throw new MetadataError('MALFORMED', `${path}.kid: expected 16 hex digits, found "${kid}"`);
  const expires = optional(d, 'expires', () => intField(d, 'expires', path));
  const rollout = optional(d, 'rollout', () => readRollout(dictField(d, 'rollout', path), `${path}.rollout`));
  if ((d['files'] === undefined) !== (info.files === undefined))
    throw new MetadataError(
      'MALFORMED',
      `${path}.files: ${info.files ? 'a directory torrent needs its signed manifest' : 'a manifest in a single-file torrent'}`,
    );
  const files = info.files && readSignedFiles(d, path, sha256, info.files);
  return {
    uri,
    version: intField(d, 'version', path),
    length: intField(d, 'length', path),
    sha256,
    kid,
    ...(expires === undefined ? {} : { expires }),
    ...(rollout === undefined ? {} : { rollout }),
    ...(files === undefined ? {} : { files }),
  };
}

function parseSignatures(top: BDict, info: InfoDict): SignatureEntry[] {
  const sigs = dictField(top, 'signatures', 'torrent');
  const signers = Object.keys(sigs);
  if (signers.length === 0)
    throw new MetadataError('MALFORMED', 'signatures: expected at least one signer, found none');
  if (signers.length > LIMITS.maxSignatures) {
    throw new MetadataError(
      'TOO_LARGE',
      `signatures: ${signers.length} signers, the limit is ${LIMITS.maxSignatures}`,
    );
  }
  return signers.map((signer) => {
    const path = `signatures.${signer.slice(0, 20)}`;
    const entry = dictField(sigs, signer, 'signatures');
    onlyKeys(entry, ['info', 'signature'], path);
    const signedInfo = parseSignedInfo(dictField(entry, 'info', path), `${path}.info`, info);
    if (signedInfo.kid !== signer) {
      throw new MetadataError('MALFORMED', `${path}: signer name must equal its kid "${signedInfo.kid}"`);
    }
    if (signedInfo.length !== info.length) {
      throw new MetadataError(
        'MALFORMED',
        `${path}.info.length: signed ${signedInfo.length}, info says ${info.length}`,
      );
    }
    const signature = bytesField(entry, 'signature', path);
    if (signature.length !== 64)
      throw new MetadataError('MALFORMED', `${path}.signature: expected 64 bytes, found ${signature.length}`);
    return { signer, signedInfo, signedInfoBytes: encode(entry['info']), signature };
  });
}

function parseAnnounceList(top: BDict): string[][] | undefined {
  const v = top['announce-list'];
  if (v === undefined) return undefined;
  if (!Array.isArray(v))
    throw new MetadataError('MALFORMED', 'torrent.announce-list: expected a list of lists');
  let count = 0;
  return v.map((tier) => {
    if (!Array.isArray(tier))
      throw new MetadataError('MALFORMED', 'torrent.announce-list: expected a list of lists');
    return tier.map((url) => {
      if (++count > LIMITS.maxAnnounceUrls)
        throw new MetadataError('TOO_LARGE', 'torrent.announce-list: too many URLs');
      return textField({ url }, 'url', 'torrent.announce-list', LIMITS.maxAnnounceUrlBytes);
    });
  });
}

export function parseTorrentPlusPlus(raw: Uint8Array): TorrentPlusPlus {
  // Step 1: size cap, before any parsing.
  if (raw.length > LIMITS.maxMetadataBytes) {
    throw new MetadataError(
      'TOO_LARGE',
      `metadata is ${raw.length} bytes, the limit is ${LIMITS.maxMetadataBytes}`,
    );
  }
  // Step 2: shape bounds in one pass (nothing decoded yet), then strict, canonical bencode.
  checkShape(raw, LIMITS);
  const top = decodeStrict(raw);
  if (!isDict(top)) throw new MetadataError('MALFORMED', 'torrent: expected a dictionary at the top level');
  // Step 3: required fields and types.
  onlyKeys(top, TOP_KEYS, 'torrent');
  const infoBytes = encode(dictField(top, 'info', 'torrent'));
  const info = parseInfo(dictField(top, 'info', 'torrent'));
  const announce = optional(top, 'announce', () =>
    textField(top, 'announce', 'torrent', LIMITS.maxAnnounceUrlBytes),
  );
  const announceList = parseAnnounceList(top);
  const comment = optional(top, 'comment', () =>
    textField(top, 'comment', 'torrent', LIMITS.maxCommentBytes),
  );
  const createdBy = optional(top, 'created by', () => textField(top, 'created by', 'torrent', 256));
  const creationDate = optional(top, 'creation date', () => intField(top, 'creation date', 'torrent'));
  const inline = optional(top, 'payload', () => bytesField(top, 'payload', 'torrent'));
  if (inline !== undefined && inline.length > LIMITS.maxInlineBytes)
    throw new MetadataError(
      'TOO_LARGE',
      `torrent.payload: ${inline.length} bytes inline, the limit is ${LIMITS.maxInlineBytes}`,
    );
  if (inline !== undefined && inline.length !== info.length)
    throw new MetadataError(
      'MALFORMED',
      `torrent.payload: ${inline.length} bytes inline, info.length says ${info.length}`,
    );
  return {
    raw,
    infoBytes,
    infoHash: createHash('sha1').update(infoBytes).digest('hex'),
    info,
    signatures: parseSignatures(top, info),
    ...(announce === undefined ? {} : { announce }),
    ...(announceList === undefined ? {} : { announceList }),
    ...(comment === undefined ? {} : { comment }),
    ...(createdBy === undefined ? {} : { createdBy }),
    ...(creationDate === undefined ? {} : { creationDate }),
    ...(inline === undefined ? {} : { inline }),
  };
}
