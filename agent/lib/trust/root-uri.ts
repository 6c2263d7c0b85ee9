/**
 * Root chains travel the overlay like updates (docs/adr/0003-root-of-trust.md §Spreading):
 * natm relays and stores them under this URI and the newest root's version. The scheme is
 * reserved: no update may use it, so no update can stand in for a root chain in a node's
 * store of notifications, or the other way round.
 */
export const ROOT_URI = 'p2p-update:root';

export function isReservedUri(uri: string): boolean {
  return uri.toLowerCase().startsWith('p2p-update:');
}
