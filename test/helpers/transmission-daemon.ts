/**
 * Which transmission-daemon is installed, and how to ask it for a log level. 3.00
 * (Debian 12) knows only --log-error / --log-info / --log-debug and prints its usage for
 * --log-level; 4.x (Debian 13) has --log-level=… and calls the old flags deprecated.
 * The settings key `message-level` is no way round it: its numbers changed meaning
 * (2 is info in 3.00, error in 4.x).
 */
import { spawnSync } from 'node:child_process';

export interface DaemonVersion {
  readonly major: number;
  readonly minor: number;
}

export type LogLevel = 'error' | 'info' | 'debug';

/** "transmission-daemon 3.00 (bb6b5a062e)", "transmission-daemon 4.1.0-beta.2 (ac5c9e082d)". */
export function parseDaemonVersion(text: string): DaemonVersion {
  const m = /\btransmission(?:-daemon)? (\d+)\.(\d+)/i.exec(text);
  if (!m) throw new Error(`transmission-daemon --version: no version in "${text.trim().slice(0, 200)}"`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

export function logLevelArgs(level: LogLevel, v: DaemonVersion): string[] {
  return v.major >= 4 ? [`--log-level=${level}`] : [`--log-${level}`];
}

let installed: DaemonVersion | undefined;

/** The installed daemon's version (3.00 prints it on stderr, so both streams are read). */
export function installedDaemonVersion(): DaemonVersion {
  if (installed) return installed;
  const r = spawnSync('transmission-daemon', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw r.error;
  installed = parseDaemonVersion(`${r.stdout}\n${r.stderr}`);
  return installed;
}

/** The flag that sets `level` on the installed daemon. */
export function daemonLogArgs(level: LogLevel): string[] {
  return logLevelArgs(level, installedDaemonVersion());
}
