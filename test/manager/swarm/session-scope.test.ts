/** Lever O's session variant: the limit goes to speed-limit-up, the lift turns it off; the torrent is left alone. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonTraits } from '../../../agent/lib/transmission/daemon-traits.ts';
import { sessionScoped } from '../../../agent/manager/swarm/session-scope.ts';

test('session scope: limit and lift become session-set calls, never a torrent limit', async () => {
  const calls: unknown[] = [];
  const port = sessionScoped({
    traits: async () => daemonTraits('3.00 (bb6b5a062e)', 16),
    swarm: async () => [],
    setUploadLimit: async (h, k) => void calls.push(['torrent', h, k]),
    setSession: async (f) => void calls.push(['session', f]),
  });
  await port.setUploadLimit('a'.repeat(40), 625);
  await port.setUploadLimit('a'.repeat(40), null);
  assert.deepEqual(calls, [
    ['session', { 'speed-limit-up': 625, 'speed-limit-up-enabled': true }],
    ['session', { 'speed-limit-up-enabled': false }],
  ]);
});
