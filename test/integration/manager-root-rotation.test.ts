/**
 * A key rotation on a real node (a real manager, deploy executor and transmission-daemon
 * in a namespace), both trusting the root chain the node was installed with: the
 * rotated root dropped into the inbox reaches the executor with the next deploy, so an
 * update signed by the new key deploys; then the manager's own state is rewritten (what
 * a compromised manager user can do: it owns that state) so that it trusts the old root
 * again and accepts an update signed by the revoked key — and the executor refuses it.
 */
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { addSignature } from '../../agent/lib/metainfo/cosign.ts';
import type { SignedRoot } from '../../agent/lib/trust/model.ts';
import { makeAdmin, type Admin } from '../helpers/fixtures.ts';
import { chainOf, DAY_S, makeRoot } from '../helpers/roots.ts';
import { appliedLines, createNode, dropRaw, waitUri, type TestNode } from './manager-harness/node.ts';
import { createNetns, type Netns } from './manager-harness/netns.ts';
import { makePayload, sign } from './manager-harness/updates.ts';
import { tempDir, waitFor } from './manager-harness/util.ts';

const URI = 'app:/rotation';
let tmp: Awaited<ReturnType<typeof tempDir>>;
let ns: Netns;
let a: TestNode;
let k: Admin[]; // 0, 1: root keys; 2: A (leaks); 3: B; 4: D (replaces A)
let v2: SignedRoot;

before(async () => {
  tmp = await tempDir('rotation');
  ns = await createNetns();
  k = await Promise.all(Array.from({ length: 5 }, () => makeAdmin()));
  const spec = {
    version: 1,
    rootKeys: [k[0]!, k[1]!],
    rootThreshold: 2,
    updateKeys: [k[2]!, k[3]!],
    threshold: 1,
    expires: Math.floor(Date.now() / 1000) + 30 * DAY_S,
  };
  const v1 = await makeRoot(spec, [k[0]!, k[1]!]);
  v2 = await makeRoot({ ...spec, version: 2, updateKeys: [k[3]!, k[4]!] }, [k[0]!, k[1]!]);
  const anchor = join(tmp.path, 'fleet.root');
  await writeFile(anchor, chainOf(v1));
  a = await createNode(tmp.path, 'a', '/unused.pub', ns, '10.1.0.1');
  await a.daemon.start();
  await a.writeConfig({ trust: { root: anchor } });
  await a.startManager();
});

after(async () => {
  await a?.shutdown();
  await ns?.remove();
  await tmp?.remove();
});

/** Drops version `v` of URI, signed by `by`, with its payload; returns the torrent's infohash. */
async function drop(v: number, by: Admin[]): Promise<void> {
  const payload = await makePayload(tmp.path, `v${v}.bin`, 32 * 1024);
  const key = { pubPath: '', key: by[0]!.secret };
  const t = await sign(key, payload, join(tmp.path, `v${v}.torrent`), { uri: URI, version: v });
  let raw = t.raw;
  for (const x of by.slice(1)) raw = await addSignature(raw, x.secret);
  await dropRaw(a, `v${v}.bin`, await readFile(payload));
  await dropRaw(a, `v${v}.torrent`, raw);
}

test('signed by A under root v1: deployed', async () => {
  await drop(1, [k[2]!]);
  await waitUri(a, URI, (r) => r.applied === 1, 60_000);
});

test('root v2 (A revoked, D added) in the inbox: the next deploy carries it to the executor, D deploys', async () => {
  await dropRaw(a, 'fleet-v2.root', chainOf(v2));
  await waitFor(
    'root v2 at the manager',
    () => a.logs.some((l) => l['msg'] === 'root of trust rotated'),
    20_000,
  );
  await drop(2, [k[4]!]);
  await waitUri(a, URI, (r) => r.applied === 2, 60_000);
  assert.ok(a.execLogs.some((l) => l['msg'] === 'root of trust rotated' && l['version'] === 2));
  assert.deepEqual(
    await readFile(join(a.executorStateDir, 'root.chain')),
    await readFile(join(a.stateDir, 'root.chain')),
  );
});

test("a manager that trusts v1 again accepts A's update; the executor refuses it and nothing runs", async () => {
  await a.stopManager();
  await rm(join(a.stateDir, 'root.chain')); // the manager user owns its state
  await a.startManager();
  assert.ok(a.logs.some((l) => l['msg'] === 'root of trust' && l['rootVersion'] === 1));
  await drop(3, [k[2]!]);
  const r = await waitUri(a, URI, (x) => x.highestAccepted === 3 && x.current?.state === 'failed', 60_000);
  assert.equal(r.applied, 2);
  const s = (await a.store())!;
  const refusal = s.refusals.find((x) => x.source === 'executor' && x.version === 3);
  assert.equal(refusal?.code, 'UNKNOWN_SIGNER', JSON.stringify(s.refusals));
  assert.deepEqual(await appliedLines(a), [`applied ${URI} 1`, `applied ${URI} 2`]);
  assert.ok(a.execLogs.some((l) => l['msg'] === 'request refused' && l['code'] === 'UNKNOWN_SIGNER'));
});
