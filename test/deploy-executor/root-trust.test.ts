/**
 * The deploy executor under a root of trust (agent/deploy-executor/take-root.ts,
 * check-request.ts), a real executor process: it trusts the root in its own config and
 * learns rotations only from chains it verifies itself, so a manager that accepts an
 * update (it missed a rotation, or it is compromised) cannot get a revoked key's update
 * deployed. One test per attack; each shows that nothing ran.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../agent/deploy-executor/config.ts';
import { startExecutor } from '../../agent/deploy-executor/main.ts';
import { RecordError } from '../../agent/deploy-executor/record.ts';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { addSignature } from '../../agent/lib/metainfo/cosign.ts';
import type { SignedRoot } from '../../agent/lib/trust/model.ts';
import { verifyUpdate } from '../../agent/lib/trust/verify-update.ts';
import { makeAdmin, type Admin } from '../helpers/fixtures.ts';
import { chainOf, DAY_S, makeRoot, type RootSpec } from '../helpers/roots.ts';
import { createBed, recorderScript, type Bed, type Update } from './bed.ts';

const NOW_S = Math.floor(Date.now() / 1000);
let bed: Bed;
let out: string;
let k: Admin[]; // 0, 1: root keys; 2 (A, leaked), 3 (B), 4 (C): update keys of v1; 5 (D): new in v2
let v1: SignedRoot;
let v2: SignedRoot;
let spec1: RootSpec;
const anchor = (): string => join(bed.dir, 'fleet.root');
/** The manager's persisted chain: inside the input dir, where the manager's state is. */
const managerChain = (): string => join(bed.inputs, 'root.chain');

before(async () => {
  bed = await createBed('root');
  out = join(bed.dir, 'out');
  await mkdir(out);
  k = await Promise.all(Array.from({ length: 6 }, () => makeAdmin()));
  spec1 = {
    version: 1,
    rootKeys: [k[0]!, k[1]!],
    rootThreshold: 2,
    updateKeys: [k[2]!, k[3]!, k[4]!],
    threshold: 2,
    expires: NOW_S + 30 * DAY_S,
    versions: [{ prefix: 'app:/', maxJump: 100 }],
  };
  v1 = await makeRoot(spec1, [k[0]!, k[1]!]);
  // Key A leaked: v2 drops it and adds D, signed by both root keys.
  v2 = await makeRoot({ ...spec1, version: 2, updateKeys: [k[3]!, k[4]!, k[5]!] }, [k[0]!, k[1]!]);
  await writeFile(anchor(), chainOf(v1));
  const script = await recorderScript(bed.dir);
  await bed.start(
    { 'app:/': { type: 'script', path: script, args: [out] } },
    { root: anchor(), trustedKeys: [] },
  );
});

after(async () => {
  await bed?.close();
});

const ran = async (): Promise<string[]> =>
  (await readFile(join(out, 'deploy.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean);

/** An update of `uri` v`version` signed by each of `by`, in the input dir. */
async function signed(by: Admin[], uri: string, version: number): Promise<Update> {
  const u = await bed.update(uri, version, 4096, { pubPath: '', key: by[0]!.secret });
  let raw: Uint8Array = await readFile(u.torrent);
  for (const a of by.slice(1)) raw = await addSignature(raw, a.secret);
  await writeFile(u.torrent, raw);
  return u;
}

async function refused(req: object, code: string, reason: RegExp): Promise<void> {
  const before = await ran();
  const r = await bed.ask(req);
  assert.equal(r['type'], 'refused', JSON.stringify(r));
  assert.equal(r['code'], code, String(r['reason']));
  assert.match(String(r['reason']), reason);
  assert.deepEqual(await ran(), before, 'nothing ran');
}

async function applied(req: object): Promise<void> {
  const r = await bed.ask(req);
  assert.equal(r['type'], 'applied', JSON.stringify(r));
  assert.equal(r['ran'], true);
}

test('one leaked update key is not enough: THRESHOLD; two keys of the root deploy', async () => {
  await refused(
    bed.deployReq(await signed([k[2]!], 'app:/a', 1)),
    'THRESHOLD',
    /2 of 3 update keys.*valid signatures: 1 /,
  );
  await applied(bed.deployReq(await signed([k[2]!, k[3]!], 'app:/a', 1)));
});

test('a version far above the floor (fast-forward to 2^53 - 1) is refused FAST_FORWARD', async () => {
  const u = await signed([k[3]!, k[4]!], 'app:/a', Number.MAX_SAFE_INTEGER);
  await refused(bed.deployReq(u), 'FAST_FORWARD', /above 101 \(highest accepted 1 \+ max jump 100/);
});

test('a forged root chain handed over by the manager is not taken; the executor keeps its root', async () => {
  // The leaked key A and the other update keys sign a "v2" that trusts A alone.
  const forged = await makeRoot({ ...spec1, version: 2, updateKeys: [k[2]!], threshold: 1 }, [
    k[2]!,
    k[3]!,
    k[4]!,
  ]);
  await writeFile(managerChain(), chainOf(v1, forged));
  const u = await signed([k[2]!], 'app:/a', 2);
  await refused(
    bed.deployReq(u, { root: managerChain() }),
    'THRESHOLD',
    /2 of 3 update keys.*valid signatures: 1 /,
  );
  assert.ok(bed.proc.logs.some((l) => l['msg'] === 'root chain not taken' && l['code'] === 'THRESHOLD'));
  // A chain outside the input dirs is not even read.
  await refused(
    bed.deployReq(u, { root: anchor() }),
    'THRESHOLD',
    /2 of 3 update keys.*valid signatures: 1 /,
  );
  assert.ok(
    bed.proc.logs.some(
      (l) => l['msg'] === 'root chain not taken' && /not under an input/.test(String(l['reason'])),
    ),
  );
});

test('after a rotation reaches it, an update signed with the revoked key is refused although a manager that missed the rotation accepts it', async () => {
  await writeFile(managerChain(), chainOf(v1, v2));
  // The first deploy after the rotation carries the chain: signed under v2 (B + D), it deploys.
  await applied(bed.deployReq(await signed([k[3]!, k[5]!], 'app:/a', 2), { root: managerChain() }));
  assert.ok(bed.proc.logs.some((l) => l['msg'] === 'root of trust rotated' && l['version'] === 2));
  assert.deepEqual(await readFile(join(bed.stateDir, 'root.chain')), Buffer.from(chainOf(v1, v2)));
  // A and B sign version 3: valid under v1, the root a stale or compromised manager trusts.
  const u = await signed([k[2]!, k[3]!], 'app:/a', 3);
  const m = await verifyUpdate(await readFile(u.torrent), v1.body, Date.now());
  assert.equal(m.version, 3, 'the manager under root v1 accepts it');
  // The manager asks with no chain, or hands back its old one: refused either way.
  await refused(bed.deployReq(u), 'THRESHOLD', /2 of 3 update keys.*valid signatures: 1 /);
  await writeFile(managerChain(), chainOf(v1));
  await refused(
    bed.deployReq(u, { root: managerChain() }),
    'THRESHOLD',
    /2 of 3 update keys.*valid signatures: 1 /,
  );
  assert.ok(bed.proc.logs.some((l) => l['msg'] === 'root chain not taken' && l['code'] === 'ROOT_ROLLBACK'));
});

test('restarted with the anchor of v1 in its config, the executor still trusts v2 (its own root.chain)', async () => {
  const script = await recorderScript(bed.dir);
  await bed.start(
    { 'app:/': { type: 'script', path: script, args: [out] } },
    { root: anchor(), trustedKeys: [] },
  );
  assert.ok(bed.proc.logs.some((l) => l['msg'] === 'root of trust' && l['rootVersion'] === 2));
  await refused(
    bed.deployReq(await signed([k[2]!, k[4]!], 'app:/a', 3)),
    'THRESHOLD',
    /2 of 3 update keys.*valid signatures: 1 /,
  );
  await applied(bed.deployReq(await signed([k[4]!, k[5]!], 'app:/a', 3)));
});

test('a persisted chain that does not verify stops start-up: the trusted root is never reset', async () => {
  await bed.proc.stop();
  const self = await makeRoot({ ...spec1, version: 3 }, [k[0]!]); // one of two root keys
  await writeFile(join(bed.stateDir, 'root.chain'), chainOf(v2, self));
  const before = await readFile(join(bed.stateDir, 'root.chain'));
  await assert.rejects(
    startExecutor(await loadConfig(join(bed.dir, 'deploy.json')), { log: silentLogger() }),
    (e: unknown) => e instanceof RecordError && /THRESHOLD.*never reset/.test(e.message),
  );
  assert.deepEqual(await readFile(join(bed.stateDir, 'root.chain')), before, 'left as it was');
});
