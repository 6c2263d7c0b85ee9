/**
 * `p2p-update verify FILE.torrent (--root FILE.root | --pub PREFIX.pub...) [--payload FILE|DIR] [--json]`
 * A directory payload is walked and checked file by file against the signed manifest.
 * With --root, the chain is walked from its first root and the torrent checked against
 * the newest: its update keys and threshold, its expiry, and the version ceilings that
 * need no node record (max version, max ahead). With --pub, 1 of the keys (plain keys).
 * Exit 0 with a summary, or exit 1 with `error CODE: explanation`.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../agent/lib/common/errors.ts';
import { loadPublicKey } from '../agent/lib/crypto/key-files.ts';
import { checkPayload } from '../agent/lib/metainfo/payload.ts';
import { walkAnchor } from '../agent/lib/trust/advance.ts';
import { checkCeiling } from '../agent/lib/trust/ceiling.ts';
import { readChainFile } from '../agent/lib/trust/chain-file.ts';
import { legacyRoot } from '../agent/lib/trust/legacy.ts';
import type { TrustedRoot } from '../agent/lib/trust/model.ts';
import { verifyUpdate } from '../agent/lib/trust/verify-update.ts';
import { readInput } from './read-input.ts';

export interface VerifyCliOptions {
  readonly root?: string;
  readonly pub?: readonly string[];
  readonly payload?: string;
  readonly json?: boolean;
}

async function trustOf(o: VerifyCliOptions): Promise<TrustedRoot> {
  const pubs = o.pub ?? [];
  if ((o.root === undefined) === (pubs.length === 0))
    throw new UsageError('give --root FILE.root or --pub PREFIX.pub (not both)');
  if (o.root !== undefined) return walkAnchor((await readChainFile(o.root)).roots);
  return legacyRoot(await Promise.all(pubs.map(loadPublicKey)));
}

export async function verify(file: string, o: VerifyCliOptions): Promise<number> {
  const trust = await trustOf(o);
  const raw = await readInput(file, readFile);
  const now = Date.now();
  const u = await verifyUpdate(raw, trust.body, now);
  checkCeiling(trust.body, u, undefined, now);
  if (o.payload !== undefined) await checkPayload(o.payload, u);
  const expires = u.expires === undefined ? 'never' : new Date(u.expires * 1000).toISOString();
  const by = o.root === undefined ? 'plain keys' : `root version ${trust.body.version}`;
  if (o.json) {
    console.log(
      JSON.stringify({
        ok: true,
        uri: u.uri,
        version: u.version,
        infoHash: u.infoHash,
        expires,
        signer: u.kid,
        signers: u.signers,
        root: trust.body.version,
        payloadChecked: o.payload !== undefined,
        ...(u.files === undefined ? {} : { files: u.files.length }),
      }),
    );
  } else {
    const k = trust.body.update.threshold;
    console.log(
      [
        `ok: ${u.signers.length === 1 ? `signature by ${u.kid} is` : `signatures by ${u.signers.join(', ')} are`} valid (${k} needed, ${by})${o.payload === undefined ? '' : u.files === undefined ? '; payload length and SHA-256 match' : `; all ${u.files.length} files of the directory match the signed manifest`}`,
        `uri:      ${u.uri}`,
        `version:  ${u.version}`,
        `infohash: ${u.infoHash}`,
        `expires:  ${expires}`,
      ].join('\n'),
    );
  }
  return 0;
}
