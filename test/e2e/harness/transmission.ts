/**
 * One transmission-daemon per node namespace (LAB-NOTES recipe): settings.json written
 * before start (the daemon rewrites it itself), RPC on the namespace's 127.0.0.1:9091
 * without auth, DHT and port mapping off (a closed lab), uTP and PEX on, LPD optional,
 * info-level log (the flag the installed 3.00 or 4.x understands).
 * A socat process in the namespace bridges the RPC port to a Unix socket for the tests.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemonLogArgs } from '../../helpers/transmission-daemon.ts';
import type { ProcessGroup } from './processes.ts';
import { TransmissionRpc } from './transmission-rpc.ts';

export const RPC_PORT = 9091;

export function transmissionSettings(dir: string, peerPort: number, overrides: object = {}): object {
  return {
    'download-dir': join(dir, 'dl'),
    'incomplete-dir-enabled': false,
    'rpc-enabled': true,
    'rpc-bind-address': '127.0.0.1',
    'rpc-port': RPC_PORT,
    'rpc-authentication-required': false,
    'rpc-whitelist-enabled': true,
    'rpc-whitelist': '127.0.0.1',
    'rpc-host-whitelist-enabled': false,
    'peer-port': peerPort,
    'peer-port-random-on-start': false,
    'port-forwarding-enabled': false,
    'dht-enabled': false,
    'lpd-enabled': false,
    'pex-enabled': true,
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
    ...overrides,
  };
}

export interface RunningTransmission {
  readonly dir: string;
  readonly downloadDir: string;
  readonly rpc: TransmissionRpc;
  readonly daemonName: string;
}

/** Where a daemon runs: any topology with a process group (Figure 2 or the benchmarks'). */
export interface DaemonHost {
  readonly name: string;
  readonly ns: string;
  readonly btPort: number;
}

/**
 * RPC on ::1 for an IPv6-only host: Transmission 3.00 cannot bind 127.0.0.1 there (it
 * retries "Unable to bind to 127.0.0.1:9091" forever: libevent resolves the address with
 * AI_ADDRCONFIG, which finds no IPv4 on a host whose only IPv4 is loopback).
 */
export const RPC_ON_V6_LOOPBACK = { 'rpc-bind-address': '::1', 'rpc-whitelist': '127.0.0.1,::1' };

/** Writes the config and starts the daemon and its RPC bridge in `node`'s namespace. */
export async function startTransmission(
  topo: { readonly procs: ProcessGroup },
  node: DaemonHost,
  dir: string,
  overrides: object = {},
): Promise<RunningTransmission> {
  mkdirSync(join(dir, 'dl'), { recursive: true });
  const settings = transmissionSettings(dir, node.btPort, overrides) as Record<string, unknown>;
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
  const daemonName = `transmission-${node.name}`;
  topo.procs.spawn(daemonName, node.ns, 'transmission-daemon', ['-f', '-g', dir, ...daemonLogArgs('info')]);
  const socketPath = join(dir, 'rpc.sock');
  topo.procs.spawn(`rpc-bridge-${node.name}`, node.ns, 'socat', [
    `UNIX-LISTEN:${socketPath},fork,unlink-early`,
    settings['rpc-bind-address'] === '::1' ? `TCP6:[::1]:${RPC_PORT}` : `TCP:127.0.0.1:${RPC_PORT}`,
  ]);
  const rpc = new TransmissionRpc(socketPath);
  await rpc.waitReady();
  return { dir, downloadDir: join(dir, 'dl'), rpc, daemonName };
}
