/**
 * The version ceiling against fast-forward attacks (docs/protocol/root.md §Versions),
 * pure: a signed version may be refused for being too far ahead, so that whoever signs
 * (a leaked key under a 1-of-n root, or a stolen threshold) cannot push a URI to
 * 2^53 − 1 and leave the admin no higher version to publish. The root's rule with the
 * longest matching prefix applies; a URI no rule matches has no ceiling.
 *   max jump:    at most this much above the highest version this node accepted for the
 *                URI (a URI never accepted here has no such base: only the other bounds);
 *   max version: never above this;
 *   max ahead:   versions are Unix seconds; never more than this ahead of `now`.
 */
import { MetadataError } from '../common/errors.ts';
import type { RootBody, VersionRule } from './model.ts';

export function ruleFor(rules: readonly VersionRule[], uri: string): VersionRule | undefined {
  let best: VersionRule | undefined;
  for (const r of rules)
    if (uri.startsWith(r.prefix) && (best === undefined || r.prefix.length > best.prefix.length)) best = r;
  return best;
}

/** The highest version acceptable for the URI now, and which bound set it; null: none. */
export function ceilingOf(
  rule: VersionRule | undefined,
  highest: number | undefined,
  nowMs: number,
): { readonly max: number; readonly why: string } | null {
  if (rule === undefined) return null;
  const bounds: { max: number; why: string }[] = [];
  if (rule.maxJump !== undefined && highest !== undefined)
    bounds.push({
      max: highest + rule.maxJump,
      why: `highest accepted ${highest} + max jump ${rule.maxJump}`,
    });
  if (rule.maxVersion !== undefined)
    bounds.push({ max: rule.maxVersion, why: `max version ${rule.maxVersion}` });
  if (rule.maxAheadS !== undefined) {
    const nowS = Math.floor(nowMs / 1000);
    bounds.push({ max: nowS + rule.maxAheadS, why: `now (${nowS} s) + max ahead ${rule.maxAheadS} s` });
  }
  return bounds.reduce<{ max: number; why: string } | null>(
    (a, b) => (a === null || b.max < a.max ? b : a),
    null,
  );
}

/** Refuses FAST_FORWARD a version above the root's ceiling for its URI. */
export function checkCeiling(
  root: Pick<RootBody, 'versions' | 'version'>,
  u: { readonly uri: string; readonly version: number },
  highest: number | undefined,
  nowMs: number,
): void {
  const rule = ruleFor(root.versions, u.uri);
  const c = ceilingOf(rule, highest, nowMs);
  if (c !== null && u.version > c.max)
    throw new MetadataError(
      'FAST_FORWARD',
      `version ${u.version} of ${u.uri} is above ${c.max} (${c.why}; root version ${root.version}, rule "${rule!.prefix}")`,
    );
}
