/**
 * Issue 16, item 2: locking a cluster out of an open rendezvous, with no credentials.
 * As found: 10,050 registrations from fresh keys in a junk namespace, from one address in
 * 26 s, filled `maxSessions` (the real cluster's new node got `drop_table_full`); 70
 * registrations in new namespaces filled `maxNamespaces`, and empty namespaces were never
 * removed. Here the same floods hit a rendezvous with the shipped defaults on the simulated
 * network, then a real cluster's nodes register: they must get in and find each other.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoint } from '../../agent/lib/net/datagram.ts';
import type { RendezvousServer } from '../../agent/rendezvous/server.ts';
import { Forger } from '../natm/forger.ts';
import { SimWorld } from '../natm/sim-world.ts';

const REAL = 'c'.repeat(32);

/** `n` registrations from fresh keys, `perTick` every 100 ms, from `from` to the rendezvous; namespace per index. */
function flood(w: SimWorld, forger: Forger, n: number, perTick: number, ns: (i: number) => string): number {
  const sock = w.net.addHost(w.publicAddress()).bind(5000);
  const to: Endpoint = w.rdvEps[0]!;
  let bytes = 0;
  for (let i = 0; i < n; i += perTick) {
    for (let k = i; k < Math.min(n, i + perTick); k++) {
      const p = forger.packet({ t: 'register', internals: [], known: 0, children: [], ns: ns(k) });
      bytes += p.length;
      sock.send(p, to);
    }
    w.run(100);
  }
  return bytes;
}

/** Two nodes of a real cluster start; seconds until each lists the other (null: not within 30 s). */
function realClusterJoins(w: SimWorld, r: RendezvousServer): number | null {
  const a = w.addOpenNode('port-restricted', REAL);
  const b = w.addOpenNode('open', REAL);
  for (let s = 1; s <= 30; s++) {
    w.run(1000);
    if (a.peer(b.selfId) && b.peer(a.selfId) && r.tableOf(REAL).size() === 2) return s;
  }
  return null;
}

describe('open rendezvous lock-out (shipped defaults)', () => {
  it('10,050 registrations from fresh keys in a junk namespace, one address, 26 s: a real cluster still gets in', async () => {
    const w = await SimWorld.create();
    const r = w.addRendezvous({ open: true });
    const forger = await Forger.create();
    const bytes = flood(w, forger, 10_050, 39, () => 'junk');
    const joined = realClusterJoins(w, r);
    const c = r.counters;
    console.log(
      `# ${JSON.stringify({ bytes, joined, junkSessions: r.tableOf('junk').size(), tableFull: c.get('drop_table_full') })}`,
    );
    assert.ok(joined !== null, `real cluster not in (drop_table_full ${c.get('drop_table_full')})`);
    await w.stop();
  });

  it('70 registrations in 70 new namespaces: a new cluster still gets in', async () => {
    const w = await SimWorld.create();
    const r = w.addRendezvous({ open: true });
    const forger = await Forger.create();
    flood(w, forger, 70, 10, (i) => `junk${i}`);
    const joined = realClusterJoins(w, r);
    console.log(`# ${JSON.stringify({ joined, namespacesFull: r.counters.get('drop_namespaces_full') })}`);
    assert.ok(
      joined !== null,
      `new cluster not in (drop_namespaces_full ${r.counters.get('drop_namespaces_full')})`,
    );
    await w.stop();
  });

  it('namespaces whose sessions all expired are removed', async () => {
    const w = await SimWorld.create();
    const r = w.addRendezvous({ open: true });
    const forger = await Forger.create();
    flood(w, forger, 70, 10, (i) => `junk${i}`);
    w.run(130_000); // > 2 × sessionTtlMs: every junk session expired
    const spaces = Object.keys((r.stats() as { namespaces: object }).namespaces);
    assert.deepEqual(spaces, [], 'no empty namespace is kept');
    await w.stop();
  });
});
