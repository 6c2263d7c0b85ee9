/**
 * A real transmission-daemon for tests: its own config dir, free RPC and peer ports,
 * RPC auth on, DHT/LPD/PEX off (peers come from the manager's tracker only). The
 * process is a child of the test and every stop awaits its exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { daemonLogArgs } from '../../helpers/transmission-daemon.ts';
import { exited, forward, type Netns } from './netns.ts';
import { SocketRpc } from './rpc.ts';
import { waitFor } from './util.ts';

let nextPort = 20_000 + Math.floor(Math.random() * 20_000);
/** Ports inside our own namespace: nothing else listens there. */
export const nsPort = (): number => nextPort++;

export interface Daemon {
  readonly dir: string;
  readonly rpcUrl: string;
  readonly rpcPort: number;
  readonly peerPort: number;
  readonly ip: string;
  readonly downloadDir: string;
  readonly username: string;
  readonly password: string;
  readonly rpc: SocketRpc;
  start(): Promise<void>;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

export async function createDaemon(dir: string, ns: Netns, ip: string): Promise<Daemon> {
  const rpcPort = nsPort();
  const peerPort = nsPort();
  const downloadDir = join(dir, 'dl');
  await mkdir(downloadDir, { recursive: true });
  const username = 'p2pu';
  const password = 'test-secret';
  const settings = {
    'download-dir': downloadDir,
    'incomplete-dir-enabled': false,
    'rpc-enabled': true,
    'rpc-bind-address': '127.0.0.1',
    'rpc-port': rpcPort,
    'rpc-authentication-required': true,
    'rpc-username': username,
    'rpc-password': password,
    'rpc-whitelist-enabled': true,
    'rpc-whitelist': '127.0.0.1',
    'rpc-host-whitelist-enabled': false,
    'bind-address-ipv4': ip,
    'peer-port': peerPort,
    'peer-port-random-on-start': false,
    'port-forwarding-enabled': false,
    'dht-enabled': false,
    'lpd-enabled': false,
    'pex-enabled': false,
    'utp-enabled': true,
    'blocklist-enabled': false,
    encryption: 1,
    'start-added-torrents': true,
    'ratio-limit-enabled': false,
    'idle-seeding-limit-enabled': false,
    'download-queue-enabled': false,
    'seed-queue-enabled': false,
    'queue-stalled-enabled': false,
    umask: 18,
    'cache-size-mb': 4,
  };
  await writeFile(join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
  const rpcUrl = `http://127.0.0.1:${rpcPort}/transmission/rpc`;
  const sock = join(dir, 'rpc.sock');
  const rpc = new SocketRpc(sock, `${username}:${password}`);
  let proc: ChildProcess | null = null;
  let fwd: { stop(): Promise<void> } | null = null;
  const d: Daemon = {
    dir,
    rpcUrl,
    rpcPort,
    peerPort,
    ip,
    downloadDir,
    username,
    password,
    rpc,
    async start() {
      const [file, args] = ns.wrap('transmission-daemon', [
        '-f',
        '-g',
        dir,
        '-e',
        join(dir, 'daemon.log'),
        ...daemonLogArgs('info'),
      ]);
      const p = spawn(file, args, { stdio: 'ignore' });
      proc = p;
      fwd ??= await forward(ns, sock, rpcPort);
      await waitFor('transmission RPC', () => rpc.call('session-get').then(() => true), 20_000, 200);
    },
    async stop() {
      await fwd?.stop();
      fwd = null;
      const p = proc;
      proc = null;
      if (!p) return;
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), 8000);
      await exited(p);
      clearTimeout(t);
    },
    async kill9() {
      const p = proc;
      proc = null;
      if (!p) return;
      p.kill('SIGKILL');
      await exited(p);
    },
  };
  return d;
}
