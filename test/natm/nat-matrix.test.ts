/**
 * Every pair of NAT types, on the simulated network: the pair either punches (or talks
 * directly) or falls back to the rendezvous relay, and each side classifies the path
 * right. Prints the matrix (row = sender's NAT, column = receiver's NAT, cell = how the
 * row node reaches the column node).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NatType } from '../../agent/lib/simnet/nat-box.ts';
import { SimWorld } from './sim-world.ts';

type Kind = NatType | 'open';
const KINDS: Kind[] = ['open', 'full-cone', 'restricted', 'port-restricted', 'symmetric', 'firewall'];

/** What RFC 4787 says must happen: symmetric vs port-dependent filtering cannot punch. */
function expected(a: Kind, b: Kind): string {
  const strict = (k: Kind) => k === 'symmetric' || k === 'port-restricted' || k === 'firewall';
  if ((a === 'symmetric' && strict(b)) || (b === 'symmetric' && strict(a))) return 'relayed';
  return b === 'open' || b === 'firewall' ? 'direct' : 'punched';
}

test('NAT-pair matrix: punch where the NATs allow it, relay otherwise', async () => {
  const rows: string[] = [];
  const failures: string[] = [];
  for (const a of KINDS) {
    const cells: string[] = [];
    for (const b of KINDS) {
      const w = await SimWorld.create({ seed: 7, delayMs: 20, jitterMs: 10 });
      w.addRendezvous();
      const na = w.addNode('a', a);
      const nb = w.addNode('b', b);
      w.run(3000);
      assert.equal(na.peer('b')?.path, 'relayed', `${a}→${b} before punching`);
      const first = w.deliver('a', 'b', 4000); // relayed, and asks for an introduction
      const back = w.deliver('b', 'a', 2000);
      const ab = na.peer('b')?.path ?? 'none';
      const ba = nb.peer('a')?.path ?? 'none';
      cells.push(ab);
      if (!first || !back) failures.push(`${a}↔${b}: message lost (a→b ${first}, b→a ${back})`);
      if (ab !== expected(a, b)) failures.push(`${a}→${b}: ${ab}, expected ${expected(a, b)}`);
      if (ba !== expected(b, a)) failures.push(`${b}→${a}: ${ba}, expected ${expected(b, a)}`);
      await w.stop();
    }
    rows.push(`| ${a} | ${cells.join(' | ')} |`);
  }
  console.log(
    ['| from \\ to | ' + KINDS.join(' | ') + ' |', '|---'.repeat(KINDS.length + 1) + '|', ...rows].join('\n'),
  );
  assert.deepEqual(failures, []);
});
