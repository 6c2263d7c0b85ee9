/**
 * Gossip inside the natm process (agent/natm/main.ts, STYLE.md rule 3):
 *
 *   const gossip = attachGossip(node, ipc, { logger });   // node: NatmNode (an OverlayLink)
 *   stats: () => ({ ...node.stats(), members: gossip.members().members })
 *   on stop: gossip.stop()
 *
 * `ipc` is natm's IpcServer (optional): notifications go up, relay/verdict/state/hello come down;
 * natm's main.ts also lets it answer `members` with `members()`.
 */
import { systemClock, type Clock } from '../common/clock.ts';
import type { Logger } from '../common/logger.ts';
import type { GossipInit } from './config.ts';
import { GossipNode } from './gossip-node.ts';
import { bridgeIpc, type IpcLike } from './ipc-bridge.ts';
import { membersReply, type MembersAnswer } from './members-ipc.ts';
import type { OverlayLink } from './overlay-link.ts';
import type { RecordAuth } from './record-auth.ts';
import type { RevocationSink } from './revocations.ts';

export interface AttachedGossip {
  readonly node: GossipNode;
  members(): MembersAnswer;
  stop(): void;
}

export function attachGossip(
  link: OverlayLink,
  ipc: IpcLike | undefined,
  o: {
    logger: Logger;
    clock?: Clock;
    random?: () => number;
    init?: Partial<GossipInit>;
    revocations?: RevocationSink;
    /** With certificates: signs and checks state records (SecureOverlay.records). */
    records?: RecordAuth;
  },
): AttachedGossip {
  const clock = o.clock ?? systemClock;
  const { logger, revocations, records } = o;
  const random = o.random ?? Math.random;
  const node = new GossipNode({ link, clock, random, logger, revocations, records }, o.init);
  const bridge = ipc ? bridgeIpc(node, ipc) : undefined;
  node.start();
  return {
    node,
    members: () => membersReply(node, clock.now()),
    stop: () => {
      bridge?.stop();
      node.stop();
    },
  };
}
