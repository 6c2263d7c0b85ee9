/**
 * Reads what `transmission-show FILE` prints, by meaning rather than one version's layout:
 * 3.00 says `Hash: …` and `700.0 kB`, 4.1 says `Hash v1: …` and `700 kB`. Sections are
 * upper-case header lines; GENERAL holds `Key: value` lines, FILES holds `path (size)`.
 * A size keeps its printed precision, so a test can ask whether it shows a byte count.
 */

export interface ShownSize {
  readonly bytes: number;
  /** Half a unit of the last printed digit: the rounding the display allows. */
  readonly slack: number;
}

export interface ShownTorrent {
  /** GENERAL's `Key: value` lines, keys lower-cased. */
  readonly general: ReadonlyMap<string, string>;
  /** The v1 (SHA-1) info-hash, lower-case hex. */
  readonly infoHash: string;
  readonly privacy: 'private' | 'public';
  readonly totalSize: ShownSize;
  readonly files: readonly { readonly path: string; readonly size: ShownSize }[];
}

const UNITS: Record<string, number> = {
  B: 1,
  bytes: 1,
  byte: 1,
  kB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};

/** "700.0 kB", "700 kB", "16.00 KiB", "12 bytes". */
export function parseShownSize(text: string): ShownSize {
  const m = /^(\d+)(?:\.(\d+))? ?([A-Za-z]+)$/.exec(text.trim());
  const unit = m ? UNITS[m[3]!] : undefined;
  if (!m || unit === undefined) throw new Error(`transmission-show: not a size: "${text}"`);
  const decimals = m[2]?.length ?? 0;
  return { bytes: Number(`${m[1]}.${m[2] ?? '0'}`) * unit, slack: (unit * 0.5) / 10 ** decimals };
}

/** True when `size` is how `bytes` displays (within the printed rounding). */
export function showsBytes(size: ShownSize, bytes: number): boolean {
  return Math.abs(size.bytes - bytes) <= size.slack;
}

export function parseTransmissionShow(text: string): ShownTorrent {
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of text.split('\n')) {
    if (/^[A-Z][A-Z ]*$/.test(line)) sections.set(line, (current = []));
    else if (current && line.trim() !== '') current.push(line.trim());
  }
  const general = new Map<string, string>();
  for (const line of sections.get('GENERAL') ?? []) {
    const i = line.indexOf(': ');
    if (i > 0) general.set(line.slice(0, i).toLowerCase(), line.slice(i + 2));
  }
  // 4.x names the v1 hash "Hash v1" (and a v2 one "Hash v2"); 3.00 has only "Hash".
  const infoHash = (general.get('hash v1') ?? general.get('hash') ?? '').toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(infoHash)) throw new Error('transmission-show: no v1 info-hash line');
  const privacy = general.get('privacy')?.toLowerCase() ?? '';
  if (!/^(private|public) torrent$/.test(privacy)) throw new Error(`transmission-show: privacy "${privacy}"`);
  const total = general.get('total size');
  if (total === undefined) throw new Error('transmission-show: no total size');
  const files = (sections.get('FILES') ?? []).map((line) => {
    const m = /^(.+) \(([^()]+)\)$/.exec(line);
    if (!m) throw new Error(`transmission-show: not a file line: "${line}"`);
    return { path: m[1]!, size: parseShownSize(m[2]!) };
  });
  return {
    general,
    infoHash,
    privacy: privacy.startsWith('private') ? 'private' : 'public',
    totalSize: parseShownSize(total),
    files,
  };
}
