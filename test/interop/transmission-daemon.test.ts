/**
 * The harnesses start transmission-daemon with the log flag its version understands:
 * parsed from both releases' --version, then tried on the installed daemon (in a network
 * namespace of its own, loopback only): at info level it logs its RPC whitelist set-up,
 * at error level it does not, and it never warns about a deprecated flag.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers/fixtures.ts';
import {
  daemonLogArgs,
  installedDaemonVersion,
  logLevelArgs,
  parseDaemonVersion,
  type LogLevel,
} from '../helpers/transmission-daemon.ts';

describe('transmission-daemon version and log flag', () => {
  it('reads 3.00 and 4.1 version lines; refuses text without one', () => {
    assert.deepEqual(parseDaemonVersion('transmission-daemon 3.00 (bb6b5a062e)\n'), { major: 3, minor: 0 });
    assert.deepEqual(parseDaemonVersion('transmission-daemon 4.1.0-beta.2 (ac5c9e082d)\n'), {
      major: 4,
      minor: 1,
    });
    assert.throws(() => parseDaemonVersion('Usage: transmission-daemon [options]'), /no version/);
  });

  it('picks --log-LEVEL for 3.x and --log-level=LEVEL for 4.x', () => {
    assert.deepEqual(logLevelArgs('info', { major: 3, minor: 0 }), ['--log-info']);
    assert.deepEqual(logLevelArgs('error', { major: 4, minor: 1 }), ['--log-level=error']);
  });

  describe('on the installed daemon', () => {
    let dir: Awaited<ReturnType<typeof tempDir>>;
    before(async () => {
      dir = await tempDir();
    });
    after(() => dir.cleanup());

    const runAt = (level: LogLevel): { log: string; output: string } => {
      const conf = join(dir.path, level);
      spawnSync('mkdir', ['-p', join(conf, 'dl')]);
      writeFileSync(
        join(conf, 'settings.json'),
        JSON.stringify({
          'download-dir': join(conf, 'dl'),
          'rpc-bind-address': '127.0.0.1',
          'rpc-whitelist': '127.0.0.1',
          'dht-enabled': false,
          'lpd-enabled': false,
          'port-forwarding-enabled': false,
        }),
      );
      const log = join(conf, 'daemon.log');
      // Start, wait (bounded) until RPC answers, stop; all inside a fresh network namespace.
      const script = `ip link set lo up
        transmission-daemon -f -g "$1" -e "$2" ${daemonLogArgs(level).join(' ')} & p=$!
        i=0; until curl -s -o /dev/null http://127.0.0.1:9091/transmission/rpc || [ $i -ge 100 ]; do
          i=$((i + 1)); sleep 0.1; done
        kill $p; wait $p`;
      const r = spawnSync('unshare', ['--net', 'sh', '-c', script, '-', conf, log], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(r.status, 0, r.stderr);
      return { log: readFileSync(log, 'utf8'), output: r.stdout + r.stderr };
    };

    it('knows its version', () => {
      assert.ok(installedDaemonVersion().major >= 3);
    });

    it('logs info lines at info, not at error, and no deprecation warning', () => {
      const info = runAt('info');
      const error = runAt('error');
      assert.match(info.log, /whitelist/i, 'the RPC whitelist set-up is an info line');
      assert.doesNotMatch(error.log, /whitelist/i);
      for (const r of [info, error]) assert.doesNotMatch(r.output + r.log, /deprecated/i);
    });
  });
});
