/**
 * `p2p-update rollout pause|resume|abort` and `p2p-update publish FILE.control`: a rollout
 * control message handed to this node's manager like an update (docs/rollouts.md §Control
 * messages). Checked first as the manager will check it (signed by enough of the root's
 * update keys; newer than the one this node holds), then written into the inbox as
 * <sha256>.control; the manager keeps and relays it. With --wait, waits for the verdict.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { ControlMessage } from '../../lib/rollout/control.ts';
import { openControl } from '../../lib/rollout/control-verify.ts';
import { updateKeys } from '../../lib/trust/verify-update.ts';
import type { ManagerConfig } from '../config.ts';
import { controlPath } from '../control-book.ts';
import { parseHeld } from '../control-file.ts';
import type { TrustState } from '../trust-state.ts';
import { awaitVerdict } from './await-verdict.ts';
import { drop } from './inbox-drop.ts';

const CONTROL_REFUSALS = new Set(['STALE_CONTROL', 'CONTROL_FINAL', 'BAD_CONTROL', 'TOO_LARGE']);

/** The seq this node holds for uri@version (0: none, or the file is not readable here). */
export async function heldSeq(stateDir: string, uri: string, version: number): Promise<number> {
  const held = await parseHeld(controlPath(stateDir)).catch(() => []);
  return held.find((h) => h.uri === uri && h.version === version)?.seq ?? 0;
}

export async function publishControl(
  config: ManagerConfig,
  trust: TrustState,
  raw: Uint8Array,
  waitS: number | undefined,
): Promise<number> {
  const c: ControlMessage = await openControl(raw, updateKeys(trust.root.body));
  const what = `${c.action}${c.rollback ? ' --rollback' : ''} of ${c.uri} version ${c.version} (seq ${c.seq})`;
  const held = await heldSeq(config.stateDir, c.uri, c.version);
  if (held >= c.seq) {
    process.stdout.write(`${what}: this node holds seq ${held} already; nothing to publish\n`);
    return 1;
  }
  const started = Date.now();
  const name = `${createHash('sha256').update(raw).digest('hex')}.control`;
  await drop(config.inboxDir, name, (tmp) => writeFile(tmp, raw));
  process.stdout.write(`queued ${what} in ${config.inboxDir}\n`);
  if (waitS === undefined) return 0;
  return awaitVerdict(config.stateDir, started, waitS, {
    accepted: async () =>
      (await heldSeq(config.stateDir, c.uri, c.version)) >= c.seq ? `taken: ${what}` : null,
    refusal: (r) =>
      r.uri === c.uri &&
      r.version === c.version &&
      CONTROL_REFUSALS.has(r.code) &&
      r.reason.includes(` seq ${c.seq} `),
  });
}
