/**
 * Reading a torrent-get answer, pure (Transmission 3.00 and 4.1 answer these fields
 * alike: the suite runs on both). Done means percentDone 1 and nothing left, and not
 * (re)checking local data.
 */
export const PROGRESS_FIELDS = [
  'hashString',
  'percentDone',
  'leftUntilDone',
  'status',
  'error',
  'errorString',
  'corruptEver',
  'uploadedEver',
  'trackers',
  'downloadDir',
  'rateDownload',
] as const;

export interface TorrentProgress {
  readonly hashString: string;
  readonly percentDone: number;
  readonly leftUntilDone: number;
  /** 0 stopped, 1 check-wait, 2 checking, 3 download-wait, 4 downloading, 5 seed-wait, 6 seeding */
  readonly status: number;
  /** 0 ok, 1 tracker warning, 2 tracker error, 3 local error */
  readonly error: number;
  readonly errorString: string;
  readonly corruptEver: number;
  readonly uploadedEver: number;
  readonly trackers: readonly { readonly announce: string; readonly id: number }[];
  /** Where the daemon keeps the torrent's data (absent if the daemon did not say). */
  readonly downloadDir?: string;
  /** Bytes/s the torrent receives now (absent if the daemon did not say). */
  readonly rateDownload?: number;
}

export const STATUS = { stopped: 0, checkWait: 1, checking: 2, seeding: 6 } as const;

export function isComplete(t: TorrentProgress): boolean {
  const checking = t.status === STATUS.checkWait || t.status === STATUS.checking;
  return t.percentDone >= 1 && t.leftUntilDone === 0 && !checking;
}

/** Only a local error (3) stops a torrent; tracker warnings and errors do not. */
export function localError(t: TorrentProgress): string | null {
  return t.error === 3 ? t.errorString || 'local error' : null;
}

export function asProgress(v: unknown): TorrentProgress | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const nums = ['percentDone', 'leftUntilDone', 'status', 'error', 'corruptEver', 'uploadedEver'];
  if (typeof o['hashString'] !== 'string' || nums.some((k) => typeof o[k] !== 'number')) return null;
  return {
    ...(o as unknown as TorrentProgress),
    errorString: typeof o['errorString'] === 'string' ? o['errorString'] : '',
    trackers: Array.isArray(o['trackers']) ? (o['trackers'] as TorrentProgress['trackers']) : [],
    ...(typeof o['downloadDir'] === 'string' ? { downloadDir: o['downloadDir'] } : {}),
    ...(typeof o['rateDownload'] === 'number' ? { rateDownload: o['rateDownload'] } : {}),
  };
}
