import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHUNK_SIZE } from '../../agent/lib/gossip/messages.ts';
import { spreadRun } from './spread-run.ts';

test('1,000 nodes, no loss: every node gets the notification, each fetches it once, within the bounds', () => {
  const r = spreadRun(1000, 0);
  assert.ok(r.t100 > 0, 'reached every node');
  assert.ok(r.rounds100 <= 25, `rounds to 100%: ${r.rounds100} (bound 25 gossip rounds)`);
  assert.equal(r.offered, 999, 'deduplicated: every other node fetched and offered it exactly once');
  // Each node announces once and sends that announcement at most L = ceil(4·log10(N+1)) times.
  assert.ok(r.gossipMax <= r.limit, `gossip packets per node ${r.gossipMax} > L=${r.limit}`);
  assert.equal(r.fetchMean, Math.ceil(r.size / CHUNK_SIZE), 'one FETCH per chunk when nothing is lost');
});
