/**
 * `p2p-update publish FILE.root`: a root chain handed to this node's manager like an
 * update. Checked first as the manager will check it (walked from the node's trusted
 * root: refused, or already trusted, it is not dropped), then written into the inbox as
 * <sha256>.root; the manager persists and relays it (docs/adr/0003-root-of-trust.md).
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { advance } from '../../lib/trust/advance.ts';
import { parseChain } from '../../lib/trust/chain.ts';
import { ROOT_URI } from '../../lib/trust/root-uri.ts';
import type { ManagerConfig } from '../config.ts';
import { readStore } from '../store.ts';
import { TrustState } from '../trust-state.ts';
import { drop } from './inbox-drop.ts';

export async function publishRoot(
  config: ManagerConfig,
  trust: TrustState,
  raw: Uint8Array,
  waitS: number | undefined,
): Promise<number> {
  const a = await advance(trust.root, parseChain(raw));
  const version = a.root.body.version;
  if (a.accepted.length === 0) {
    process.stdout.write(`root version ${version} is already trusted here; nothing to publish\n`);
    return 0;
  }
  const started = Date.now();
  const name = `${createHash('sha256').update(raw).digest('hex')}.root`;
  await drop(config.inboxDir, name, (tmp) => writeFile(tmp, raw));
  process.stdout.write(
    `queued root version ${version} (from ${trust.root.body.version}) in ${config.inboxDir}\n`,
  );
  if (waitS === undefined) return 0;
  const deadline = started + waitS * 1000;
  while (Date.now() < deadline) {
    if ((await TrustState.open(config)).root.body.version >= version) {
      process.stdout.write(`accepted: root version ${version} is trusted\n`);
      return 0;
    }
    const f = (await readStore(config.stateDir))?.refusals.find(
      (x) => x.uri === ROOT_URI && x.at >= started - 1000,
    );
    if (f) {
      process.stdout.write(`refused ${f.code}: ${f.reason}\n`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  process.stdout.write('no verdict yet (is the manager running?)\n');
  return 1;
}
