/**
 * Issue 14 item 3's download-side restart cases, run on ansible-ssh.test.ts's two nodes once
 * the role has started their services (no boot or install of their own): an update
 * published at n1 reaches n2 over the LAN and n2's executor deploys it; with n1's uplink
 * slowed (tc tbf in n1's namespace) so that n2's download takes seconds, n2's natm, manager
 * and executor are each `systemctl kill -s KILL`ed during a download: systemd brings the
 * unit back and the version is applied exactly once on n2 (one "applied" line per version
 * in the example script's deploy.log); then n2 is powered off, n1 publishes, and n2, booted
 * again, catches up on what it missed.
 */
import assert from 'node:assert/strict';
import { waitUntil } from '../e2e/harness/wait.ts';
import { sh } from '../pkg/trixie-root.ts';
import type { Container } from './harness/container.ts';
import * as node from './harness/p2pu-node.ts';
import { randomPayload, sign, type AdminKey, type Signed } from './harness/releases.ts';
import { unitProps } from './harness/systemd.ts';

const { UNITS } = node;
const URI = 'app:/opt/demo';
/** n1's uplink while a download is to be interrupted: 3 MiB take ~6 s. */
const SLOW = ['rate', '4mbit', 'burst', '32kb', 'latency', '400ms'];
const SIZE = 3 * 1024 * 1024;
const report = (o: object) => console.log(`booted: ${JSON.stringify(o)}`);

export interface DownloadContext {
  readonly c: (name: 'n1' | 'n2') => Container;
  readonly admin: () => AdminKey;
  readonly dir: () => string;
}

type Case = (name: string, fn: () => Promise<void>) => void;

export function downloadCases(t: Case, ctx: DownloadContext): void {
  let version = 0;
  const n1 = () => ctx.c('n1');
  const n2 = () => ctx.c('n2');
  const tbf = (op: 'replace' | 'del', args: string[] = []) =>
    sh('ip', ['netns', 'exec', n1().netns, 'tc', 'qdisc', op, 'dev', 'eth0', 'root', ...args]);

  const next = async (size: number): Promise<Signed> => {
    version += 1;
    const payload = randomPayload(ctx.dir(), `demo-v${version}.bin`, size);
    return sign(ctx.admin(), payload, URI, version);
  };
  /** v applied on n2 exactly once, with n2's marker and payload at that version. */
  const appliedOnce = async (s: Signed, t0: number): Promise<number> => {
    const ms = await node.waitApplied(n2(), URI, s.version, 180_000, t0);
    const log = await node.deployLog(n2());
    const applied = `applied ${URI} ${s.version}`;
    assert.deepEqual(
      log.filter((l) => l === applied),
      [applied],
      `n2: ${log.join(' | ')}`,
    );
    assert.equal((await n2().readFile(`${node.DEMO_DIR}/marker`)).trim(), `${URI} ${s.version}`);
    assert.equal((await n2().must(['stat', '-c', '%U', `${node.DEMO_DIR}/marker`])).trim(), 'root');
    const sum = await n2().must(['sha256sum', `${node.DEMO_DIR}/payload`]);
    assert.equal(sum.split(' ')[0], s.sha256);
    return ms;
  };

  t('an update published at n1 reaches n2, whose executor deploys it as root', async () => {
    const s = await next(256 * 1024);
    const t0 = Date.now();
    await node.publish(n1(), s);
    report({ reach: 'n1->n2', version: s.version, publishToAppliedMs: await appliedOnce(s, t0) });
  });

  for (const d of ['natm', 'manager', 'executor'] as const)
    t(`n2's ${d} killed (SIGKILL) during a download: it comes back, applied once`, async () => {
      const unit = UNITS[d];
      const s = await next(SIZE);
      const r = await tbf('replace', ['tbf', ...SLOW]);
      assert.equal(r.code, 0, r.stderr);
      try {
        const t0 = Date.now();
        await node.publish(n1(), s);
        let st: node.UriStatus | undefined;
        // Bound 60 s (printed below): right after natm's own kill (the case before), n2's
        // manager reconnects to the restarted natm with backoff; natm hands it at its hello
        // what arrived meanwhile (it took ~69 s when natm waited offerTimeoutMs instead).
        await waitUntil(
          () => `n2 downloading v${s.version} (last: ${JSON.stringify(st)})`,
          async () => {
            st = await node.uriStatus(n2(), URI);
            return st?.version === s.version && st.state === 'downloading';
          },
          60_000,
          200,
        );
        const toDownloadingMs = Date.now() - t0;
        const before = await unitProps(n2(), unit);
        // The executor is socket-activated: it may be idle (not running) during a download.
        const k = await n2().exec(['systemctl', 'kill', '-s', 'KILL', unit]);
        if (d !== 'executor') assert.equal(k.code, 0, k.stderr);
        await tbf('del');
        const ms = await appliedOnce(s, t0);
        // natm is not on the download's path: the download may end before systemd restarts it.
        let after = before;
        if (d !== 'executor')
          await waitUntil(
            () => `n2: ${unit} restarted by systemd (last: ${JSON.stringify(after)})`,
            async () => {
              after = await unitProps(n2(), unit);
              return (
                Number(after['NRestarts']) > Number(before['NRestarts']) && after['ActiveState'] === 'active'
              );
            },
            30_000,
            250,
          );
        report({
          killed: `n2 ${unit}`,
          during: 'download',
          version: s.version,
          publishToDownloadingMs: toDownloadingMs,
          publishToAppliedMs: ms,
        });
      } finally {
        await tbf('del');
      }
    });

  t('n2 powered off while n1 publishes; booted again, it catches up', async () => {
    await n2().poweroff();
    const s = await next(256 * 1024);
    const t0 = Date.now();
    await node.publish(n1(), s);
    await node.waitApplied(n1(), URI, s.version, 60_000);
    const b0 = Date.now();
    await n2().boot();
    const ms = await appliedOnce(s, b0);
    report({ catchUp: 'n2', version: s.version, bootToAppliedMs: ms, publishToAppliedMs: Date.now() - t0 });
  });
}
