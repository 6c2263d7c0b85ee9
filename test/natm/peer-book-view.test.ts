/**
 * The peer book's view of a dual-stack peer (issue 19 item 5): every LAN endpoint it
 * reported travels up (the manager's BitTorrent peer list needs the IPv6 one for an
 * IPv6-only daemon), and a change in any of them, not only the first, is a changed view.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PeerBook, type Liveness } from '../../agent/natm/peer-book.ts';

const live: Liveness = { now: 1000, pathTimeoutMs: 5000, rdvAlive: () => true, bridgeUp: false };
const v4 = { address: '198.18.0.11', port: 4100 };
const v6 = { address: 'fd00:18::11', port: 4100 };

test('peer book: the view carries every LAN endpoint; the direct path holds over the IPv6 one', () => {
  const book = new PeerBook({ maxPeers: 4 });
  const p = book.ensure('n1', 'rdv:0')!;
  book.place(p, { ext: v4, internals: [v4, v6] }, 0);
  const first = book.changedView(p, live);
  assert.deepEqual(first?.internals, [v4, v6]);
  assert.deepEqual(first?.internal, v4);
  assert.equal(first?.path, 'relayed');
  book.heard(p, v6, 1000, false);
  assert.equal(book.changedView(p, live)?.path, 'direct', 'heard at its IPv6 LAN endpoint: direct');
  book.setInternals(p, [v4, { ...v6, port: 4101 }]);
  assert.ok(book.changedView(p, live), 'a change in the second endpoint is a change');
  assert.equal(book.changedView(p, live), null, 'and shown once');
});
