/** The executor's pure parts: record rules, launch plans, socket activation, config, codec. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseConfig, specOf } from '../../agent/deploy-executor/config.ts';
import { deployerFor } from '../../agent/deploy-executor/deployer-map.ts';
import { launch, unitName } from '../../agent/deploy-executor/launch.ts';
import { failureOf, hasEnded, parseShow } from '../../agent/deploy-executor/unit-result.ts';
import { activationFd } from '../../agent/deploy-executor/listen.ts';
import {
  EMPTY_RECORD,
  finished,
  judge,
  started,
  withRunning,
} from '../../agent/deploy-executor/record-rules.ts';
import { ConfigError } from '../../agent/lib/common/errors.ts';
import { deployCommand, payloadName } from '../../agent/lib/deploy/deployers.ts';
import { decodeRequest, decodeResponse, encodeLine } from '../../agent/lib/ipc/executor-codec.ts';
import { isFinalRefusal } from '../../agent/lib/ipc/executor-protocol.ts';

const H = (c: string): string => c.repeat(40);
const run = (version: number, infoHash: string) => ({
  version,
  infoHash,
  startedAt: 1,
  file: '/w/f',
  pgid: null,
  unit: null,
});

test('judge: the applied update again is already applied; below or beside the floor is a rollback', () => {
  let d = started(EMPTY_RECORD, 'app:/x', run(3, H('a')));
  assert.deepEqual(judge(d.uris['app:/x'], { version: 3, infoHash: H('a') }), { kind: 'run' }, 'a retry');
  d = finished(d, 'app:/x', true, 10);
  assert.deepEqual(judge(d.uris['app:/x'], { version: 3, infoHash: H('a') }), { kind: 'already-applied' });
  assert.equal(judge(d.uris['app:/x'], { version: 2, infoHash: H('b') }).kind, 'rollback');
  assert.equal(judge(d.uris['app:/x'], { version: 3, infoHash: H('b') }).kind, 'rollback');
  assert.equal(judge(d.uris['app:/x'], { version: 4, infoHash: H('b') }).kind, 'run');
  assert.equal(judge(undefined, { version: 0, infoHash: H('b') }).kind, 'run');
});

test('the floor rises when a deploy starts and never falls: a failed v4 still refuses v3', () => {
  let d = finished(started(EMPTY_RECORD, 'u:', run(3, H('a'))), 'u:', true, 1);
  d = finished(started(d, 'u:', run(4, H('b'))), 'u:', false, 2);
  const u = d.uris['u:']!;
  assert.deepEqual([u.floor?.version, u.applied?.version, u.running], [4, 3, null]);
  assert.equal(judge(u, { version: 3, infoHash: H('c') }).kind, 'rollback');
  assert.equal(judge(u, { version: 4, infoHash: H('b') }).kind, 'run', 'v4 may be retried');
  d = finished(started(d, 'u:', run(4, H('b'))), 'u:', true, 3);
  assert.deepEqual(d.uris['u:']?.previous, { version: 3, infoHash: H('a') }, 'kept for a rollback');
  assert.equal(withRunning(d, 'u:', { pgid: 7 }), d, 'nothing running: unchanged');
});

test('launch: without systemd, direct (as the user); a sandbox is refused, never dropped', () => {
  const cmd = deployCommand({ type: 'script', path: '/s.sh', args: ['a'] }, '/w/f');
  const o = {
    systemd: false,
    account: null,
    sandbox: [],
    env: { P2PU_URI: 'app:/x' },
    cwd: '/w',
    timeoutMs: 5000,
    uri: 'app:/x',
    version: 2,
  };
  assert.deepEqual(launch(cmd, o), { kind: 'direct', cmd, account: null, unit: null });
  const nobody = { name: 'nobody', uid: 65534, gid: 65534 };
  assert.deepEqual(launch(cmd, { ...o, account: nobody }), {
    kind: 'direct',
    cmd,
    account: nobody,
    unit: null,
  });
  assert.match(
    String((launch(cmd, { ...o, sandbox: ['PrivateTmp=yes'] }) as { refused: string }).refused),
    /PrivateTmp=yes/,
  );
});

test('launch: with systemd, a transient unit (no D-Bus) carrying user, sandbox, env, output file, a time bound', () => {
  const cmd = deployCommand({ type: 'puppet', puppetArgs: [] }, '/w/site.pp');
  const nobody = { name: 'nobody', uid: 65534, gid: 65534 };
  const l = launch(cmd, {
    systemd: true,
    account: nobody,
    sandbox: ['ProtectSystem=strict', 'ReadWritePaths=/etc/app'],
    env: { PATH: '/usr/bin', P2PU_FILE: '/s/work/u/site.pp' },
    cwd: '/s/work/u',
    timeoutMs: 60_000,
    uri: 'puppet:/site',
    version: 9,
  });
  assert.ok(!('refused' in l) && l.kind === 'unit');
  assert.match(l.unit, /^p2p-update-deploy-[0-9a-f]{12}-9-[0-9a-f]{6}\.service$/);
  assert.equal(l.output, `/s/work/.${l.unit}.log`, 'root-only, beside the work dirs');
  const args = l.start.join(' ');
  assert.doesNotMatch(args, /--wait|--pipe/, 'no D-Bus needed');
  assert.match(args, /^--quiet --service-type=exec --unit=\S+ --working-directory=\/s\/work\/u /);
  assert.match(args, /-p RemainAfterExit=yes -p RuntimeMaxSec=90 /);
  assert.match(args, /-p StandardOutput=append:\/s\/work\/\.\S+\.log -p StandardError=append:/);
  assert.match(args, /-p User=nobody -p ProtectSystem=strict -p ReadWritePaths=\/etc\/app /);
  assert.match(
    args,
    /--setenv=PATH=\/usr\/bin --setenv=P2PU_FILE=\/s\/work\/u\/site\.pp -- puppet apply --detailed-exitcodes/,
  );
  assert.notEqual(unitName('a:', 1), unitName('a:', 1), 'one name per attempt');
});

test("a unit's end read from systemctl show: applied codes, exit, signal, timeout, gone", () => {
  const puppet = deployCommand({ type: 'puppet', puppetArgs: [] }, '/f');
  const show = (o: Record<string, string | number>) =>
    parseShow(
      Object.entries({ LoadState: 'loaded', ...o })
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    );
  const running = show({ ActiveState: 'active', SubState: 'running', Result: 'success', ExecMainCode: 0 });
  assert.equal(hasEnded(running), false);
  const ok = show({
    ActiveState: 'active',
    SubState: 'exited',
    Result: 'success',
    ExecMainCode: 1,
    ExecMainStatus: 0,
  });
  assert.equal(hasEnded(ok), true);
  assert.equal(failureOf(ok, puppet, ''), null);
  const two = show({
    ActiveState: 'failed',
    SubState: 'failed',
    Result: 'exit-code',
    ExecMainCode: 1,
    ExecMainStatus: 2,
  });
  assert.equal(failureOf(two, puppet, ''), null, 'puppet: 2 = changes applied');
  assert.equal(failureOf({ ...two, status: 4 }, puppet, '')?.code, 'DEPLOY_EXIT');
  const killed = show({
    ActiveState: 'failed',
    SubState: 'failed',
    Result: 'signal',
    ExecMainCode: 2,
    ExecMainStatus: 9,
  });
  assert.match(String(failureOf(killed, puppet, 'x')?.message), /killed by signal 9/);
  const late = show({
    ActiveState: 'failed',
    SubState: 'failed',
    Result: 'timeout',
    ExecMainCode: 2,
    ExecMainStatus: 9,
  });
  assert.equal(failureOf(late, puppet, '')?.code, 'DEPLOY_TIMEOUT');
  const gone = show({ LoadState: 'not-found', ActiveState: 'inactive', SubState: 'dead' });
  assert.equal(hasEnded(gone), true);
  assert.equal(failureOf(gone, puppet, '')?.code, 'DEPLOY_SPAWN');
});

test('a deb payload is installed with apt-get, non-interactively, under a .deb name', () => {
  const c = deployCommand({ type: 'deb', aptArgs: ['--no-install-recommends'] }, '/w/x.deb');
  assert.equal(c.file, 'apt-get');
  assert.deepEqual(c.args.slice(0, 2), ['install', '-y']);
  assert.equal(c.args.at(-1), '/w/x.deb');
  assert.ok(c.args.includes('--no-install-recommends') && c.args.includes('Dpkg::Options::=--force-confold'));
  assert.deepEqual(c.extraEnv, { DEBIAN_FRONTEND: 'noninteractive' });
  assert.equal(payloadName({ type: 'deb', aptArgs: [] }, 'hello_1.0_all'), 'hello_1.0_all.deb');
  assert.equal(payloadName({ type: 'deb', aptArgs: [] }, 'hello.deb'), 'hello.deb');
  assert.equal(payloadName({ type: 'script', path: '/s', args: [] }, 'hello_1.0_all'), 'hello_1.0_all');
});

test('socket activation only when LISTEN_PID is this process', () => {
  assert.equal(activationFd({ LISTEN_PID: '42', LISTEN_FDS: '1' }, 42), 3);
  assert.equal(activationFd({ LISTEN_PID: '41', LISTEN_FDS: '1' }, 42), null);
  assert.equal(activationFd({ LISTEN_PID: '42', LISTEN_FDS: '0' }, 42), null);
  assert.equal(activationFd({}, 42), null);
});

test('the shipped config validates and deploys app:/, pkg:/ and puppet:/ with no edits', () => {
  const json: unknown = JSON.parse(
    readFileSync(new URL('../../docs/config/deploy.example.json', import.meta.url), 'utf8'),
  );
  const c = parseConfig(json);
  assert.deepEqual(Object.keys(c.deployers).sort(), ['app:/', 'pkg:/', 'puppet:/']);
  assert.equal(specOf(deployerFor(c.deployers, 'pkg:/hello')!).type, 'deb');
  assert.equal(deployerFor(c.deployers, 'puppet:/site')?.type, 'puppet');
  assert.equal(deployerFor(c.deployers, 'app:/opt/demo')?.user, undefined, 'root');
  assert.equal(
    deployerFor(c.deployers, 'conf:/myapp/x'),
    undefined,
    'the commented-out example is a comment',
  );
  assert.deepEqual(
    [c.stateDir, c.socket, c.socketGroup],
    ['/var/lib/p2p-update-deploy', '/run/p2p-update-deploy.sock', 'p2p-update'],
  );
});

test('config: unknown keys, bad prefixes, a user set through the sandbox are refused, naming the key', () => {
  const base = { trustedKeys: ['/k.pub'], deployers: { 'app:/': { type: 'script', path: '/s' } } };
  const bad = (patch: object, re: RegExp): void =>
    assert.throws(
      () => parseConfig({ ...base, ...patch }),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
    );
  bad({ colour: 1 }, /config colour: unknown key/);
  bad(
    { deployers: { 'app:/': { type: 'script', path: '/s', shell: true } } },
    /deployers\["app:\/"\]\.shell: unknown key/,
  );
  bad(
    { deployers: { 'app:/': { type: 'script', path: 's' } } },
    /deployers\["app:\/"\]\.path: expected an absolute path/,
  );
  bad(
    { deployers: { 'app:/': { type: 'script', path: '/s', sandbox: ['User=root'] } } },
    /name the user with "user"/,
  );
  bad({ deployers: { 'app:/': { type: 'script', path: '/s', sandbox: ['no equals'] } } }, /unit property/);
  bad(
    { deployers: { 'app:/': { type: 'script', path: '/s', user: 'Root Beer' } } },
    /expected a system user name/,
  );
  bad({ deployers: {} }, /config deployers: expected a deployer/);
  bad({ trustedKeys: [] }, /trustedKeys: expected at least one public key path \(or "root"/);
  bad({ root: '/etc/p2p-update/fleet.root' }, /trustedKeys: expected nothing when "root" is given/);
  bad({ root: 'fleet.root', trustedKeys: [] }, /config root: expected an absolute path/);
  const rooted = parseConfig({ ...base, root: '/etc/p2p-update/fleet.root', trustedKeys: [] });
  assert.equal(rooted.root, '/etc/p2p-update/fleet.root');
  assert.equal(parseConfig({ ...base, '//': 'x', limits: { '//y': 1 } }).limits.maxConnections, 8);
});

test('codec: responses round-trip; a response of the wrong shape is null; which refusals are final', () => {
  const r = {
    type: 'failed',
    uri: 'a:',
    version: 1,
    code: 'DEPLOY_EXIT',
    reason: 'exited 1',
    output: 'x',
  } as const;
  assert.deepEqual(decodeResponse(encodeLine(r).trim()), r);
  assert.equal(decodeResponse('{"type":"applied"}'), null);
  assert.equal(decodeResponse('nope'), null);
  assert.equal(decodeRequest(encodeLine({ type: 'accepts', uri: 'a:' })).ok, true);
  assert.equal(isFinalRefusal('ROLLBACK'), true);
  assert.equal(isFinalRefusal('BUSY'), false);
  assert.equal(isFinalRefusal('USER_UNKNOWN'), false);
});
