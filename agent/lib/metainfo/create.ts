/**
 * Creating and signing a torrent-file++ (spec §Creating). create-torrent builds the
 * BEP 3 info dict (streaming piece hashes); we add the signed info and the BEP 35
 * signature. No trackers are added: each node sets its own announce URL later, which
 * changes neither the infohash nor the signature.
 *
 * Private by default (BEP 27, `private: 1` in the info dict, so under the signature):
 * Transmission then finds peers only through the announce URL (the node's own tracker,
 * fed with certificate-proven members) and never through DHT, PEX or LPD, which would
 * tell the infohash, and the swarm, to any client that asks. `private: false` leaves
 * the key out (a public torrent, for fleets without certificates that want DHT/PEX/LPD).
 */
import createTorrent from 'create-torrent';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { UsageError } from '../common/errors.ts';
import type { SecretKey } from '../crypto/keys.ts';
import type { RolloutPolicy } from '../rollout/policy.ts';
import { decodeStrict, encode, isDict } from './bencode-strict.ts';
import { buildDir } from './create-dir.ts';
import { LIMITS } from './limits.ts';
import { parseTorrentPlusPlus } from './parse.ts';
import { pieceLengthFor } from './piece-length.ts';
import { rolloutDict } from './rollout-field.ts';
import { sha256File } from './payload.ts';
import { signDetached, signedMessage } from './signature.ts';

export interface CreateOptions {
  readonly uri: string;
  readonly version: number;
  readonly key: SecretKey;
  /** Seconds since the epoch. */
  readonly expires?: number;
  readonly pieceLength?: number;
  readonly name?: string;
  /** Milliseconds since the epoch; stamped as "creation date". */
  readonly now: number;
  readonly createdBy?: string;
  /** BEP 27 private flag; default true (see the module comment). */
  readonly private?: boolean;
  /** Staged rollout, signed with the rest (spec §Rollout policy); absent: every node at once. */
  readonly rollout?: RolloutPolicy;
  /** Carry the payload inside the file (at most LIMITS.maxInlineBytes; spec §Inline payload). */
  readonly inline?: boolean;
}

function buildInfo(path: string, name: string, pieceLength: number, priv: boolean): Promise<Uint8Array> {
  const opts = {
    name,
    pieceLength,
    announceList: [],
    createdBy: 'p2p-update',
    ...(priv ? { private: true } : {}),
  };
  return new Promise((resolve, reject) => {
    createTorrent(path, opts, (err, torrent) => {
      if (err) return reject(err);
      const top = decodeStrict(torrent);
      if (!isDict(top) || !isDict(top['info']))
        return reject(new Error('create-torrent returned no info dict'));
      resolve(encode(top['info']));
    });
  });
}

export async function createTorrentPlusPlus(payloadPath: string, opts: CreateOptions): Promise<Uint8Array> {
  // Everything that can be refused from the options or the size alone is, before the payload is read.
  const rollout = opts.rollout === undefined ? undefined : rolloutDict(opts.rollout);
  const st = await stat(payloadPath).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`${payloadPath}: cannot read the payload (${e.code ?? e.message})`);
  });
  if (st.isDirectory()) return createDir(payloadPath, rollout, opts);
  if (!st.isFile()) throw new UsageError(`${payloadPath} is neither a regular file nor a directory`);
  const size = st.size;
  if (size === 0)
    throw new UsageError(`${payloadPath} is empty; an update payload must have at least one byte`);
  if (opts.inline && size > LIMITS.maxInlineBytes)
    throw new UsageError(
      `${payloadPath} is ${size} bytes; an inline payload is at most ${LIMITS.maxInlineBytes} bytes`,
    );
  const pieceLength = pieceLengthFor(size, opts.pieceLength);
  const infoBytes = await buildInfo(
    payloadPath,
    opts.name ?? basename(payloadPath),
    pieceLength,
    opts.private ?? true,
  );
  const { sha256, length } = await sha256File(payloadPath);
  const kid = opts.key.publicKey.keyId;
  const signedInfo = {
    uri: opts.uri,
    version: opts.version,
    length,
    sha256,
    kid,
    ...(opts.expires === undefined ? {} : { expires: opts.expires }),
    ...(rollout === undefined ? {} : { rollout }),
  };
  const inline = opts.inline ? await inlineBytes(payloadPath, sha256) : undefined;
  return signAndWrap(infoBytes, signedInfo, opts, inline);
}

async function signAndWrap(
  infoBytes: Uint8Array,
  signedInfo: Record<string, unknown>,
  opts: CreateOptions,
  inline: Uint8Array | undefined,
): Promise<Uint8Array> {
  const signature = await signDetached(signedMessage(infoBytes, encode(signedInfo)), opts.key.sodiumKey);
  const torrent = encode({
    'created by': opts.createdBy ?? 'p2p-update',
    'creation date': Math.floor(opts.now / 1000),
    info: decodeStrict(infoBytes),
    signatures: { [opts.key.publicKey.keyId]: { info: signedInfo, signature } },
    ...(inline ? { payload: inline } : {}),
  });
  parseTorrentPlusPlus(torrent); // what we write must pass our own strict parser
  return torrent;
}

/** A directory payload (spec §Directory payloads): never inline. */
async function createDir(
  root: string,
  rollout: Record<string, unknown> | undefined,
  opts: CreateOptions,
): Promise<Uint8Array> {
  if (opts.inline)
    throw new UsageError(
      `${root} is a directory; only a single file of at most ${LIMITS.maxInlineBytes} bytes goes inline`,
    );
  const d = await buildDir(
    root,
    opts.name ?? basename(resolve(root)),
    opts.pieceLength,
    opts.private ?? true,
  );
  const signedInfo = {
    files: d.manifest,
    uri: opts.uri,
    version: opts.version,
    length: d.length,
    sha256: d.sha256,
    kid: opts.key.publicKey.keyId,
    ...(opts.expires === undefined ? {} : { expires: opts.expires }),
    ...(rollout === undefined ? {} : { rollout }),
  };
  return signAndWrap(encode(d.info), signedInfo, opts, undefined);
}

/** The payload's bytes, if they are still the ones that were hashed and signed. */
async function inlineBytes(path: string, sha256: Uint8Array): Promise<Uint8Array> {
  const bytes = await readFile(path);
  if (Buffer.compare(createHash('sha256').update(bytes).digest(), sha256) !== 0)
    throw new UsageError(`${path} changed while the torrent was made`);
  return bytes;
}
