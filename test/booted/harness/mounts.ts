/** What /proc/mounts says about the harness's directories (read fresh on every call). */
import { readFileSync } from 'node:fs';

interface MountEntry {
  readonly target: string;
  readonly options: string;
}

function mounts(): MountEntry[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' '))
    .map((f) => ({ target: unescape(f[1] ?? ''), options: f[3] ?? '' }));
}

/** /proc/mounts escapes space, tab, newline and backslash as octal. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Mount points at `dir` or below it, deepest first (the order to unmount them in). */
export function mountedUnder(dir: string): string[] {
  return mounts()
    .map((m) => m.target)
    .filter((t) => t === dir || t.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** True while an overlay uses `dir` as (one of) its lower layers. */
export function isLowerLayer(dir: string): boolean {
  return mounts().some((m) => m.options.split(',').some((o) => o === `lowerdir=${dir}`));
}
