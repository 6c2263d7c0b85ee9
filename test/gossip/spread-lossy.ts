/** The assertions of the lossy 1,000-node spread tests (one file per loss level). */
import assert from 'node:assert/strict';
import { CHUNK_SIZE } from '../../agent/lib/gossip/messages.ts';
import { spreadRun } from './spread-run.ts';

export function checkLossy(loss: number, bound: number): void {
  const r = spreadRun(1000, loss);
  assert.ok(r.t100 > 0, 'reached every node');
  assert.ok(r.rounds100 <= bound, `rounds to 100%: ${r.rounds100}`);
  assert.equal(r.offered, 999, 'each node fetched it once');
  // Rate bounds (docs/protocol/gossip.md §Message bounds).
  assert.ok(r.gossipMax <= 3 * r.ticks, `gossip packets ${r.gossipMax} > fanout × ${r.ticks} ticks`);
  assert.ok(r.pingReqMax <= 3 * r.probes, `ping-req ${r.pingReqMax} > k × ${r.probes} probes`);
  const chunks = Math.ceil(r.size / CHUNK_SIZE);
  assert.ok(r.fetchMean <= (2 * chunks) / (1 - loss) ** 2, `fetch requests per node ${r.fetchMean}`);
}
