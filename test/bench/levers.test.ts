/** bench/propagation/levers.ts: --levers turns on exactly the levers named, the others off. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfig } from '../../agent/manager/config.ts';
import { leverConfig, leverLabel, LEVERS, parseLevers } from '../../bench/propagation/levers.ts';

const base = {
  trustedKeys: ['/k.pub'],
  stateDir: '/s',
  inboxDir: '/i',
  transmission: { downloadDir: '/d' },
};
const cfg = (on: ReturnType<typeof parseLevers>, extra = {}) => {
  const l = leverConfig(on, extra);
  return validateConfig({ ...base, tracker: l.tracker, speed: l.speed });
};

test('none: the behaviour before the levers; all: every lever on', () => {
  const none = cfg(parseLevers('none'));
  assert.deepEqual(
    [
      none.speed.rechoke,
      none.speed.flushBeforeCheck,
      none.speed.rehashBeforeDeploy,
      none.speed.backdatePayload,
      none.speed.announceKick,
      none.speed.nearEndPollMs,
      none.speed.originShaping,
      none.tracker.fastIntervalS,
      none.tracker.minIntervalS,
    ],
    [false, true, true, false, false, 0, 'off', 0, 5],
  );
  const all = cfg(parseLevers('all'));
  assert.deepEqual(
    [all.speed.rechoke, all.speed.flushBeforeCheck, all.speed.announceKick, all.speed.originShaping],
    [true, false, true, 'estimate'],
  );
  assert.equal(leverLabel(parseLevers('all')), 'all');
  assert.equal(leverLabel(parseLevers('none')), 'none');
});

test('one lever alone changes only its own keys', () => {
  const none = cfg(parseLevers('none'));
  for (const l of LEVERS) {
    const one = cfg(parseLevers(l));
    const changed = Object.keys(one.speed).filter(
      (k) => one.speed[k as keyof typeof one.speed] !== none.speed[k as keyof typeof none.speed],
    );
    assert.ok(changed.length > 0 || one.tracker.fastIntervalS !== none.tracker.fastIntervalS, l);
    assert.equal(leverLabel(parseLevers(l)), l);
  }
  assert.equal(
    cfg(parseLevers('origin'), { originShaping: 'complete-peer' }).speed.originShaping,
    'complete-peer',
  );
});

test('no flag: the manager defaults; an unknown lever is an error naming it', () => {
  assert.equal(parseLevers(undefined), null);
  assert.deepEqual(leverConfig(null), { speed: {}, tracker: {} });
  assert.throws(() => parseLevers('rechoke,turbo'), /unknown lever "turbo"/);
  assert.equal(leverLabel(parseLevers('hash,rechoke')), 'rechoke+hash');
});
