/** One dissemination run on 1,000 simulated nodes, shared by the spread-*.test.ts files. */
import { retransmitLimit } from '../../agent/lib/gossip/broadcast-queue.ts';
import { SimCluster } from '../../agent/lib/gossip/sim/cluster.ts';
import { mean, measureSpread, resetCounters, type Spread } from './sim-helpers.ts';

export interface SpreadResult extends Spread {
  n: number;
  loss: number;
  size: number;
  limit: number;
  /** Per node, during the spread: every message, gossip packets, fetch requests. */
  sentMean: number;
  sentMax: number;
  gossipMax: number;
  pingReqMax: number;
  fetchMean: number;
  offered: number;
  ticks: number;
  probes: number;
}

export function spreadRun(n: number, loss: number, size = 10_000, seed = 1): SpreadResult {
  const c = new SimCluster({ n, seed, net: { loss } });
  c.clock.advance(3000); // let the start-up "alive" broadcasts settle
  resetCounters(c);
  const id = c.publish('n0', 'app://fw', 1, size);
  const s = measureSpread(c, id, c.ids, 120_000);
  const g = c.node('n1').init;
  const nodes = [...c.nodes.values()];
  const res: SpreadResult = {
    n,
    loss,
    size,
    ...s,
    limit: retransmitLimit(g.retransmitMult, n),
    sentMean: mean(c.sentPerNode()),
    sentMax: Math.max(...c.sentPerNode()),
    gossipMax: Math.max(...nodes.map((x) => x.out.sent.gossip)),
    pingReqMax: Math.max(...nodes.map((x) => x.out.sent['ping-req'])),
    fetchMean: mean(nodes.slice(1).map((x) => x.out.sent.fetch)),
    offered: c.offered.get(id) ?? 0,
    ticks: Math.ceil(s.t100 / g.gossipIntervalMs) + 1,
    probes: Math.ceil(s.t100 / g.probeIntervalMs) + 1,
  };
  c.stop();
  console.log(
    `spread N=${n} loss=${loss * 100}%: rounds to 99% ${s.rounds99} (${s.t99} ms), to 100% ${s.rounds100} (${s.t100} ms); ` +
      `messages sent per node mean ${res.sentMean.toFixed(1)} max ${res.sentMax}; fetch requests per node ${res.fetchMean.toFixed(1)}`,
  );
  return res;
}
