/**
 * The admin's rollout control in the manager (docs/rollouts.md §Control messages): the bed of
 * rollout-driver.test.ts (fake Transmission, executor, natm and clock; real store and control
 * book). A pause holds a downloaded update before its deploy, a resume lets it go, an abort
 * holds it for good (also across a restart); each attack on the intake is refused with its
 * code, recorded and counted, and never relayed.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import bencode from 'bencode';
import { signControl, type ControlMessage } from '../../agent/lib/rollout/control.ts';
import { PPM, type RolloutPolicy } from '../../agent/lib/rollout/policy.ts';
import { ControlBook, controlPath } from '../../agent/manager/control-book.ts';
import { statusText } from '../../agent/manager/status-view.ts';
import { makeAdmin } from '../helpers/fixtures.ts';
import { idleOn, makeBed, settle, untilOn, URI, type Bed } from './rollout-bed.ts';

let bed: Bed | null = null;
afterEach(async () => {
  await bed?.manager.stop();
  if (bed) await rm(bed.dir, { recursive: true, force: true });
  bed = null;
});

const gateLine = () => bed!.core.store.uri(URI)?.current?.gate ?? '';
const state = () => bed!.core.store.uri(URI)?.current?.state;
const msg = (m: Partial<ControlMessage>): ControlMessage => ({
  ...{ uri: URI, version: 1, seq: 1, action: 'pause', rollback: false, issued: 1_800_000_000 },
  ...m,
});
/** One wave, open at once: without control the node deploys as soon as it has the payload. */
const oneWave = (issued: number): RolloutPolicy => ({
  issued,
  waves: [{ fraction: PPM, start: 0 }],
  errorThreshold: 50_000,
  grace: 60,
  quorum: 500_000,
});
const send = async (m: ControlMessage, key = bed!.key) =>
  bed!.manager.submit(await signControl(m, [key]), 'natm');

async function refusalCount(code: string): Promise<number> {
  const got = await bed!.core.metrics.registry.getSingleMetric('p2pu_manager_refusals_total')!.get();
  return got.values.filter((v) => v.labels['code'] === code).reduce((n, v) => n + v.value, 0);
}

test('pause holds a downloaded update before its deploy; resume lets it deploy', async () => {
  bed = await makeBed([], false);
  assert.equal((await send(msg({ seq: 1, action: 'pause' }))).kind, 'control');
  await bed.publish(oneWave(Math.floor(bed.clock.now() / 1000)));
  await untilOn(bed, () => gateLine().startsWith('waiting: paused'), 600_000, 'held by the pause');
  await idleOn(bed, 30_000, 100);
  assert.deepEqual(bed.deploys, []);
  assert.equal(state(), 'deploying');
  assert.equal(gateLine(), 'waiting: paused by the admin (seq 1)');
  assert.match(statusText(bed.core.store.data), /rollout: waiting: paused by the admin \(seq 1\)/);
  const relayed = bed.relays.filter((r) => r.uri.startsWith('p2p-update:rollout-control:'));
  assert.deepEqual(
    relayed.map((r) => r.version),
    [1],
    'relayed under the control key, seq as version',
  );
  // The fake clock stands still: only the resume's kick can deploy it.
  await send(msg({ seq: 2, action: 'resume' }));
  await settle(() => bed!.deploys.length > 0, 20_000, 'deployed on the resume');
  await untilOn(bed, () => state() === 'applied', 60_000, 'applied');
  assert.equal(bed.core.store.uri(URI)!.current!.gate, null);
});

test('an update without a rollout policy is held by a pause too', async () => {
  bed = await makeBed([], false);
  await send(msg({ seq: 1, action: 'pause' }));
  await bed.publish();
  await untilOn(bed, () => gateLine().startsWith('waiting: paused'), 600_000, 'held by the pause');
  await idleOn(bed, 10_000, 100);
  assert.deepEqual(bed.deploys, []);
});

test('abort is final: a newer resume is refused CONTROL_FINAL, and a restart keeps the abort', async () => {
  bed = await makeBed([], false);
  await send(msg({ seq: 5, action: 'abort' }));
  await bed.publish(oneWave(Math.floor(bed.clock.now() / 1000)));
  await untilOn(bed, () => gateLine().startsWith('waiting: aborted'), 600_000, 'held by the abort');
  const r = await send(msg({ seq: 6, action: 'resume' }));
  assert.equal(r.kind === 'refused' && r.code, 'CONTROL_FINAL');
  await idleOn(bed, 30_000, 100);
  assert.deepEqual(bed.deploys, []);
  assert.equal(gateLine(), 'waiting: aborted by the admin (seq 5)');
  const book = await ControlBook.open(join(bed.dir, 'state'));
  assert.deepEqual(
    { state: book.state(URI, 1).state, seq: book.state(URI, 1).seq },
    { state: 'aborted', seq: 5 },
  );
  // A newer abort --rollback adds the rollback; the book keeps it.
  assert.equal((await send(msg({ seq: 7, action: 'abort', rollback: true }))).kind, 'control');
  assert.equal((await ControlBook.open(join(bed.dir, 'state'))).state(URI, 1).rollback, true);
});

test('attacks on the control intake are refused with a code, recorded, counted and never relayed', async () => {
  bed = await makeBed([], false);
  const mallory = await makeAdmin();
  await send(msg({ seq: 10, action: 'pause' }));
  const held = await signControl(msg({ seq: 10, action: 'pause' }), [bed.key]);
  const cases: [string, Uint8Array][] = [
    ['UNKNOWN_SIGNER', await signControl(msg({ seq: 11, action: 'resume' }), [mallory.secret])],
    [
      'BAD_SIGNATURE',
      (() => {
        const t = bencode.decode(held) as { control: Record<string, unknown> };
        t.control['action'] = Buffer.from('resume');
        t.control['seq'] = 11;
        return bencode.encode(t) as Uint8Array;
      })(),
    ],
    ['STALE_CONTROL', await signControl(msg({ seq: 9, action: 'resume' }), [bed.key])],
    ['STALE_CONTROL', await signControl(msg({ seq: 10, action: 'resume' }), [bed.key])],
    ['TOO_LARGE', new Uint8Array(Buffer.concat([Buffer.from('d7:control'), Buffer.alloc(2100, 0x31)]))],
    ['BAD_CONTROL', new Uint8Array(Buffer.from('d7:controli1ee'))],
  ];
  const relaysBefore = bed.relays.length;
  for (const [code, raw] of cases) {
    const o = await bed.manager.submit(raw, 'natm');
    assert.equal(o.kind === 'refused' && o.code, code, `expected ${code}`);
  }
  assert.deepEqual(
    bed.verdicts.map((v) => v.code),
    cases.map(([c]) => c),
    'natm told each refusal',
  );
  assert.equal(bed.relays.length, relaysBefore, 'nothing refused was relayed');
  assert.equal(await refusalCount('STALE_CONTROL'), 2);
  assert.equal(await refusalCount('UNKNOWN_SIGNER'), 1);
  assert.deepEqual(
    bed.core.store.data.refusals.map((r) => r.code).reverse(),
    cases.map(([c]) => c),
  );
  // The same message again is a duplicate: relayed again (natm may have offered it), not refused.
  const again = await bed.manager.submit(held, 'natm');
  assert.equal(again.kind === 'control' && again.fresh, false);
  assert.equal(bed.core.gate.controls.state(URI, 1).state, 'paused');
});

test('a control message for another version or URI changes nothing for this update', async () => {
  bed = await makeBed([], false);
  await send(msg({ version: 2, seq: 1, action: 'abort' }));
  await send(msg({ uri: 'app:/other', seq: 1, action: 'abort' }));
  await bed.publish(oneWave(Math.floor(bed.clock.now() / 1000)));
  await untilOn(bed, () => state() === 'applied', 600_000, 'applied');
  assert.deepEqual(bed.deploys, [1]);
  assert.equal(bed.core.gate.controls.state(URI, 2).state, 'aborted', 'held for version 2');
});

test('a corrupt control file stops the manager from opening it (STORE_CORRUPT)', async () => {
  bed = await makeBed([], false);
  await writeFile(controlPath(join(bed.dir, 'state')), '{"schema":1,"controls":[{"uri":1}]}');
  await assert.rejects(ControlBook.open(join(bed.dir, 'state')), { code: 'STORE_CORRUPT' });
});
