/**
 * `p2p-update rollout pause|resume|abort URI VERSION --key K.key [--key …] [--rollback]
 * [--seq N] [--out FILE] [--config FILE] [--wait SECONDS]`: signs a rollout control message
 * with each --key (the root's update threshold k needs k of them) and publishes it at this
 * node (publish-control.ts), or only writes it to --out (to publish elsewhere with
 * `p2p-update publish FILE.control`). The seq defaults to the larger of this node's held
 * seq + 1 and the current Unix time in milliseconds, so a later command wins.
 */
import { writeFile } from 'node:fs/promises';
import { UsageError } from '../../lib/common/errors.ts';
import { loadSecretKey } from '../../lib/crypto/key-files.ts';
import { signControl, type ControlAction } from '../../lib/rollout/control.ts';
import { loadConfig } from '../config.ts';
import { TrustState } from '../trust-state.ts';
import { heldSeq, publishControl } from './publish-control.ts';

export interface ControlOptions {
  readonly key: readonly string[];
  readonly config: string;
  readonly rollback?: boolean;
  readonly seq?: number;
  readonly out?: string;
  readonly wait?: number;
}

export async function rolloutControl(
  action: ControlAction,
  uri: string,
  version: number,
  o: ControlOptions,
): Promise<number> {
  if (o.seq === 0) throw new UsageError('--seq must be at least 1');
  const keys = await Promise.all(o.key.map(loadSecretKey));
  const config = o.out === undefined ? await loadConfig(o.config) : null;
  const held = config ? await heldSeq(config.stateDir, uri, version) : 0;
  const now = Date.now();
  const seq = o.seq ?? Math.max(held + 1, now);
  const c = { uri, version, seq, action, rollback: o.rollback === true, issued: Math.floor(now / 1000) };
  const raw = await signControl(c, keys);
  if (o.out !== undefined) {
    await writeFile(o.out, raw);
    process.stdout.write(`wrote ${o.out}: ${action} of ${uri} version ${version} (seq ${seq})\n`);
    return 0;
  }
  return publishControl(config!, await TrustState.open(config!), raw, o.wait);
}
