/**
 * Everything the executor checks before a deploy may run, in order, trusting nothing
 * the manager said (docs/deploy-executor.md §Checks): a root chain the manager hands
 * over walked from the executor's own root (take-root.ts); the torrent-file++ read by the
 * executor itself and verified against that root (k of its update keys, not expired);
 * the signed URI, version and infohash equal to the request's; the root's version
 * ceiling over the executor's own floor; the deployer's user and sandbox available; the
 * payload copied into the work dir, hashed while copying, and equal to the signed length
 * and SHA-256 (a directory: every file against the signed manifest, nothing extra, no
 * link). The result names the checked copy: the bytes the deployer will get.
 */
import { chown } from 'node:fs/promises';
import { join } from 'node:path';
import { MetadataError } from '../lib/common/errors.ts';
import { DirError } from '../lib/metainfo/dir-errors.ts';
import { deployCommand, deployEnv, payloadName } from '../lib/deploy/deployers.ts';
import type { ExecutorRequest, ExecutorResponse } from '../lib/ipc/executor-protocol.ts';
import { LIMITS } from '../lib/metainfo/limits.ts';
import type { VerifiedUpdate } from '../lib/metainfo/model.ts';
import { checkCeiling } from '../lib/trust/ceiling.ts';
import { isReservedUri } from '../lib/trust/root-uri.ts';
import { verifyUpdate } from '../lib/trust/verify-update.ts';
import { specOf, type DeployerConfig } from './config.ts';
import { refuse, type ExecutorCore } from './core.ts';
import { copyDirInput } from './input-dir.ts';
import { copyInput, InputError, readInput } from './inputs.ts';
import { launch, type Launch } from './launch.ts';
import { takeRoot } from './take-root.ts';
import { lookupUser, type Account } from './users.ts';
import { keptTorrentOf, updateDir } from './work-dir.ts';
import { writeFileDurable } from '../lib/common/durable-file.ts';

export type DeployRequest = Extract<ExecutorRequest, { type: 'deploy' }>;

export interface Checked {
  readonly update: VerifiedUpdate;
  readonly file: string;
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly launch: Launch;
  readonly account: Account | null;
}

async function verified(
  core: ExecutorCore,
  req: DeployRequest,
): Promise<{ u: VerifiedUpdate; raw: Buffer } | ExecutorResponse> {
  if (req.root !== undefined) await takeRoot(core, req.root);
  const raw = await readInput(req.torrent, core.inputRoots, LIMITS.maxMetadataBytes);
  const root = core.trust.root.body;
  const now = core.clock.now();
  const u = await verifyUpdate(raw, root, now);
  const asked = `${req.uri} v${req.version} ${req.infoHash}`;
  const signed = `${u.uri} v${u.version} ${u.infoHash}`;
  if (asked !== signed)
    return refuse(core, 'REQUEST_MISMATCH', `asked for ${asked}; the torrent is ${signed}`, req);
  if (isReservedUri(u.uri))
    return refuse(core, 'URI_NOT_ACCEPTED', `${u.uri}: reserved for root chains`, req);
  checkCeiling(root, u, core.record.data.uris[u.uri]?.floor?.version, now);
  return { u, raw };
}

export async function checkDeploy(
  core: ExecutorCore,
  req: DeployRequest,
  d: DeployerConfig,
): Promise<Checked | ExecutorResponse> {
  const facts = { uri: req.uri, version: req.version, infoHash: req.infoHash };
  try {
    const v = await verified(core, req);
    if ('type' in v) return v;
    const { u } = v;
    const account = d.user === undefined ? null : await lookupUser(d.user);
    if (d.user !== undefined && account === null)
      return refuse(core, 'USER_UNKNOWN', `the deployer's user "${d.user}" does not exist`, facts);
    const spec = specOf(d);
    if (u.files !== undefined && spec.type === 'deb')
      return refuse(
        core,
        'UNSUPPORTED',
        'a deb deployer installs one .deb file; this update is a directory',
        facts,
      );
    const dir = await updateDir(core.config.stateDir, req.uri, u.infoHash, account?.gid ?? 0);
    await writeFileDurable(keptTorrentOf(core.config.stateDir, req.uri, u.infoHash, u.version), v.raw, 0o600);
    const file = join(dir, payloadName(spec, u.name));
    const cmd = deployCommand(spec, file);
    const env = { ...deployEnv(u.uri, u.version, file, u.files !== undefined), ...cmd.extraEnv };
    const timeoutMs = d.timeoutMs ?? core.config.deploy.timeoutMs;
    const how = launch(cmd, {
      ...facts,
      systemd: core.systemd,
      account,
      sandbox: d.sandbox,
      env,
      cwd: dir,
      timeoutMs,
    });
    if ('refused' in how) return refuse(core, 'SANDBOX_UNAVAILABLE', how.refused, facts);
    const why = await copyChecked(core, req, u, file, account?.gid ?? 0);
    if (why !== null) return refuse(core, 'PAYLOAD_MISMATCH', why, facts);
    return { update: u, file, dir, env, launch: how, account };
  } catch (e) {
    if (e instanceof DirError) return refuse(core, 'PAYLOAD_MISMATCH', `${e.code}: ${e.message}`, facts);
    if (e instanceof MetadataError || e instanceof InputError) return refuse(core, e.code, e.message, facts);
    const err = e as NodeJS.ErrnoException;
    return refuse(core, 'INPUT_REFUSED', `cannot prepare the work copy (${err.code ?? err.message})`, facts);
  }
}

/**
 * The work copy of the payload, hashed while copied: null when it is the signed one, else
 * why not. A directory payload is copied file by file against its manifest (input-dir.ts).
 */
async function copyChecked(
  core: ExecutorCore,
  req: DeployRequest,
  u: VerifiedUpdate,
  file: string,
  gid: number,
): Promise<string | null> {
  if (u.files !== undefined) {
    await copyDirInput(req.payload, core.inputRoots, file, u.files, gid);
    return null;
  }
  const got = await copyInput(req.payload, core.inputRoots, file, u.length, 0o640);
  await chown(file, 0, gid);
  if (got.length === u.length && got.sha256.equals(u.sha256)) return null;
  return got.length !== u.length
    ? `payload has ${got.length > u.length ? 'more than ' : ''}${got.length} bytes, the signed length is ${u.length}`
    : `payload SHA-256 is ${got.sha256.toString('hex')}, signed ${Buffer.from(u.sha256).toString('hex')}`;
}
