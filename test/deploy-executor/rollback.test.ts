/**
 * Health checks and rollbacks against a real executor (issue 18 item 3): a deployer with a
 * health command that fails for one version; the executor answers `unhealthy`, keeps the
 * update applied, and rolls it back only when asked for the update it deployed last, to
 * the healthy one before it, re-checked from its own kept copies, once. Every other
 * rollback is refused with its code and runs nothing; the floor never moves down. After a
 * rollback the restored version's health is checked (a failure is recorded and answered,
 * never rolled back again); a restored version whose signature has expired since is allowed
 * only after a failed health check (PREVIOUS_EXPIRED otherwise).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { lookupUser } from '../../agent/deploy-executor/users.ts';
import { createBed, type Bed, type Update } from './bed.ts';

let bed: Bed;
let out: string;

/** Logs "deploy URI VERSION SHA256 ROLLBACK FROM" per run; the health check "health URI VERSION". */
async function scripts(dir: string): Promise<{ deployer: string; health: string }> {
  const deployer = join(dir, 'deployer.sh');
  const health = join(dir, 'health.sh');
  await writeFile(
    deployer,
    [
      '#!/bin/sh',
      'set -eu',
      'sum=$(sha256sum "$P2PU_FILE" | cut -d" " -f1)',
      `echo "deploy $P2PU_URI $P2PU_VERSION $sum \${P2PU_ROLLBACK:-0} \${P2PU_ROLLBACK_FROM:--} $(id -u)" >>"$1/log"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  // Unhealthy while OUT/sick-VERSION exists (the service of that version "does not start").
  await writeFile(
    health,
    [
      '#!/bin/sh',
      'set -eu',
      'echo "health $P2PU_URI $P2PU_VERSION $P2PU_HEALTH $(id -u)" >>"$1/log"',
      'name=$(printf %s "$P2PU_URI" | tr -c "a-z0-9" _)',
      'if [ -e "$1/sick-$name-$P2PU_VERSION" ]; then echo "service $P2PU_VERSION is down"; exit 1; fi',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return { deployer, health };
}

before(async () => {
  bed = await createBed('rollback');
  await chmod(bed.dir, 0o755); // the deployer's user must reach its scripts and out dir
  out = join(bed.dir, 'out');
  await mkdir(out, { mode: 0o777 });
  await chmod(out, 0o777);
  await writeFile(join(out, 'log'), '');
  await chmod(join(out, 'log'), 0o666); // root's and nobody's runs append to one log
  const s = await scripts(bed.dir);
  const health = { path: s.health, args: [out], timeoutMs: 5000, retries: 1, intervalMs: 100 };
  await bed.start({
    'app:/': { type: 'script', path: s.deployer, args: [out], health },
    'user:/': { type: 'script', path: s.deployer, args: [out], health, user: 'nobody' },
  });
});

after(async () => {
  await bed?.close();
});

const log = async (): Promise<string[]> =>
  (await readFile(join(out, 'log'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
const sick = (uri: string, v: number) =>
  writeFile(join(out, `sick-${uri.replace(/[^a-z0-9]/g, '_')}-${v}`), '');
const sha = async (u: Update) =>
  createHash('sha256')
    .update(await readFile(u.payload))
    .digest('hex');
const rollbackReq = (u: Update, patch = {}) => ({
  type: 'rollback',
  uri: u.uri,
  version: u.version,
  infoHash: u.infoHash,
  ...patch,
});
async function uriRecord(uri: string): Promise<Record<string, Record<string, unknown> | null>> {
  const r = (await bed.record())['uris'] as Record<string, Record<string, Record<string, unknown> | null>>;
  return r[uri]!;
}

async function refused(req: object, code: string, reason: RegExp): Promise<void> {
  const before = await log();
  const uri = (req as { uri: string }).uri;
  const rec = await uriRecord(uri).catch(() => null);
  const r = await bed.ask(req);
  assert.equal(r['type'], 'refused', JSON.stringify(r));
  assert.equal(r['code'], code, String(r['reason']));
  assert.match(String(r['reason']), reason);
  assert.deepEqual(await log(), before, 'nothing ran');
  if (rec) assert.deepEqual(await uriRecord(uri), rec, 'the record is unchanged');
}

async function deployed(u: Update, type = 'applied'): Promise<Record<string, unknown>> {
  const r = await bed.ask(bed.deployReq(u));
  assert.equal(r['type'], type, JSON.stringify(r));
  return r;
}

test('a passing health check runs after the deploy with P2PU_HEALTH=1; the update is applied and healthy', async () => {
  const v1 = await bed.update('app:/ok', 1);
  await deployed(v1);
  assert.deepEqual(await log(), [`deploy app:/ok 1 ${await sha(v1)} 0 - 0`, 'health app:/ok 1 1 0']);
  assert.equal((await uriRecord('app:/ok'))['applied']!['health'], 'ok');
});

test('unhealthy (every attempt failed): answered `unhealthy`; the rollback re-deploys the previous payload with P2PU_ROLLBACK=1, once; the floor stays', async () => {
  const uri = 'app:/svc';
  const v1 = await bed.update(uri, 1);
  const v2 = await bed.update(uri, 2);
  await deployed(v1);
  await sick(uri, 2);
  const before = (await log()).length;
  const r = await deployed(v2, 'unhealthy');
  assert.equal(r['ran'], true);
  assert.match(String(r['reason']), /health check DEPLOY_EXIT/);
  assert.match(String(r['output']), /service 2 is down/);
  assert.deepEqual((await log()).slice(before), [
    `deploy ${uri} 2 ${await sha(v2)} 0 - 0`,
    `health ${uri} 2 1 0`,
    `health ${uri} 2 1 0`, // retries: 1
  ]);
  const rec = await uriRecord(uri);
  assert.deepEqual(rec['applied']!['health'], 'failed');
  assert.equal(rec['previous']!['version'], 1);
  // Asked again (a manager restarted): the verdict, nothing runs.
  const again = await bed.ask(bed.deployReq(v2));
  assert.deepEqual([again['type'], again['ran']], ['unhealthy', false]);

  const n = (await log()).length;
  const back = await bed.ask(rollbackReq(v2));
  assert.equal(back['type'], 'rolled-back', JSON.stringify(back));
  assert.deepEqual(back['to'], { version: 1, infoHash: v1.infoHash });
  assert.equal(back['health'], 'ok');
  assert.deepEqual(
    (await log()).slice(n),
    [`deploy ${uri} 1 ${await sha(v1)} 1 2 0`, `health ${uri} 1 1 0`],
    'v1 bytes, P2PU_ROLLBACK=1, then its health check',
  );
  const after = await uriRecord(uri);
  assert.equal(after['applied']!['version'], 1);
  assert.equal(after['applied']!['health'], 'ok');
  assert.equal(after['floor']!['version'], 2, 'the floor is not lowered');
  assert.equal(after['rolledBack']!['version'], 2);
  assert.equal(after['previous'], null);

  await refused(rollbackReq(v2), 'ALREADY_ROLLED_BACK', /rolled back already/);
  await refused(bed.deployReq(v2), 'ROLLED_BACK', /version 2 was rolled back here/);
  const v1again = await bed.ask(bed.deployReq(v1)); // applied again by the rollback: nothing runs
  assert.deepEqual([v1again['type'], v1again['ran']], ['applied', false]);
  const v3 = await bed.update(uri, 3);
  await deployed(v3);
  assert.equal((await uriRecord(uri))['previous']!['version'], 1, 'a higher version proceeds');
});

test('attack: a rollback to an arbitrary older version, or of a version it did not deploy → NOT_DEPLOYED_LAST', async () => {
  const uri = 'app:/arb';
  const [v1, v2, v3] = [await bed.update(uri, 1), await bed.update(uri, 2), await bed.update(uri, 3)];
  for (const u of [v1, v2, v3]) await deployed(u);
  await refused(rollbackReq(v1), 'NOT_DEPLOYED_LAST', /not the update deployed last here \(3 /);
  await refused(rollbackReq(v2), 'NOT_DEPLOYED_LAST', /not the update deployed last/);
  await refused(rollbackReq(v3, { infoHash: 'b'.repeat(40) }), 'NOT_DEPLOYED_LAST', /not the update/);
  await refused(rollbackReq(v3, { version: 9 }), 'NOT_DEPLOYED_LAST', /not the update/);
  const v4 = await bed.update(uri, 4);
  await refused(rollbackReq(v4), 'NOT_DEPLOYED_LAST', /not the update/); // signed, never deployed
});

test('attack: a rollback of an unhealthy version after a newer healthy one → NOT_DEPLOYED_LAST; the newer one rolls back past it', async () => {
  const uri = 'app:/newer';
  const [v1, v2, v3] = [await bed.update(uri, 1), await bed.update(uri, 2), await bed.update(uri, 3)];
  await deployed(v1);
  await sick(uri, 2);
  await deployed(v2, 'unhealthy');
  await deployed(v3);
  await refused(rollbackReq(v2), 'NOT_DEPLOYED_LAST', /not the update deployed last here \(3 /);
  // The admin's abort --rollback of v3 goes back to the last healthy one, v1 (never to v2).
  const back = await bed.ask(rollbackReq(v3));
  assert.equal(back['type'], 'rolled-back', JSON.stringify(back));
  assert.equal((back['to'] as { version: number }).version, 1);
});

test('attack: nothing healthy before it (the first update of a URI) → NO_PREVIOUS', async () => {
  const uri = 'app:/first';
  const v1 = await bed.update(uri, 1);
  await sick(uri, 1);
  await deployed(v1, 'unhealthy');
  await refused(rollbackReq(v1), 'NO_PREVIOUS', /no earlier healthy update/);
});

test('attack: a kept payload or torrent changed in the work dir → PAYLOAD_MISMATCH / BAD_SIGNATURE, nothing runs', async () => {
  const uri = 'app:/kept';
  const [v1, v2] = [await bed.update(uri, 1), await bed.update(uri, 2)];
  await deployed(v1);
  await deployed(v2);
  const work = join(bed.stateDir, 'work');
  const names = await readdir(work);
  const d1 = names.find((n) => n.startsWith(v1.infoHash) && !n.endsWith('.torrent'))!;
  const payload = join(work, d1, (await readdir(join(work, d1)))[0]!);
  const good = await readFile(payload);
  await writeFile(payload, Buffer.concat([good.subarray(0, 10), Buffer.from('evil'), good.subarray(14)]));
  await refused(rollbackReq(v2), 'PAYLOAD_MISMATCH', /kept payload of version 1/);
  await writeFile(payload, good);
  const torrent = join(work, `${d1}.1.torrent`);
  const raw = await readFile(torrent);
  const at = raw.indexOf(Buffer.from('7:versioni1e'));
  assert.ok(at > 0);
  const forged = Buffer.from(raw);
  forged.write('7:versioni0e', at);
  await writeFile(torrent, forged);
  await refused(rollbackReq(v2), 'BAD_SIGNATURE', /kept version 1/);
  await writeFile(torrent, raw);
  const back = await bed.ask(rollbackReq(v2));
  assert.equal(back['type'], 'rolled-back', JSON.stringify(back));
});

test("the health check and the rollback run as the deployer's user, like its deploys", async () => {
  const nobody = (await lookupUser('nobody'))!;
  const uri = 'user:/cfg';
  const [v1, v2] = [await bed.update(uri, 1), await bed.update(uri, 2)];
  await deployed(v1);
  await sick(uri, 2);
  const n = (await log()).length;
  await deployed(v2, 'unhealthy');
  const back = await bed.ask(rollbackReq(v2));
  assert.equal(back['type'], 'rolled-back', JSON.stringify(back));
  assert.deepEqual((await log()).slice(n), [
    `deploy ${uri} 2 ${await sha(v2)} 0 - ${nobody.uid}`,
    `health ${uri} 2 1 ${nobody.uid}`,
    `health ${uri} 2 1 ${nobody.uid}`,
    `deploy ${uri} 1 ${await sha(v1)} 1 2 ${nobody.uid}`,
    `health ${uri} 1 1 ${nobody.uid}`,
  ]);
});

test('the restored version fails its health check too: answered health "failed", recorded, and never rolled back again', async () => {
  const uri = 'app:/both';
  const [v1, v2] = [await bed.update(uri, 1), await bed.update(uri, 2)];
  await deployed(v1);
  await sick(uri, 1); // v1's service no longer starts either (say, a dependency moved on)
  await sick(uri, 2);
  await deployed(v2, 'unhealthy');
  const n = (await log()).length;
  const back = await bed.ask(rollbackReq(v2));
  assert.equal(back['type'], 'rolled-back', JSON.stringify(back));
  assert.deepEqual([back['health'], (back['to'] as { version: number }).version], ['failed', 1]);
  assert.match(String(back['healthReason']), /health check DEPLOY_EXIT/);
  assert.match(String(back['output']), /service 1 is down/);
  assert.deepEqual((await log()).slice(n), [
    `deploy ${uri} 1 ${await sha(v1)} 1 2 0`,
    `health ${uri} 1 1 0`,
    `health ${uri} 1 1 0`, // retries: 1
  ]);
  const rec = await uriRecord(uri);
  assert.deepEqual([rec['applied']!['version'], rec['applied']!['health']], [1, 'failed']);
  assert.deepEqual([rec['previous'], rec['rolledBack']!['version'], rec['floor']!['version']], [null, 2, 2]);
  // No rollback of a rollback: neither of v2 again nor of the restored v1.
  await refused(rollbackReq(v2), 'ALREADY_ROLLED_BACK', /rolled back already/);
  await refused(rollbackReq(v1), 'NO_PREVIOUS', /no earlier healthy update/);
  const again = await bed.ask(bed.deployReq(v1));
  assert.deepEqual([again['type'], again['ran']], ['unhealthy', false], 'the verdict, nothing runs');
});

test('attack: rollback to a version whose signature expired since: only after a failed health check (else PREVIOUS_EXPIRED); an expired version never deployed here → NOT_DEPLOYED_LAST', async () => {
  const expires = Math.ceil(Date.now() / 1000) + 8;
  const [a, s] = ['app:/exp-abort', 'app:/exp-sick'];
  const a1 = await bed.update(a, 1, 4096, bed.admin, expires);
  const s1 = await bed.update(s, 1, 4096, bed.admin, expires);
  const stray = await bed.update(a, 3, 4096, bed.admin, expires); // signed, valid then, never deployed
  const [a2, s2] = [await bed.update(a, 2), await bed.update(s, 2)];
  await deployed(a1);
  await deployed(s1);
  await deployed(a2);
  await sick(s, 2);
  await deployed(s2, 'unhealthy');
  while (Date.now() <= expires * 1000 + 500) await new Promise((r) => setTimeout(r, 250));
  // A healthy update (an admin's abort, or a manager not to be trusted): not back to an expired one.
  await refused(rollbackReq(a2), 'PREVIOUS_EXPIRED', /kept version 1 expired at .*failed health check/);
  await refused(rollbackReq(a1), 'NOT_DEPLOYED_LAST', /not the update deployed last here \(2 /);
  await refused(rollbackReq(stray), 'NOT_DEPLOYED_LAST', /not the update deployed last here \(2 /);
  await refused(bed.deployReq(a1), 'ROLLBACK', /below the highest deployed here/);
  // Its health check failed here: back to the version it deployed itself while valid.
  const n = (await log()).length;
  const back = await bed.ask(rollbackReq(s2));
  assert.equal(back['type'], 'rolled-back', JSON.stringify(back));
  assert.deepEqual([back['health'], (back['to'] as { version: number }).version], ['ok', 1]);
  assert.deepEqual((await log()).slice(n), [`deploy ${s} 1 ${await sha(s1)} 1 2 0`, `health ${s} 1 1 0`]);
});
