/**
 * A node's view of its cluster's membership, for natm and gossip: the CA and cluster it
 * trusts, what is revoked, and the byte-level entry points for revocation notices (from
 * gossip) and lists (from GET /crl). Never throws on untrusted bytes: returns a coded
 * refusal instead.
 */
import type { CertAuthority } from './certificate.ts';
import { MembershipError } from './errors.ts';
import { openRevocationList, openRevocationNotice } from './revocation.ts';
import type { RevocationState } from './revocation-state.ts';

export type Accepted = { ok: true; revoked: string[] } | { ok: false; error: MembershipError };

export class ClusterMembership {
  constructor(
    private readonly c: { revocation: RevocationState },
    readonly init: { ca: CertAuthority; cluster: string },
  ) {}

  isRevoked(nodeId: string): boolean {
    return this.c.revocation.isRevoked(nodeId);
  }

  /** A notice heard by gossip; `revoked` is empty when it was already known (do not re-gossip). */
  acceptNotice(raw: Uint8Array): Accepted {
    return guard(() => {
      const n = openRevocationNotice(raw, this.init.ca, this.init.cluster);
      return this.c.revocation.acceptNotice(n) ? [n.nodeId] : [];
    });
  }

  /** A signed list (GET /crl or a peer); refused if older than the one held (STALE_CRL). */
  acceptList(raw: Uint8Array): Accepted {
    return guard(() =>
      this.c.revocation.acceptList(openRevocationList(raw, this.init.ca, this.init.cluster)),
    );
  }
}

function guard(fn: () => string[]): Accepted {
  try {
    return { ok: true, revoked: fn() };
  } catch (e) {
    if (e instanceof MembershipError) return { ok: false, error: e };
    return { ok: false, error: new MembershipError('MALFORMED', String(e)) };
  }
}
