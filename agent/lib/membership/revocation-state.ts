/**
 * What this node knows is revoked: the newest revocation list it accepted plus every
 * revocation notice heard by gossip. Revocation is permanent: ids are only ever added.
 * A list with a lower sequence number than the current one is refused (STALE_CRL), and
 * so is a different list under the same number. Pure; listeners hear each new id once.
 */
import { MembershipError } from './errors.ts';
import type { RevocationList, RevocationNotice } from './revocation.ts';

export type RevokedListener = (nodeId: string) => void;

export class RevocationState {
  #list: RevocationList | undefined;
  readonly #ids = new Set<string>();
  readonly #listeners: RevokedListener[] = [];

  constructor(init: { list?: RevocationList; noticeIds?: readonly string[] } = {}) {
    if (init.list) this.acceptList(init.list);
    for (const id of init.noticeIds ?? []) this.#add(id);
  }

  get seq(): number {
    return this.#list?.seq ?? -1;
  }

  get list(): RevocationList | undefined {
    return this.#list;
  }

  isRevoked = (nodeId: string): boolean => this.#ids.has(nodeId);

  revokedIds(): string[] {
    return [...this.#ids].sort();
  }

  onRevoked(fn: RevokedListener): void {
    this.#listeners.push(fn);
  }

  /** Returns the ids that were not known before. Throws STALE_CRL on a rollback. */
  acceptList(l: RevocationList): string[] {
    const cur = this.#list;
    if (cur && l.seq < cur.seq)
      throw new MembershipError(
        'STALE_CRL',
        `revocation list seq ${l.seq} is older than held seq ${cur.seq}`,
      );
    if (cur && l.seq === cur.seq && !sameIds(cur.ids, l.ids))
      throw new MembershipError('STALE_CRL', `a different revocation list with the same seq ${l.seq}`);
    this.#list = l;
    return l.ids.filter((id) => this.#add(id));
  }

  /** True if the notice revoked a node not already known as revoked. */
  acceptNotice(n: RevocationNotice): boolean {
    return this.#add(n.nodeId);
  }

  #add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    for (const fn of this.#listeners) fn(id);
    return true;
  }
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  const sa = [...new Set(a)].sort();
  const sb = [...new Set(b)].sort();
  return sa.length === sb.length && sa.every((x, i) => x === sb[i]);
}
