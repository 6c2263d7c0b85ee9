/**
 * The manager turns uTP off while natm is on its stream fallback and back on when natm
 * returns to UDP (agent/manager/utp-switch.ts): one session-set per change, none while
 * nothing changes, an operator's setting untouched when natm never fell back, a failed
 * session-set retried at the next check, and natm not answering changes nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../../agent/lib/common/clock.ts';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { UtpSwitch } from '../../agent/manager/utp-switch.ts';

function rig(transports: Array<string | undefined>, failFirstSet = false) {
  const sets: Array<Record<string, unknown>> = [];
  let fail = failFirstSet;
  const sw = new UtpSwitch({
    transport: async () => transports.shift(),
    setSession: async (f) => {
      if (fail) {
        fail = false;
        throw new Error('daemon not up');
      }
      sets.push(f);
    },
    clock: systemClock,
    log: silentLogger(),
  });
  return { sw, sets };
}

test('off on tcp/tls, on again on udp, once per change', async () => {
  const { sw, sets } = rig(['udp', 'udp', 'tcp', 'tcp', undefined, 'tls', 'udp', 'udp']);
  for (let i = 0; i < 8; i++) await sw.check();
  assert.deepEqual(sets, [{ 'utp-enabled': false }, { 'utp-enabled': true }]);
  assert.equal(sw.off, false);
});

test('never fell back: the operator setting is never touched', async () => {
  const { sw, sets } = rig(['udp', undefined, 'udp']);
  for (let i = 0; i < 3; i++) await sw.check();
  assert.deepEqual(sets, []);
});

test('a failed session-set is retried at the next check', async () => {
  const { sw, sets } = rig(['tcp', 'tcp'], true);
  await sw.check();
  assert.equal(sw.off, false);
  await sw.check();
  assert.deepEqual(sets, [{ 'utp-enabled': false }]);
  assert.equal(sw.off, true);
});
