/**
 * `p2p-update rollout status URI [VERSION] [--json] [--config FILE] [--socket PATH]` on any
 * node: one update's rollout as this node sees it (docs/rollouts.md §Status): per wave
 * targeted, downloaded, applied, failed, rolled back and not seen; each gate and why it is
 * not open; the admin's control state. The policy comes from this node's store (the update
 * it holds; VERSION defaults to it), the control state from stateDir/rollout-control.json,
 * the fleet from natm (the config's natmSocket, or --socket). Exit 1 when the node holds no
 * such update or natm does not answer (the control state is printed all the same).
 */
import { queryMembers } from '../../lib/gossip/members-ipc.ts';
import { initialControl } from '../../lib/rollout/control-state.ts';
import { planOf } from '../../lib/rollout/plan.ts';
import { formatReport, noPolicyPlan, rolloutReport } from '../../lib/rollout/report.ts';
import { loadConfig } from '../config.ts';
import { controlPath } from '../control-book.ts';
import { parseHeld } from '../control-file.ts';
import { fleetOf } from '../rollout-fleet.ts';
import { readStore } from '../store.ts';

export async function rolloutStatus(
  uri: string,
  version: number | undefined,
  o: { config: string; json?: boolean; socket?: string },
): Promise<number> {
  const config = await loadConfig(o.config);
  const cur = (await readStore(config.stateDir))?.uris[uri]?.current ?? null;
  const v = version ?? cur?.version;
  const say = (line: string): number => {
    process.stdout.write(
      o.json ? `${JSON.stringify({ uri, version: v ?? null, error: line })}\n` : `${line}\n`,
    );
    return 1;
  };
  if (v === undefined) return say(`${uri}: this node holds no update of it`);
  const held = (await parseHeld(controlPath(config.stateDir))).find((h) => h.uri === uri && h.version === v);
  const control = held ?? initialControl(uri, v);
  if (cur === null || cur.version !== v)
    return say(
      `${uri} version ${v}: not the update this node holds${cur ? ` (it holds version ${cur.version})` : ''}; admin control: ${control.state} (seq ${control.seq})`,
    );
  const plan = cur.rollout ? planOf(uri, v, cur.rollout) : noPolicyPlan(uri, v);
  const socket = o.socket ?? config.natmSocket;
  if (socket === null) return say(`${uri} version ${v}: no natmSocket in the config: no fleet view`);
  const reply = await queryMembers(socket).catch((e: unknown) => e as Error);
  if (reply instanceof Error) return say(`${uri} version ${v}: natm did not answer: ${reply.message}`);
  const report = rolloutReport(
    plan,
    cur.rollout !== undefined,
    fleetOf(plan, reply.members),
    control,
    Date.now(),
  );
  process.stdout.write(
    o.json ? `${JSON.stringify({ nodeId: reply.nodeId, ...report })}\n` : formatReport(report),
  );
  return 0;
}
