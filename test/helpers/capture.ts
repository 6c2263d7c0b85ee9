/** Runs `p2p-update` in this process (admin-tools/cli/main.ts) and keeps the text it writes. */
import { main } from '../../admin-tools/cli/main.ts';

export async function runMain(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => void out.push(s), err: (s) => void err.push(s) });
  return { code, out: out.join(''), err: err.join('') };
}
