/**
 * Option values of `p2p-update root` (plain parsers, so commander can use them as they are):
 * version rules "PREFIX=jump:N,max:N,ahead:DURATION" and the default rule.
 */
import { UsageError } from '../agent/lib/common/errors.ts';
import type { VersionRule } from '../agent/lib/trust/model.ts';

/** For a root made without --rule: any URI at most 1,000 versions ahead, never above 2^32 − 1. */
export const DEFAULT_RULES: readonly VersionRule[] = [{ prefix: '', maxJump: 1000, maxVersion: 2 ** 32 - 1 }];

const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

function count(text: string, what: string, rule: string): number {
  const m = /^(\d{1,15})([smhd]?)$/.exec(text);
  if (!m || (what !== 'ahead' && m[2] !== ''))
    throw new UsageError(
      `--rule "${rule}": ${what} expects ${what === 'ahead' ? 'seconds or 30s/15m/12h/2d' : 'an integer'}, got "${text}"`,
    );
  const n = Number(m[1]) * UNIT_S[m[2] || 's']!;
  if (!Number.isSafeInteger(n)) throw new UsageError(`--rule "${rule}": ${what} is too large`);
  return n;
}

/** "app:/opt/=jump:10,max:100000" or "time:=ahead:1d" ("=jump:1000" for every URI). */
export function parseRule(text: string): VersionRule {
  const at = text.lastIndexOf('=');
  if (at < 0) throw new UsageError(`--rule "${text}": expected PREFIX=jump:N,max:N,ahead:DURATION`);
  const prefix = text.slice(0, at);
  const rule: { prefix: string; maxJump?: number; maxVersion?: number; maxAheadS?: number } = { prefix };
  for (const part of text.slice(at + 1).split(',')) {
    const [what, value = ''] = part.split(':');
    if (what === 'jump') rule.maxJump = count(value, what, text);
    else if (what === 'max') rule.maxVersion = count(value, what, text);
    else if (what === 'ahead') rule.maxAheadS = count(value, what, text);
    else throw new UsageError(`--rule "${text}": "${part}" is not jump:N, max:N or ahead:DURATION`);
  }
  if (rule.maxJump === 0) throw new UsageError(`--rule "${text}": jump must be at least 1`);
  return rule;
}

export function ruleText(r: VersionRule): string {
  const parts = [
    r.maxJump === undefined ? null : `jump:${r.maxJump}`,
    r.maxVersion === undefined ? null : `max:${r.maxVersion}`,
    r.maxAheadS === undefined ? null : `ahead:${r.maxAheadS}s`,
  ];
  return `"${r.prefix}"=${parts.filter((p) => p !== null).join(',')}`;
}
