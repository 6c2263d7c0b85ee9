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
import { awaitVerdict } from './await-verdict.ts';
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
  return awaitVerdict(config.stateDir, started, waitS, {
    accepted: async () =>
      (await TrustState.open(config)).root.body.version >= version
        ? `accepted: root version ${version} is trusted`
        : null,
    refusal: (r) => r.uri === ROOT_URI,
  });
}
