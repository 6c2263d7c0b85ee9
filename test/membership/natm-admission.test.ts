/**
 * Issue 16, item 1: peer book exhaustion in open mode, by an outsider with no credentials.
 * The attack as found: 1,100 signed `probe` packets from fresh self-made keys (164 KB) to a
 * node filled its peer book (1,024 entries), so a genuine enrolled node could not become a
 * member for ~200 s, and ~7 packets/s kept it full. Here, on the simulated network, the
 * same flood (from one address, and from spoofed addresses), then a genuine node joins:
 * it must become a proven member of the victim (and the victim of it) within 20 s while
 * the flood goes on. Then from attackers that own their addresses (they answer every probe,
 * so return routability lets them in): the per-source quota and fair eviction must still
 * let the genuine node in, and once its certificate is proven the flood cannot evict it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import type { Endpoint } from '../../agent/lib/net/datagram.ts';
import { SimWorld } from '../natm/sim-world.ts';
import { Forger } from '../natm/forger.ts';
import { makeCa, makeNode } from './fixtures.ts';
import { addMember } from './sim-member.ts';

interface Outcome {
  /** Simulated seconds from the genuine node's start until both sides hold a proven session. */
  joinedAfterS: number | null;
  victimPeers: number;
  floodBytes: number;
}

/**
 * `first` probes at 550/s, then `keep` per second until the end (the genuine node starts a
 * second after the burst); from one public address, or each from a made-up source address
 * (delivered straight to the victim's socket).
 */
async function attack(
  first: number,
  keep: number,
  spoofed: boolean | number,
  limitS = 300,
): Promise<Outcome & { after?: Record<string, unknown> }> {
  await membershipReady();
  const ca = await makeCa('plant');
  const w = await SimWorld.create({ delayMs: 10 });
  const t0 = w.clock.now();
  w.addRendezvous({ open: true });
  const victim = addMember(w, ca, await makeNode(ca), t0);
  w.run(3000);
  const forger = await Forger.create();
  const attacker = w.net.addHost(w.publicAddress()).bind(5000);
  // `spoofed` a number: that many attacker addresses that answer every probe.
  const provers = Array.from({ length: typeof spoofed === 'number' ? spoofed : 0 }, () => {
    const sock = w.net.addHost(w.publicAddress()).bind(5000);
    forger.answerProbes(sock);
    return sock;
  });
  const victimEp: Endpoint = { address: victim.host.address, port: 4000 };
  const victimSock = victim.host.socket(4000)!;
  let floodBytes = 0;
  let n = 0;
  const probe = () => {
    const p = forger.packet({ t: 'probe', token: 0, ack: false, echo: 0 });
    floodBytes += p.length;
    n++;
    if (provers.length) provers[n % provers.length]!.send(p, victimEp);
    else if (spoofed)
      victimSock.receive(p, { address: `198.19.${(n >> 8) & 255}.${n & 255}`, port: 4000 + (n % 50) });
    else attacker.send(p, victimEp);
  };
  for (let sent = 0; sent < first; sent += 55) {
    for (let k = 0; k < 55 && sent + k < first; k++) probe();
    w.run(100);
  }
  const keepTimer = keep > 0 ? w.clock.setInterval(probe, 1000 / keep) : undefined;
  w.run(1000);
  const genuine = addMember(w, ca, await makeNode(ca), t0, 'nat');
  let joinedAfterS: number | null = null;
  for (let s = 1; s <= limitS && joinedAfterS === null; s++) {
    w.run(1000);
    if (victim.overlay.isProven(genuine.node.nodeId) && genuine.overlay.isProven(victim.node.nodeId))
      joinedAfterS = s;
  }
  // The flood goes on for a minute: a proven member is never evicted by unproven peers.
  if (joinedAfterS !== null && provers.length) w.run(60_000);
  keepTimer?.cancel();
  const kept =
    victim.natm.book.get(genuine.node.nodeId) !== undefined && victim.overlay.isProven(genuine.node.nodeId);
  const c = victim.natm.counters;
  const bySource = new Map<string, number>();
  for (const peer of victim.natm.book.all()) bySource.set(peer.source, (bySource.get(peer.source) ?? 0) + 1);
  const after = { kept, evicted: c.get('peers_evicted'), mostPerSource: Math.max(...bySource.values()) };
  const out = { joinedAfterS, victimPeers: victim.natm.book.size, floodBytes, after };
  await w.stop();
  return out;
}

describe('peer book exhaustion by fresh keys (open mode, no credentials)', () => {
  it('1,100 probes from one address, then silence: the genuine node does not wait for entries to age out', async () => {
    const r = await attack(1100, 0, false);
    console.log(`# one address, then silence: ${JSON.stringify(r)}`);
    assert.ok(r.joinedAfterS !== null && r.joinedAfterS <= 20, `joined after ${r.joinedAfterS} s`);
  });

  it('1,100 probes, then 100/s from one address (15 KB/s): a genuine node becomes a member within 20 s', async () => {
    const r = await attack(1100, 100, false);
    console.log(`# one address, then 100/s: ${JSON.stringify(r)}`);
    assert.ok(r.joinedAfterS !== null && r.joinedAfterS <= 20, `joined after ${r.joinedAfterS} s`);
  });

  it('1,100 probes, then 100/s, each from another spoofed address: a genuine node becomes a member within 20 s', async () => {
    const r = await attack(1100, 100, true);
    console.log(`# spoofed addresses, then 100/s: ${JSON.stringify(r)}`);
    assert.ok(r.joinedAfterS !== null && r.joinedAfterS <= 20, `joined after ${r.joinedAfterS} s`);
  });

  it('2,400 probes from 64 addresses that answer every probe (book full), then 100/s: the genuine node gets in and is never evicted', async () => {
    const r = await attack(2400, 100, 64, 20);
    console.log(`# 64 answering addresses, then 100/s: ${JSON.stringify(r)}`);
    assert.equal(r.victimPeers, 1024, 'the flood filled the book (maxPeers 1,024)');
    assert.ok(r.joinedAfterS !== null && r.joinedAfterS <= 20, `joined after ${r.joinedAfterS} s`);
    assert.ok(r.after?.['kept'], 'the genuine member stays in the book while the flood goes on');
    assert.ok(Number(r.after?.['mostPerSource']) <= 32, 'unprovenPerSource (shipped default 32)');
    assert.ok(Number(r.after?.['evicted']) > 0);
  });
});
