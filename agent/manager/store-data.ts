/**
 * The version store's pure core: every change to the stored data is a function from the
 * data before to the data after (the same object when nothing changes). VersionStore
 * (store.ts) only serialises these, loads the file and writes it.
 */
import { MAX_REFUSALS, type Refusal, type StoreData, type UriRecord } from './model.ts';
import { transition, type UpdateEvent } from './update-machine.ts';

export function withUri(d: StoreData, uri: string, rec: UriRecord): StoreData {
  return { ...d, uris: { ...d.uris, [uri]: rec } };
}

/** Most recent first, at most MAX_REFUSALS kept. */
export function withRefusal(d: StoreData, r: Refusal): StoreData {
  return { ...d, refusals: [r, ...d.refusals].slice(0, MAX_REFUSALS) };
}

/** `e` applied to `uri`@`version` at `now`; the same data when it does not apply (unknown URI, stale version). */
export function withEvent(
  d: StoreData,
  uri: string,
  version: number,
  e: UpdateEvent,
  now: number,
): StoreData {
  const r = d.uris[uri];
  const next = r === undefined ? null : transition(r, version, e, now);
  return next === null ? d : withUri(d, uri, next);
}
