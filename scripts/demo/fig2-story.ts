/** The full Figure 2 story (needs manager, natm and rendezvous): written once they land. */
import type { Topology } from '../../test/e2e/harness/topology.ts';
import type { Narrator } from './narrator.ts';

export async function fig2Story(_topo: Topology, _say: Narrator): Promise<void> {
  throw new Error('fig2Story: not written yet');
}
