/**
 * The live part of the demo: Figure 2 of the paper built in network namespaces on this
 * machine. With the agents in this build it tells the whole story (fig2-story.ts);
 * without them, the BitTorrent layer only, clearly labelled. Not root: one line saying so.
 */
import { Topology } from '../../test/e2e/harness/topology.ts';
import { Narrator } from './narrator.ts';
import { missingAgentCommands, topologyBlocker } from './preflight.ts';
import { swarmStory } from './swarm-story.ts';

export async function liveDemo(say = new Narrator()): Promise<void> {
  const blocker = topologyBlocker();
  if (blocker) {
    console.log(`\nlive demo skipped: ${blocker}`);
    return;
  }
  say.step('Figure 2 of the paper, live: network namespaces on this machine');
  say.say('public segment 198.18.0.0/24: rendezvous 198.18.0.3, node 1 198.18.0.11');
  say.say('node 2 10.1.0.2 behind a NAT router (masquerade, port-restricted cone)');
  say.say('nodes 3, 4 on 10.2.0.0/24 behind a firewall: no inbound but one UDP port to node 3;');
  say.say('node 4 has no way out at all and reaches the overlay only through node 3');
  const topo = await Topology.create({ prefix: 'p2pe-d-', log: (l) => say.say(l) });
  let ok = false;
  try {
    const missing = missingAgentCommands();
    if (missing.length === 0) {
      const { fig2Story } = await import('./fig2-story.ts');
      await fig2Story(topo, say);
    } else {
      say.say(`(agents not in this build yet: ${missing.join(', ')}; showing the BitTorrent layer only)`);
      await swarmStory(topo, say);
    }
    ok = true;
  } finally {
    await topo.destroy({ keepFiles: !ok });
    say.say(ok ? 'topology torn down' : `topology torn down; files kept in ${topo.runDir}`);
  }
}
