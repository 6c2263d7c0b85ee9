import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock, Timer } from '../../agent/lib/common/clock.ts';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { CrlRefresher, DEFAULT_CRL_INTERVAL_MS } from '../../agent/natm/membership/crl-refresher.ts';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import { signRevocationList } from '../../agent/lib/membership/revocation.ts';
import { RevocationState } from '../../agent/lib/membership/revocation-state.ts';
import { makeCa, NOW, NOW_S, type TestCa } from './fixtures.ts';

/** Interval timers only, advanced by hand. */
class ManualClock implements Clock {
  t = NOW;
  timers = new Set<{ fn: () => void; every: number; next: number }>();
  now = () => this.t;
  setTimeout(): Timer {
    throw new Error('not used');
  }
  setInterval(fn: () => void, ms: number): Timer {
    const x = { fn, every: ms, next: this.t + ms };
    this.timers.add(x);
    return { cancel: () => this.timers.delete(x) };
  }
  advance(ms: number): void {
    this.t += ms;
    for (const x of this.timers)
      while (x.next <= this.t) {
        x.next += x.every;
        x.fn();
      }
  }
}

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);

describe('revocation list refresher', () => {
  let ca: TestCa;
  before(async () => {
    await membershipReady();
    ca = await makeCa('lab');
  });

  it('fetches every 24 h by default, applies newer lists, refuses older and foreign ones', async () => {
    const clock = new ManualClock();
    const state = new RevocationState();
    const serve: Uint8Array[] = [
      await signRevocationList({ cluster: 'lab', seq: 2, issuedAt: NOW_S, ids: [A] }, ca),
      await signRevocationList({ cluster: 'lab', seq: 1, issuedAt: NOW_S, ids: [] }, ca),
      await signRevocationList({ cluster: 'lab', seq: 9, issuedAt: NOW_S, ids: [B] }, await makeCa('lab')),
      await signRevocationList({ cluster: 'lab', seq: 3, issuedAt: NOW_S, ids: [A, B] }, ca),
    ];
    let fetches = 0;
    const accepted: number[] = [];
    const r = new CrlRefresher(
      {
        clock,
        log: silentLogger(),
        state,
        fetchCrl: async () => serve[Math.min(fetches++, serve.length - 1)]!,
        onAccepted: (raw) => accepted.push(raw.length),
      },
      { ca, cluster: 'lab' },
    );
    r.start();
    r.start();
    assert.equal(clock.timers.size, 1, 'start is idempotent');
    clock.advance(DEFAULT_CRL_INTERVAL_MS - 1);
    assert.equal(fetches, 0);
    clock.advance(1);
    await new Promise((res) => setImmediate(res));
    assert.equal(fetches, 1);
    assert.ok(state.isRevoked(A) && state.seq === 2);
    assert.deepEqual(await r.refresh(), [], 'older list (seq 1) refused');
    assert.equal(state.seq, 2);
    assert.deepEqual(await r.refresh(), [], 'list from another CA refused');
    assert.equal(state.isRevoked(B), false);
    assert.deepEqual(await r.refresh(), [B]);
    assert.equal(state.seq, 3);
    assert.equal(accepted.length, 2);
    r.stop();
    r.stop();
    assert.equal(clock.timers.size, 0, 'stop clears the timer');
  });

  it('a failing fetch is survived and retried at the next tick', async () => {
    const clock = new ManualClock();
    let n = 0;
    const r = new CrlRefresher(
      {
        clock,
        log: silentLogger(),
        state: new RevocationState(),
        fetchCrl: async () => {
          n++;
          throw new Error('ECONNREFUSED');
        },
      },
      { ca, cluster: 'lab', intervalMs: 1000 },
    );
    r.start();
    clock.advance(3000);
    await new Promise((res) => setImmediate(res));
    assert.equal(n, 3);
    r.stop();
  });
});
