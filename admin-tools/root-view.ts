/** `p2p-update root show`: each root of a chain, who signed it, and whether the chain verifies. */
import { isP2PError } from '../agent/lib/common/errors.ts';
import { walkAnchor } from '../agent/lib/trust/advance.ts';
import { readChainFile } from '../agent/lib/trust/chain-file.ts';
import type { Role, SignedRoot } from '../agent/lib/trust/model.ts';
import { tally, type Tally } from '../agent/lib/trust/threshold.ts';
import { ruleText } from './root-values.ts';

const iso = (s: number | null) => (s === null ? 'never' : new Date(s * 1000).toISOString());
const count = (t: Tally, r: Role) =>
  `${t.valid.length} of ${r.threshold} needed${t.valid.length >= r.threshold ? ' ✓' : ' ✗'}`;

async function view(r: SignedRoot, prev: SignedRoot | undefined) {
  const own = await tally(r.bodyBytes, r.signatures, { ...r.body.root, threshold: Infinity }, r.body.keys);
  const old =
    prev &&
    (await tally(r.bodyBytes, r.signatures, { ...prev.body.root, threshold: Infinity }, prev.body.keys));
  const b = r.body;
  return {
    version: b.version,
    expires: iso(b.expires),
    rootKeys: b.root.keyIds,
    rootThreshold: b.root.threshold,
    updateKeys: b.update.keyIds,
    threshold: b.update.threshold,
    versions: b.versions.map(ruleText),
    signers: [...r.signatures.keys()],
    byOwnRootKeys: count(own, b.root),
    ...(old && prev ? { byPreviousRootKeys: count(old, prev.body.root) } : {}),
  };
}

export async function showChain(file: string, o: { json?: boolean; brief?: boolean }): Promise<number> {
  const { roots } = await readChainFile(file);
  const views = await Promise.all(roots.map((r, i) => view(r, roots[i - 1])));
  const status = await walkAnchor(roots).then(
    () => ({ ok: true, why: 'every root verifies from the first' }),
    (e: unknown) => ({ ok: false, why: isP2PError(e) ? `${e.code}: ${e.message}` : String(e) }),
  );
  if (o.json) console.log(JSON.stringify({ roots: views, ok: status.ok, status: status.why }, null, 2));
  else {
    for (const v of o.brief ? views.slice(-1) : views)
      console.log(
        [
          `root version ${v.version}, expires ${v.expires}`,
          `  root keys (${v.rootThreshold} of ${v.rootKeys.length}):   ${v.rootKeys.join(' ')}`,
          `  update keys (${v.threshold} of ${v.updateKeys.length}): ${v.updateKeys.join(' ')}`,
          `  versions: ${v.versions.join('; ') || 'no ceiling'}`,
          `  signed by ${v.signers.join(' ') || 'nobody yet'}`,
          `  by its own root keys: ${v.byOwnRootKeys}`,
          ...(v.byPreviousRootKeys
            ? [`  by version ${v.version - 1}'s root keys: ${v.byPreviousRootKeys}`]
            : []),
        ].join('\n'),
      );
    console.log(`${status.ok ? 'ok' : 'not valid'}: ${status.why}`);
  }
  return status.ok ? 0 : 1;
}
