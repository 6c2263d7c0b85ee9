/**
 * The one call natm's process wiring (agent/natm/main.ts) needs to put certificates
 * under its OverlayLink: load the node's enrolled identity from its state dir and wrap
 * the NatmNode in a SecureOverlay. natm's `id` must be the certificate's node id.
 *   const { overlay } = await secureOverlayFromDir(node, cfg.identityDir, systemClock);
 * Revocation notices from gossip go to `membership.acceptNotice`; a newer crl.bin (from
 * `p2p-update enroll --refresh-crl`) to `membership.acceptList`.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../lib/common/clock.ts';
import type { OverlayLink } from '../../lib/net/overlay-link.ts';
import { SecureOverlay } from '../../lib/membership/secure-overlay.ts';
import { loadNodeIdentity, type NodeIdentity } from '../../lib/enrollment/node-identity.ts';

export async function secureOverlayFromDir(
  link: OverlayLink,
  dir: string,
  clock: Pick<Clock, 'now'>,
): Promise<NodeIdentity & { overlay: SecureOverlay }> {
  const id = await loadNodeIdentity(dir, clock.now());
  const overlay = new SecureOverlay(
    { link, clock, random: (n) => new Uint8Array(randomBytes(n)), revocation: id.revocation },
    { identity: id.identity, ...id.membership.init, signKey: id.signKey },
  );
  return { ...id, overlay };
}
