/**
 * A network namespace per test file. Transmission 3.00 refuses peers on 127.0.0.0/8
 * ("martian" addresses), so daemons and managers run inside a namespace of ours whose
 * loopback also carries 10.1.0.1–10.1.0.4: distinct, non-loopback peer addresses.
 * Unix sockets cross namespaces, so the test reaches a daemon's RPC through a small
 * forwarder (unix socket → 127.0.0.1:port inside the namespace).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { waitFor } from './util.ts';
import { existsSync } from 'node:fs';

const run = promisify(execFile);

export interface Netns {
  readonly name: string;
  readonly addrs: readonly string[];
  /** argv prefix that runs a command inside the namespace. */
  wrap(file: string, args: readonly string[]): [string, string[]];
  remove(): Promise<void>;
}

export async function createNetns(): Promise<Netns> {
  const name = `p2pm-${randomBytes(3).toString('hex')}`;
  const addrs = ['10.1.0.1', '10.1.0.2', '10.1.0.3', '10.1.0.4'];
  await run('ip', ['netns', 'add', name]);
  try {
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    for (const a of addrs) await run('ip', ['-n', name, 'addr', 'add', `${a}/32`, 'dev', 'lo']);
  } catch (e) {
    await run('ip', ['netns', 'del', name]).catch(() => undefined);
    throw e;
  }
  return {
    name,
    addrs,
    wrap: (file, args) => ['ip', ['netns', 'exec', name, file, ...args]],
    remove: () => run('ip', ['netns', 'del', name]).then(() => undefined),
  };
}

export function exited(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => p.once('exit', () => resolve()));
}

const FORWARDER = `
const net = require('node:net');
const [sock, port] = process.argv.slice(1);
net.createServer((c) => { const u = net.connect(Number(port), '127.0.0.1'); c.pipe(u).pipe(c);
  c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); }).listen(sock);
process.on('SIGTERM', () => process.exit(0));
`;

/** Forwards `sock` (a unix socket path) to 127.0.0.1:`port` inside the namespace. */
export async function forward(ns: Netns, sock: string, port: number): Promise<{ stop(): Promise<void> }> {
  const [file, args] = ns.wrap(process.execPath, ['-e', FORWARDER, sock, String(port)]);
  const p = spawn(file, args, { stdio: 'ignore' });
  await waitFor('rpc forwarder', () => existsSync(sock), 10_000, 50);
  return {
    async stop() {
      p.kill('SIGTERM');
      await exited(p);
    },
  };
}
