/**
 * Setting a node's own tracker URL on a torrent-file++ (spec §Announce). Announce keys
 * sit outside the info dict and the signed info, so the infohash and the signature are
 * unchanged; the result is re-parsed to prove it.
 */
import { decodeStrict, encode, isDict } from './bencode-strict.ts';
import type { TorrentPlusPlus } from './model.ts';
import { parseTorrentPlusPlus } from './parse.ts';

export function withAnnounce(t: TorrentPlusPlus, announce: string | undefined): TorrentPlusPlus {
  const top = decodeStrict(t.raw);
  if (!isDict(top)) throw new Error('unreachable: parsed torrent is not a dict');
  delete top['announce-list'];
  if (announce === undefined) delete top['announce'];
  else top['announce'] = Buffer.from(announce, 'utf8');
  return parseTorrentPlusPlus(encode(top));
}
