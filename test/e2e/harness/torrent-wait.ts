/** Following a torrent in a daemon until it is complete (LAB-NOTES: percentDone 1 and nothing left). */
import type { TransmissionRpc } from './transmission-rpc.ts';

export interface TorrentState {
  readonly status: number;
  readonly percentDone: number;
  readonly leftUntilDone: number;
  readonly error: number;
  readonly errorString: string;
  readonly corruptEver: number;
  readonly peersConnected: number;
}

const FIELDS = [
  'status',
  'percentDone',
  'leftUntilDone',
  'error',
  'errorString',
  'corruptEver',
  'peersConnected',
];

export async function torrentState(rpc: TransmissionRpc, hash: string): Promise<TorrentState | null> {
  const r = await rpc.call<{ torrents: TorrentState[] }>('torrent-get', { ids: [hash], fields: FIELDS });
  return r.torrents[0] ?? null;
}

/** Resolves with the final state when complete; throws with the last state after timeoutMs. */
export async function waitComplete(
  rpc: TransmissionRpc,
  hash: string,
  timeoutMs: number,
  onProgress?: (s: TorrentState) => void,
): Promise<TorrentState> {
  const deadline = Date.now() + timeoutMs;
  let last: TorrentState | null = null;
  while (Date.now() < deadline) {
    last = await torrentState(rpc, hash);
    if (last) onProgress?.(last);
    if (last && last.percentDone === 1 && last.leftUntilDone === 0) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`torrent ${hash} not complete after ${timeoutMs} ms: ${JSON.stringify(last)}`);
}
