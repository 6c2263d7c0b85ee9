/**
 * The revocation notices a node holds, for gossip (agent/lib/gossip/revocations.ts): checks
 * each heard notice against the CA and cluster (ClusterMembership.acceptNotice), keeps the raw
 * bytes of the valid ones for anti-entropy and persistence, and tells listeners about
 * newly revoked ids (RevocationState, which also makes SecureLinks drop their sessions).
 * Bounded: at most `maxNotices` notices are kept (a revocation beyond that still takes
 * effect; it is just not re-sent by anti-entropy). Never throws on untrusted bytes.
 */
import type { ClusterMembership } from './cluster-membership.ts';
import type { RevocationState } from './revocation-state.ts';

export const MAX_NOTICES = 4096;

export class RevocationBook {
  readonly #notices = new Map<string, Uint8Array>();
  readonly #added: Array<(nodeId: string, notice: Uint8Array) => void> = [];
  readonly counters = { accepted: 0, known: 0, refused: 0 };

  constructor(
    private readonly c: { membership: ClusterMembership; revocation: RevocationState },
    private readonly init: { maxNotices?: number } = {},
  ) {}

  accept(notice: Uint8Array): string[] | null {
    const r = this.c.membership.acceptNotice(notice);
    if (!r.ok) {
      this.counters.refused++;
      return null;
    }
    if (r.revoked.length === 0) this.counters.known++;
    for (const id of r.revoked) {
      this.counters.accepted++;
      if (this.#notices.size < (this.init.maxNotices ?? MAX_NOTICES)) this.#notices.set(id, notice.slice());
      for (const fn of this.#added) fn(id, notice);
    }
    return r.revoked;
  }

  isRevoked = (nodeId: string): boolean => this.c.revocation.isRevoked(nodeId);

  notices(): readonly Uint8Array[] {
    return [...this.#notices.values()];
  }

  onRevoked(fn: (nodeId: string) => void): void {
    this.c.revocation.onRevoked(fn);
  }

  /** A valid notice that revoked a node new to us (e.g. to write it to the notices dir). */
  onNotice(fn: (nodeId: string, notice: Uint8Array) => void): void {
    this.#added.push(fn);
  }
}
