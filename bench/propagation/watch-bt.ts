/**
 * Follows every daemon of a BitTorrent-only run after publish: polls torrent-get on each
 * node every `everyMs` and feeds its Timeline, until all are done or the time is up.
 * Also records when the origin finished checking its copy and first uploaded a byte.
 */
import type { TransmissionRpc } from '../../test/e2e/harness/transmission-rpc.ts';
import { Timeline } from './timeline.ts';

interface TorrentRow {
  readonly percentDone: number;
  readonly leftUntilDone: number;
  readonly haveValid: number;
  readonly downloadedEver: number;
  readonly uploadedEver: number;
  readonly corruptEver: number;
  readonly sizeWhenDone: number;
}

const FIELDS = [
  'percentDone',
  'leftUntilDone',
  'haveValid',
  'downloadedEver',
  'uploadedEver',
  'corruptEver',
  'sizeWhenDone',
];

async function row(rpc: TransmissionRpc, hash: string): Promise<TorrentRow | null> {
  const r = await rpc.call<{ torrents: TorrentRow[] }>('torrent-get', { ids: [hash], fields: FIELDS });
  return r.torrents[0] ?? null;
}

export interface BtWatch {
  readonly timelines: Map<string, Timeline>;
  readonly corrupt: Map<string, number>;
  readonly originSeedingS: number | null;
  readonly originFirstUploadS: number | null;
  /** The origin daemon's own count of payload bytes it uploaded. */
  readonly originUploadedBytes: number;
  /** Seconds after publish each node was deployed (only with `deployed`). */
  readonly deployedS: Map<string, number>;
}

export async function watchBt(
  nodes: ReadonlyMap<string, TransmissionRpc>,
  origin: TransmissionRpc,
  infoHash: string,
  t0: number,
  opts: {
    timeoutMs: number;
    everyMs?: number;
    onTick?: (done: number) => void;
    /** When given, a node is finished once this says it deployed (not when its download is). */
    deployed?: (name: string) => boolean;
  },
): Promise<BtWatch> {
  const timelines = new Map([...nodes.keys()].map((n) => [n, new Timeline()]));
  const corrupt = new Map<string, number>();
  let originSeedingS: number | null = null;
  let originFirstUploadS: number | null = null;
  let originUploadedBytes = 0;
  const deployedS = new Map<string, number>();
  const isDeployed = opts.deployed;
  const now = () => (Date.now() - t0) / 1000;
  while (Date.now() - t0 < opts.timeoutMs) {
    await Promise.all(
      [...nodes].map(async ([name, rpc]) => {
        const tl = timelines.get(name)!;
        if (tl.done) return;
        const r = await row(rpc, infoHash).catch(() => null);
        if (!r) return;
        corrupt.set(name, r.corruptEver);
        const done = r.percentDone === 1 && r.leftUntilDone === 0;
        tl.observe({ t: now(), downloaded: r.downloadedEver, have: r.haveValid, size: r.sizeWhenDone, done });
      }),
    );
    const o = await row(origin, infoHash).catch(() => null);
    if (o) {
      if (originSeedingS === null && o.percentDone === 1) originSeedingS = now();
      if (originFirstUploadS === null && o.uploadedEver > 0) originFirstUploadS = now();
      originUploadedBytes = o.uploadedEver;
    }
    if (isDeployed)
      for (const n of nodes.keys()) if (!deployedS.has(n) && isDeployed(n)) deployedS.set(n, now());
    const done = isDeployed ? deployedS.size : [...timelines.values()].filter((t) => t.done).length;
    opts.onTick?.(done);
    if (done === timelines.size) break;
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 500));
  }
  const o = await row(origin, infoHash).catch(() => null);
  if (o) originUploadedBytes = o.uploadedEver;
  return { timelines, corrupt, originSeedingS, originFirstUploadS, originUploadedBytes, deployedS };
}
