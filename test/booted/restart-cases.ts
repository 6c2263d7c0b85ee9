/**
 * Issue 14 item 3's restart cases, run on deb-services.test.ts's container once its
 * services are enabled (no boot or install of its own): the shipped `app:/` deployer is
 * given the example script's delay argument (a deploy then takes DELAY_S seconds), and
 * for each of natm, the manager and the deploy executor a new version is published and
 * the unit is `systemctl kill -s KILL`ed while that deploy runs; then a power cut (SIGKILL
 * to the container's init) during a deploy and a boot. Each time systemd brings the
 * services back and the version is applied exactly once: one "applied" line per version in
 * the example script's deploy.log, the marker at that version.
 */
import assert from 'node:assert/strict';
import { waitUntil } from '../e2e/harness/wait.ts';
import type { Container } from './harness/container.ts';
import * as node from './harness/p2pu-node.ts';
import { randomPayload, sign, type AdminKey } from './harness/releases.ts';
import { unitProps } from './harness/systemd.ts';

const { UNITS } = node;
const URI = 'app:/opt/demo';
const DELAY_S = 6;
const report = (o: object) => console.log(`booted: ${JSON.stringify(o)}`);

export interface RestartContext {
  readonly c: () => Container;
  readonly admin: () => AdminKey;
  readonly dir: () => string;
}

type Case = (name: string, fn: () => Promise<void>) => void;

/** Registers the cases (in order) with `t`; versions start at `first`. */
export function restartCases(t: Case, ctx: RestartContext, first = 2): void {
  let version = first - 1;
  const c = () => ctx.c();

  /** Publishes the next version, waits until its deploy began, runs `during`, waits applied. */
  const deployWith = async (during: () => Promise<void>): Promise<number> => {
    version += 1;
    const v = version;
    const payload = randomPayload(ctx.dir(), `demo-v${v}.bin`, 128 * 1024);
    const s = await sign(ctx.admin(), payload, URI, v);
    const t0 = Date.now();
    await node.publish(c(), s);
    await waitUntil(
      `${c().name}: deploy of v${v} began`,
      async () => (await node.deployLog(c())).includes(`begin ${URI} ${v}`),
      60_000,
      200,
    );
    await during();
    const ms = await node.waitApplied(c(), URI, v, 180_000, t0);
    await node.waitApplied(c(), URI, v, 10_000); // also right after (not a stale answer)
    const log = await node.deployLog(c());
    assert.deepEqual(
      log.filter((l) => l === `applied ${URI} ${v}`),
      [`applied ${URI} ${v}`],
      `v${v} applied exactly once: ${log.join(' | ')}`,
    );
    assert.equal((await c().readFile(`${node.DEMO_DIR}/marker`)).trim(), `${URI} ${v}`);
    const sum = await c().must(['sha256sum', `${node.DEMO_DIR}/payload`]);
    assert.equal(sum.split(' ')[0], s.sha256);
    return ms;
  };

  const killDuringDeploy = async (unit: string): Promise<void> => {
    let before = await unitProps(c(), unit);
    const ms = await deployWith(async () => {
      before = await unitProps(c(), unit); // the executor may have been started by this deploy
      assert.equal(before['ActiveState'], 'active', `${unit} runs while v${version} deploys`);
      await c().must(['systemctl', 'kill', '-s', 'KILL', unit]);
    });
    const after = await unitProps(c(), unit);
    const restarted = Number(after['NRestarts']) > Number(before['NRestarts']);
    // The executor is socket-activated: the manager's next request may start it again first.
    assert.ok(
      restarted || after['InvocationID'] !== before['InvocationID'],
      `${unit} came back: ${JSON.stringify({ before, after })}`,
    );
    if (unit !== UNITS.executor) assert.equal(after['ActiveState'], 'active', unit);
    const log = await node.deployLog(c());
    report({
      killed: unit,
      version,
      publishToAppliedMs: ms,
      begins: log.filter((l) => l.endsWith(` ${version}`)).length - 1,
    });
  };

  t(`the app:/ deployer takes ${DELAY_S} s (the example script's delay argument)`, async () => {
    await node.editJson(c(), '/etc/p2p-update/deploy.json', (o) => {
      const deployers = o['deployers'] as Record<string, Record<string, unknown>>;
      deployers['app:/'] = { ...deployers['app:/'], args: [node.DEMO_DIR, String(DELAY_S)] };
      return o;
    });
    await c().must(['systemctl', 'stop', UNITS.executor]); // the next request reads the new config
  });

  for (const d of ['natm', 'manager', 'executor'] as const)
    t(`systemctl kill -s KILL of ${d} during a deploy: it comes back, the update is applied once`, () =>
      killDuringDeploy(UNITS[d]),
    );

  t('a power cut during a deploy, then a boot: the deploy completes, applied once', async () => {
    const ms = await deployWith(async () => {
      await c().kill();
      await c().boot();
    });
    report({ powerCut: true, version, publishToAppliedMs: ms, bootMs: c().bootMs });
    for (const unit of [UNITS.natm, UNITS.manager, UNITS.rendezvous])
      assert.equal((await unitProps(c(), unit))['ActiveState'], 'active', unit);
  });
}
