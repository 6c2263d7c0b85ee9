/**
 * The booted-system bed itself: a Debian 13 container boots with real systemd into its own
 * namespace, runs commands (exit codes, stdout, stderr, stdin), takes files on tmpfs and
 * disk, answers SSH from the hub with its own host key, keeps what it wrote across a
 * power-cycle and a reboot (a new boot each time), and boots into an existing namespace
 * named by the caller, as the Figure 2 nodes will. Needs root, like CI.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addNamespace } from '../e2e/harness/netns.ts';
import { sh } from '../pkg/trixie-root.ts';
import { Bed } from './harness/bed.ts';
import type { Container } from './harness/container.ts';

describe('booted bed: one Debian 13 container with real systemd', { timeout: 900_000 }, () => {
  let bed: Bed | undefined;
  let c: Container | undefined;
  const n1 = () => c as Container;
  let failed = false;

  before(async () => {
    bed = await Bed.create({ prefix: 'p2ps-b-' });
    c = await bed.boot('n1');
  });
  after(async () => {
    await bed?.destroy({ keepLogs: failed });
  });
  const t = (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      try {
        await fn();
      } catch (e) {
        failed = true;
        throw e;
      }
    });

  t('boots Debian 13 with systemd as PID 1 to a running system', async () => {
    assert.match(n1().bootState, /^(running|degraded)$/);
    assert.equal((await n1().must(['cat', '/proc/1/comm'])).trim(), 'systemd');
    assert.match(await n1().readFile('/etc/os-release'), /^VERSION_CODENAME=trixie$/m);
    assert.equal((await n1().must(['hostname'])).trim(), 'n1');
    const failedUnits = await n1().must(['systemctl', 'list-units', '--failed', '--plain', '--no-legend']);
    assert.equal(failedUnits.trim(), '', failedUnits);
    process.stderr.write(`booted: n1 boot ${n1().bootMs} ms\n`);
  });

  t('exec returns stdout, stderr and the exit code, and feeds stdin', async () => {
    const r = await n1().bash('echo out; echo err >&2; exit 7');
    assert.deepEqual(r, { stdout: 'out\n', stderr: 'err\n', code: 7 });
    assert.equal((await n1().exec(['cat'], { input: 'piped' })).stdout, 'piped');
    await assert.rejects(n1().must(['false']), /n1: false exited 1/);
  });

  t('writeFile reaches tmpfs paths and disk, with the mode asked for', async () => {
    await n1().writeFile('/tmp/a', 'on tmpfs', '0600');
    await n1().writeFile('/root/b', Buffer.from('on disk'), '0640');
    assert.equal(await n1().readFile('/tmp/a'), 'on tmpfs');
    assert.equal((await n1().must(['stat', '-c', '%a', '/tmp/a', '/root/b'])).trim(), '600\n640');
  });

  t('lives in its own namespace: the LAN address only, no way out', async () => {
    const addrs = await n1().must(['ip', '-4', '-o', 'addr', 'show', 'scope', 'global']);
    assert.match(addrs, new RegExp(`eth0\\s+inet ${bed!.ip('n1').replace(/\./g, '\\.')}/24 `));
    assert.equal(addrs.trim().split('\n').length, 1, addrs);
    assert.equal((await n1().must(['ip', 'route', 'show', 'default'])).trim(), '');
  });

  t('answers SSH from the hub with its own host key (strict checking)', async () => {
    const ssh = (ip: string) =>
      sh(
        'ip',
        ['netns', 'exec', bed!.lan.hubNs, 'ssh', ...bed!.ssh.options(), `root@${ip}`, 'cat /etc/hostname'],
        {
          timeoutMs: 60_000,
        },
      );
    await bed!.containers.get('n1')!.must(['systemctl', 'is-active', 'ssh.service']);
    const ok = await ssh(bed!.ip('n1'));
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), 'n1');
  });

  t('a power-cycle keeps what was written on disk and is a new boot', async () => {
    const bootId = (await n1().readFile('/proc/sys/kernel/random/boot_id')).trim();
    await n1().writeFile('/var/lib/kept', 'still here');
    await n1().writeFile('/tmp/gone', 'tmpfs');
    await n1().poweroff();
    assert.equal(n1().running, false);
    await n1().boot();
    assert.equal(await n1().readFile('/var/lib/kept'), 'still here');
    assert.equal((await n1().exec(['test', '-e', '/tmp/gone'])).code, 1);
    assert.notEqual((await n1().readFile('/proc/sys/kernel/random/boot_id')).trim(), bootId);
    const boots = JSON.parse(await n1().must(['journalctl', '--list-boots', '-o', 'json'])) as unknown[];
    assert.equal(boots.length, 2, 'the journal on disk holds both boots');
  });

  t('reboot and a hard power cut come back on the same root', async () => {
    await n1().reboot();
    assert.equal(await n1().readFile('/var/lib/kept'), 'still here');
    await n1().kill();
    assert.equal(n1().running, false);
    await n1().boot();
    assert.equal(await n1().readFile('/var/lib/kept'), 'still here');
  });

  t('boots into an existing namespace given by name', async () => {
    await addNamespace('p2ps-b-given');
    const c2 = await bed!.boot('n2', { netns: 'p2ps-b-given' });
    const inode = async (pid: number | 'self') =>
      (await sh('readlink', [`/proc/${pid}/ns/net`])).stdout.trim();
    const given = await sh('ip', ['netns', 'exec', 'p2ps-b-given', 'readlink', '/proc/self/ns/net']);
    assert.equal(await inode(c2.initPid), given.stdout.trim());
    assert.notEqual(await inode(c2.initPid), await inode('self'));
  });
});
