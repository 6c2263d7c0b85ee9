/**
 * Say why (issue 19), with real processes on loopback: a natm whose only rendezvous does not
 * answer (nothing listens on its port) logs exactly one warn line saying so, however many
 * keepalives go unanswered, and `p2p-update status` (text and --json, through the manager
 * config's natmSocket) shows it: no working rendezvous, 0 of 1 answering, last contact
 * never; `members` shows the condition in the node's own row. Then the rendezvous starts
 * on that port: natm logs one info line, and status says ok.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeKeyPair } from '../../agent/lib/crypto/key-files.ts';
import { freeUdpPort, Procs, waitFor } from './procs.ts';
import { KEY } from './sim-world.ts';

const procs = await new Procs().init();
after(() => procs.cleanup());

type Line = { level?: number; msg?: string; condition?: string };
const lines = (out: string): Line[] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);

test('an unreachable rendezvous: one warn line in natm, and status shows it; then it answers', async () => {
  const rdvPort = await freeUdpPort();
  const ipc = join(procs.dir, 'natm-ipc.sock');
  const natmCfg = await procs.file('natm.json', {
    id: 'lonely',
    listen: '127.0.0.1:0',
    clusterKeys: [KEY],
    rendezvous: [`127.0.0.1:${rdvPort}`],
    ipcSocket: ipc,
    statsSocket: join(procs.dir, 'natm-stats.sock'),
    keepaliveMs: 200,
    pathTimeoutMs: 600,
    logLevel: 'info',
  });
  const natm = procs.cli(['natm', '--config', natmCfg]);
  const { pubPath } = await writeKeyPair(join(procs.dir, 'admin'));
  const managerCfg = join(procs.dir, 'manager.json');
  await writeFile(
    managerCfg,
    JSON.stringify({
      trustedKeys: [pubPath],
      stateDir: join(procs.dir, 'state'),
      inboxDir: join(procs.dir, 'inbox'),
      transmission: { downloadDir: join(procs.dir, 'dl'), url: 'http://127.0.0.1:9/transmission/rpc' },
      tracker: { port: 0 },
      natmSocket: ipc,
    }),
  );

  const warned = (): Line[] => lines(natm.out()).filter((l) => l.level === 40);
  await waitFor('the warn line', () => warned().length > 0 || undefined, 20_000);
  // Many more unanswered keepalives (25 x 200 ms): still one line.
  await new Promise((r) => setTimeout(r, 5000));
  assert.deepEqual(
    warned().map((l) => [l.msg, l.condition]),
    [['no working rendezvous', 'no_rendezvous']],
    natm.out(),
  );

  const bin = new URL('../../bin/p2p-update', import.meta.url).pathname;
  const [code, text] = await procs.run(process.execPath, [bin, 'status', '--config', managerCfg]);
  assert.equal(code, 0, text);
  assert.match(text, /^no updates yet\nconnectivity: degraded: no working rendezvous\n/);
  assert.match(text, /\n {4}rendezvous: 0 of 1 answering; last contact never\n/);
  assert.match(text, /\n {4}external endpoint: unknown\n/);
  const [jcode, json] = await procs.run(process.execPath, [bin, 'status', '--json', '--config', managerCfg]);
  assert.equal(jcode, 0, json);
  const s = JSON.parse(json) as {
    connectivity: { state: string; conditions: string[]; rendezvous: { alive: number; lastContact: null } };
  };
  assert.equal(s.connectivity.state, 'degraded');
  assert.deepEqual(s.connectivity.conditions, ['no_rendezvous']);
  assert.equal(s.connectivity.rendezvous.lastContact, null);
  // members: this node's own row reports the condition too (its fleet-view record).
  const stats = join(procs.dir, 'natm-stats.sock');
  const [mcode, members] = await procs.run(process.execPath, [bin, 'members', '--socket', stats]);
  assert.equal(mcode, 0, members);
  assert.match(members, /\blonely \(self\)\s+alive\s+-\s+-\s+0s ago\s+no_rendezvous\s+-/);

  // The rendezvous comes up on that port: one info line, and status says ok.
  const rdvCfg = await procs.file('rdv.json', {
    id: 'rdv1',
    listen: `127.0.0.1:${rdvPort}`,
    clusterKeys: [KEY],
    logLevel: 'warn',
  });
  procs.cli(['rendezvous', '--config', rdvCfg]);
  await waitFor(
    'the info line',
    () => lines(natm.out()).some((l) => l.msg === 'rendezvous answers again') || undefined,
    20_000,
  );
  const [, ok] = await procs.run(process.execPath, [bin, 'status', '--config', managerCfg]);
  assert.match(ok, /\nconnectivity: ok\n {4}rendezvous: 1 of 1 answering; last contact \d+s ago\n/);
  assert.match(ok, /\n {4}external endpoint: 127\.0\.0\.1:\d+\n/);
  assert.equal(warned().length, 1, 'no further warning');
});
