/**
 * Lever O, session variant: the origin's upload limit set on the daemon's whole session
 * (`speed-limit-up`) instead of on the torrent. A torrent that reaches its own limit is
 * "maxed out" and Transmission freezes its choke set (no new unchoke, no optimistic
 * unchoke); a session limit clamps the bytes but leaves the choke set turning
 * (/work/notes/transmission-levers.md §4). A bench variant: it takes the session limit
 * for itself (not with the `bandwidth` section) and serves one origin torrent at a time.
 */
import type { SwarmWatchPort } from './swarm-watch.ts';

export interface SessionPort extends SwarmWatchPort {
  setSession(fields: Record<string, number | boolean>): Promise<unknown>;
}

export function sessionScoped(tx: SessionPort): SwarmWatchPort {
  return {
    traits: () => tx.traits(),
    swarm: (hs) => tx.swarm(hs),
    setUploadLimit: (_infoHash, kBps) =>
      tx.setSession(
        kBps === null
          ? { 'speed-limit-up-enabled': false }
          : { 'speed-limit-up': kBps, 'speed-limit-up-enabled': true },
      ),
  };
}
