/**
 * `publish --wait`: polls the node's state (every 200 ms, until the deadline) for the
 * manager's verdict on what was just dropped into its inbox, and prints it. Exit code:
 * 0 accepted, 1 refused or no verdict in time.
 */
import type { StoreData } from '../model.ts';
import { readStore } from '../store.ts';

export interface VerdictProbe {
  /** The line to print once accepted, or null while not (yet). */
  readonly accepted: (store: StoreData | null) => Promise<string | null>;
  /** Does this refusal in the store answer what was published? */
  readonly refusal: (r: StoreData['refusals'][number]) => boolean;
}

export async function awaitVerdict(
  stateDir: string,
  started: number,
  waitS: number,
  probe: VerdictProbe,
): Promise<number> {
  const deadline = started + waitS * 1000;
  while (Date.now() < deadline) {
    const store = await readStore(stateDir);
    const ok = await probe.accepted(store);
    if (ok !== null) {
      process.stdout.write(`${ok}\n`);
      return 0;
    }
    const f = store?.refusals.find((x) => x.at >= started - 1000 && probe.refusal(x));
    if (f) {
      process.stdout.write(`refused ${f.code}: ${f.reason}\n`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  process.stdout.write('no verdict yet (is the manager running?)\n');
  return 1;
}
