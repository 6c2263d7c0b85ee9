/**
 * Issue 16, item 2: locking a cluster out of an open rendezvous, with no credentials.
 * As found: 10,050 registrations from fresh keys in a junk namespace, from one address in
 * 26 s, filled `maxSessions` (the real cluster's new node got `drop_table_full`); 70
 * registrations in new namespaces filled `maxNamespaces`, and empty namespaces were never
 * removed. Here the same floods hit a rendezvous with the shipped defaults on the simulated
 * network, then a real cluster's nodes register: they must get in and find each other.
 * The same floods again from addresses that answer every challenge (so return routability
 * lets them through): the per-source quotas and fair eviction must keep the cluster in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoint } from '../../agent/lib/net/datagram.ts';
import type { SimSocket } from '../../agent/lib/simnet/sim-host.ts';
import type { RendezvousServer } from '../../agent/rendezvous/server.ts';
import { Forger } from '../natm/forger.ts';
import { SimWorld } from '../natm/sim-world.ts';

const REAL = 'c'.repeat(32);

/**
 * `n` registrations from fresh keys, `perTick` every 100 ms, to the rendezvous; namespace per
 * index; from one new address, or round-robin from the given sockets.
 */
function flood(
  w: SimWorld,
  forger: Forger,
  n: number,
  perTick: number,
  ns: (i: number) => string,
  socks: SimSocket[] = [w.net.addHost(w.publicAddress()).bind(5000)],
): number {
  const to: Endpoint = w.rdvEps[0]!;
  let bytes = 0;
  for (let i = 0; i < n; i += perTick) {
    for (let k = i; k < Math.min(n, i + perTick); k++) {
      const p = forger.packet({ t: 'register', internals: [], known: 0, children: [], ns: ns(k) });
      bytes += p.length;
      socks[k % socks.length]!.send(p, to);
    }
    w.run(100);
  }
  return bytes;
}

/** `count` attacker addresses that answer every challenge (they own their addresses). */
function provers(w: SimWorld, forger: Forger, count: number): SimSocket[] {
  return Array.from({ length: count }, () => {
    const sock = w.net.addHost(w.publicAddress()).bind(5000);
    forger.answerProbes(sock);
    return sock;
  });
}

/** Sessions per namespace, from the server's stats. */
function namespaces(r: RendezvousServer): Record<string, number> {
  const ns = (r.stats() as { namespaces: Record<string, { sessions: number }> }).namespaces;
  return Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, v.sessions]));
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

  it('10,050 registrations from one address that answers every challenge: it holds at most sessionsPerSource, its own stalest displaced', async () => {
    const w = await SimWorld.create();
    const r = w.addRendezvous({ open: true });
    const forger = await Forger.create();
    flood(w, forger, 10_050, 39, () => 'junk', provers(w, forger, 1));
    const junk = r.tableOf('junk').size();
    const joined = realClusterJoins(w, r);
    const c = r.counters;
    console.log(`# ${JSON.stringify({ joined, junk, displaced: c.get('sessions_displaced') })}`);
    assert.equal(junk, 1000, 'sessionsPerSource (shipped default 1,000)');
    assert.ok(c.get('sessions_displaced') >= 9000);
    assert.ok(joined !== null, `real cluster not in (drop_table_full ${c.get('drop_table_full')})`);
    await w.stop();
  });

  it('a full table (12 answering addresses, maxSessions 600): a real cluster gets in and the flood cannot push it out', async () => {
    const w = await SimWorld.create();
    const r = w.addRendezvous({ open: true, maxSessions: 600, sessionsPerSource: 100 });
    const forger = await Forger.create();
    const socks = provers(w, forger, 12);
    flood(w, forger, 1200, 40, (i) => `junk${i % 3}`, socks);
    assert.equal(r.stats().sessions, 600, 'the flood filled the table');
    const joined = realClusterJoins(w, r);
    flood(w, forger, 1200, 40, (i) => `junk${i % 3}`, socks); // 12 s more: refreshes and new keys
    const c = r.counters;
    const real = r.tableOf(REAL).size();
    console.log(
      `# ${JSON.stringify({ joined, real, namespaces: namespaces(r), full: c.get('drop_table_full') })}`,
    );
    assert.ok(joined !== null, `real cluster not in (drop_table_full ${c.get('drop_table_full')})`);
    assert.equal(real, 2, 'both real nodes kept while the flood goes on');
    assert.ok(c.get('drop_table_full') > 0, 'the flood is refused once sources are even');
    await w.stop();
  });

  it('every namespace taken (20 answering addresses, 4 namespaces each, maxNamespaces 64): a new cluster still gets in', async () => {
    const w = await SimWorld.create();
    const r = w.addRendezvous({ open: true, maxNamespaces: 64 });
    const forger = await Forger.create();
    const socks = provers(w, forger, 20);
    flood(w, forger, 480, 40, (i) => `junk${i % 20}-${Math.floor(i / 20) % 6}`, socks); // 6 each
    const before = Object.keys(namespaces(r)).length;
    const joined = realClusterJoins(w, r);
    const c = r.counters;
    console.log(
      `# ${JSON.stringify({ before, joined, displaced: c.get('namespaces_displaced'), perSource: c.get('drop_namespaces_per_source'), full: c.get('drop_namespaces_full') })}`,
    );
    assert.equal(before, 64, 'the flood took every namespace');
    assert.ok(c.get('drop_namespaces_per_source') > 0, 'namespacesPerSource (shipped default 4)');
    assert.ok(joined !== null, `new cluster not in (drop_namespaces_full ${c.get('drop_namespaces_full')})`);
    assert.ok(c.get('namespaces_displaced') >= 1, 'room made from the source holding the most');
    await w.stop();
  });
});
