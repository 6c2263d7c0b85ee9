/**
 * The manager's own tiny torrent, pure: starting any stopped torrent makes Transmission
 * run its choke/interest pass over every running torrent at once (3.00) or within
 * 100 ms (4.1), instead of on its 10 s timer (levers memo §1). This torrent exists only
 * to be started: private (BEP 27) and without trackers, so it never announces, is never
 * found by DHT/PEX/LPD, and its data (a few random bytes, so that every node's
 * info-hash differs) stays local.
 */
import { createHash } from 'node:crypto';
import { encode } from '../metainfo/bencode-strict.ts';

export const TINY_NAME = 'p2p-update-rechoke';
export const TINY_LABEL = 'p2p-update-internal';
export const TINY_BYTES = 20;

export interface TinyTorrent {
  readonly metainfo: Uint8Array;
  readonly infoHash: string;
  readonly data: Uint8Array;
}

/** Builds the torrent for `data` (TINY_BYTES bytes, one piece). */
export function tinyTorrent(data: Uint8Array): TinyTorrent {
  if (data.length !== TINY_BYTES) throw new RangeError(`tiny torrent data must be ${TINY_BYTES} bytes`);
  const info = {
    length: data.length,
    name: Buffer.from(TINY_NAME),
    'piece length': 16384,
    pieces: createHash('sha1').update(data).digest(),
    private: 1,
  };
  const infoBytes = encode(info);
  return {
    metainfo: encode({ info }),
    infoHash: createHash('sha1').update(infoBytes).digest('hex'),
    data,
  };
}
