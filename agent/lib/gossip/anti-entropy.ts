/**
 * Push-pull anti-entropy (memberlist pushPull, reduced to fit one datagram): a PUSH-PULL
 * carries the digest of the newest notification per URI we hold, plus a sample of our
 * membership and fleet state; the receiver fetches whatever is newer and answers with its
 * own. Only the newest version per URI is ever listed, so a node that was away fetches one
 * blob per URI, never the history. The digest is capped at MAX_DIGEST entries and
 * DIGEST_BUDGET bytes; with more URIs a random subset goes each time.
 */
import { MAX_DIGEST, type DigestEntry, type Item } from './messages.ts';
import type { SwimMembership } from './swim-membership.ts';
import type { FleetStates } from './fleet-states.ts';

export const DIGEST_BUDGET = 560;
/** Members sampled into a push-pull; the Outbox stops adding items at MAX_PACKET. */
const MEMBER_SAMPLE = 64;
const STATE_SAMPLE = 4;

export function pickDigest(all: DigestEntry[], random: () => number): DigestEntry[] {
  const pool = all.slice();
  const out: DigestEntry[] = [];
  let bytes = 0;
  while (pool.length > 0 && out.length < MAX_DIGEST) {
    const e = pool.splice(Math.floor(random() * pool.length), 1)[0]!;
    const cost = Buffer.byteLength(e.uri) + 1 + 8 + 32 + 4;
    if (bytes + cost > DIGEST_BUDGET) continue;
    bytes += cost;
    out.push(e);
  }
  return out;
}

/** Items sent along with a push-pull to `target`: who we are, how we see them, a sample. */
export function syncItems(
  ms: SwimMembership,
  fleet: FleetStates,
  target: string,
  random: () => number,
): Item[] {
  const items: Item[] = [ms.selfItem()]; // (Outbox adds how we see `target` if not alive)
  const self = ms.table.selfId;
  const own = fleet.entry(self);
  if (own) items.push({ kind: 'state', record: own.record, sig: own.sig });
  for (const m of ms.table.sample(MEMBER_SAMPLE, random, 'live', target)) items.push(ms.itemFor(m));
  for (const it of fleet.sample(STATE_SAMPLE, random)) if (it.record.node !== self) items.push(it);
  return items;
}
