/**
 * `p2p-update root init|sign|rotate|show`: the admin's root of trust (docs/protocol/root.md).
 * A FILE.root is a root chain: every root from the first, oldest first. `init` writes a
 * chain of one unsigned root; `sign` adds signatures to its newest root; `rotate` appends
 * the next root (to be signed by a threshold of the old root keys AND of its own); `show`
 * prints it and exits 1 unless the whole chain verifies. Publish it like an update
 * (`p2p-update publish FILE.root` on any node); install it as a node's anchor (`root`
 * in the manager's config).
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../agent/lib/common/errors.ts';
import { writeFileDurable } from '../agent/lib/common/durable-file.ts';
import { loadPublicKey, loadSecretKey } from '../agent/lib/crypto/key-files.ts';
import type { PublicKey } from '../agent/lib/crypto/keys.ts';
import { signRoot, unsignedRoot } from '../agent/lib/trust/build-root.ts';
import { encodeChain } from '../agent/lib/trust/chain.ts';
import { readChainFile } from '../agent/lib/trust/chain-file.ts';
import { ROOT_LIMITS } from '../agent/lib/trust/limits.ts';
import type { Role, RootBody, SignedRoot, VersionRule } from '../agent/lib/trust/model.ts';
import { DEFAULT_RULES } from './root-values.ts';
import { showChain } from './root-view.ts';

export interface RootOptions {
  readonly rootKey?: readonly string[];
  readonly rootThreshold?: number;
  readonly updateKey?: readonly string[];
  readonly threshold?: number;
  /** Unix seconds; default a year from now. */
  readonly expires?: number;
  readonly rule?: readonly VersionRule[];
}

const YEAR_S = 365 * 86_400;
const majority = (n: number) => Math.floor(n / 2) + 1;

function roleOf(
  keys: readonly PublicKey[],
  threshold: number,
  flag: string,
): { keys: readonly PublicKey[]; role: Role } {
  if (threshold < 1 || threshold > keys.length)
    throw new UsageError(`--${flag} ${threshold}: expected 1 to ${keys.length} (the number of keys)`);
  return { keys, role: { keyIds: keys.map((k) => k.keyId), threshold } };
}

/** A role from --NAME-key files, or (rotate) the previous root's role, with a new threshold if given. */
async function pick(name: 'root' | 'update', o: RootOptions, prev: RootBody | undefined) {
  const paths = name === 'root' ? o.rootKey : o.updateKey;
  const t = name === 'root' ? o.rootThreshold : o.threshold;
  const flag = name === 'root' ? 'root-threshold' : 'threshold';
  if (paths !== undefined && paths.length > 0) {
    const keys = await Promise.all(paths.map(loadPublicKey));
    return roleOf(keys, t ?? majority(keys.length), flag);
  }
  if (prev === undefined) throw new UsageError(`--${name}-key is required (one per key, repeat it)`);
  return roleOf(
    prev[name].keyIds.map((k) => prev.keys.get(k)!),
    t ?? prev[name].threshold,
    flag,
  );
}

async function buildBody(version: number, o: RootOptions, prev?: RootBody): Promise<RootBody> {
  const r = await pick('root', o, prev);
  const u = await pick('update', o, prev);
  return {
    version,
    expires: o.expires ?? Math.floor(Date.now() / 1000) + YEAR_S,
    keys: new Map([...r.keys, ...u.keys].map((k) => [k.keyId, k])),
    root: r.role,
    update: u.role,
    versions: o.rule ?? prev?.versions ?? DEFAULT_RULES,
  };
}

async function save(path: string, roots: readonly SignedRoot[]): Promise<void> {
  await writeFileDurable(path, encodeChain(roots.slice(-ROOT_LIMITS.maxChainRoots).map((r) => r.raw)), 0o644);
}

export async function rootInit(o: RootOptions & { readonly out: string }): Promise<number> {
  if (existsSync(o.out)) throw new UsageError(`${o.out} already exists; refusing to overwrite a root chain`);
  const r = unsignedRoot(await buildBody(1, o));
  await save(o.out, [r]);
  console.log(
    `wrote ${o.out}: root version 1, unsigned; sign it with ${r.body.root.threshold} of its root keys (p2p-update root sign)`,
  );
  return 0;
}

export async function rootSign(file: string, o: { readonly key: readonly string[] }): Promise<number> {
  const { roots } = await readChainFile(file);
  let head = roots[roots.length - 1]!;
  for (const path of o.key) head = await signRoot(head, await loadSecretKey(path));
  await save(file, [...roots.slice(0, -1), head]);
  console.log(`signed root version ${head.body.version} in ${file} with ${o.key.length} key(s)`);
  return showChain(file, { brief: true });
}

export async function rootRotate(file: string, o: RootOptions): Promise<number> {
  const { roots } = await readChainFile(file);
  const head = roots[roots.length - 1]!;
  const next = unsignedRoot(await buildBody(head.body.version + 1, o, head.body));
  await save(file, [...roots, next]);
  console.log(
    `appended root version ${next.body.version} to ${file}, unsigned; sign it with ${head.body.root.threshold} root key(s) of version ${head.body.version} and ${next.body.root.threshold} of its own`,
  );
  return 0;
}

export const rootShow = (file: string, o: { readonly json?: boolean }): Promise<number> => showChain(file, o);
