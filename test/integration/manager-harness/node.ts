/**
 * One test node: a real transmission-daemon, a real manager process (`bin/p2p-update
 * manager --config ...`, inside the namespace) and a real deploy executor beside it
 * (`bin/p2p-update deploy-executor --config ...`, a child of the test as root, bound to
 * its own socket), their logs (pino JSON on stderr) collected apart. Starting the
 * manager starts the executor if it is not running; writing the config stops a running
 * executor, so that the next start reads the new deployers.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoreData, UriRecord } from '../../../agent/manager/model.ts';
import { readStore } from '../../../agent/manager/store.ts';
import type { Netns } from './netns.ts';
import { LoggedProcess } from './proc.ts';
import { createDaemon, nsPort, type Daemon } from './transmission.ts';
import { waitFor } from './util.ts';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(REPO, 'bin/p2p-update');
export const MARKER_SCRIPT = join(REPO, 'deploy-scripts/example-marker.sh');

export interface TestNode {
  readonly name: string;
  readonly dir: string;
  readonly daemon: Daemon;
  readonly configPath: string;
  readonly executorConfigPath: string;
  readonly executorStateDir: string;
  readonly stateDir: string;
  readonly inboxDir: string;
  readonly markerDir: string;
  /** The manager's log lines. */
  readonly logs: Record<string, unknown>[];
  /** The executor's log lines. */
  readonly execLogs: Record<string, unknown>[];
  readonly manager: LoggedProcess;
  readonly executor: LoggedProcess;
  /** "ip:peerPort" of this node's daemon, for the other node's tracker. */
  readonly peer: string;
  writeConfig(extra: {
    peers?: string[];
    /** The executor's deployers (default: the example script for app:/). */
    deployers?: object;
    /** The manager's deploy section. */
    deploy?: object;
    /** The executor's deploy section. */
    executorDeploy?: object;
    natmSocket?: string;
    /** The manager's and the executor's trust (default: the admin key as plain trustedKeys). */
    trust?: { root: string } | { trustedKeys: string[] };
    /** Extra `tracker` keys (over port, peers and intervalS 5) and the `speed` section. */
    tracker?: object;
    speed?: object;
  }): Promise<void>;
  startManager(): Promise<void>;
  stopManager(): Promise<number | null>;
  kill9Manager(): Promise<void>;
  startExecutor(): Promise<void>;
  kill9Executor(): Promise<void>;
  store(): Promise<StoreData | null>;
  shutdown(): Promise<void>;
}

export async function createNode(
  root: string,
  name: string,
  pubKey: string,
  ns: Netns,
  ip: string,
): Promise<TestNode> {
  const dir = join(root, name);
  await mkdir(join(dir, 'tr'), { recursive: true });
  const daemon = await createDaemon(join(dir, 'tr'), ns, ip);
  const trackerPort = nsPort();
  const stateDir = join(dir, 'state');
  const inboxDir = join(dir, 'inbox');
  const markerDir = join(dir, 'deployed');
  const configPath = join(dir, 'manager.json');
  const executorConfigPath = join(dir, 'deploy.json');
  const executorStateDir = join(dir, 'executor');
  const executorSocket = join(dir, 'executor.sock');
  const manager = new LoggedProcess(`manager ${name}`);
  const executor = new LoggedProcess(`executor ${name}`);
  const node: TestNode = {
    name,
    dir,
    daemon,
    configPath,
    executorConfigPath,
    executorStateDir,
    stateDir,
    inboxDir,
    markerDir,
    logs: manager.logs,
    execLogs: executor.logs,
    manager,
    executor,
    peer: `${ip}:${daemon.peerPort}`,
    async writeConfig(extra) {
      const config = {
        '//': `test node ${name}`,
        ...(extra.trust ?? { trustedKeys: [pubKey] }),
        stateDir,
        inboxDir,
        transmission: {
          url: daemon.rpcUrl,
          username: daemon.username,
          password: daemon.password,
          downloadDir: daemon.downloadDir,
          timeoutMs: 3000,
          pollMs: 300,
        },
        tracker: { port: trackerPort, peers: extra.peers ?? [], intervalS: 5, ...extra.tracker },
        natmSocket: extra.natmSocket ?? null,
        executorSocket,
        deploy: { timeoutMs: 150_000, maxAttempts: 3, backoffMs: 500, backoffMaxMs: 2000, ...extra.deploy },
        ...(extra.speed ? { speed: extra.speed } : {}),
        logLevel: 'debug',
      };
      const executorConfig = {
        '//': `deploy executor of test node ${name}`,
        ...(extra.trust ?? { trustedKeys: [pubKey] }),
        stateDir: executorStateDir,
        socket: executorSocket,
        inputDirs: [dir],
        deployers: extra.deployers ?? {
          'app:/': { type: 'script', path: MARKER_SCRIPT, args: [markerDir] },
        },
        deploy: { timeoutMs: 120_000, ...extra.executorDeploy },
        logLevel: 'debug',
      };
      await writeFile(configPath, JSON.stringify(config, null, 2));
      await writeFile(executorConfigPath, JSON.stringify(executorConfig, null, 2));
      await executor.stop();
    },
    async startExecutor() {
      const args = [BIN, 'deploy-executor', '--config', executorConfigPath];
      await executor.start(process.execPath, args, 'deploy executor started');
    },
    async startManager() {
      if (!executor.running) await node.startExecutor();
      const [file, args] = ns.wrap(process.execPath, [BIN, 'manager', '--config', configPath]);
      await manager.start(file, args, 'manager started');
    },
    stopManager: () => manager.stop(),
    kill9Manager: () => manager.kill9(),
    kill9Executor: () => executor.kill9(),
    store: () => readStore(stateDir),
    async shutdown() {
      await node.kill9Manager();
      await executor.stop();
      await daemon.stop();
    },
  };
  return node;
}

/** Drops raw bytes into the inbox the way publish does (dot-name, then rename). */
export async function dropRaw(node: TestNode, name: string, bytes: Uint8Array): Promise<void> {
  const tmp = join(node.inboxDir, `.${name}.tmp`);
  await mkdir(node.inboxDir, { recursive: true });
  await writeFile(tmp, bytes);
  await rename(tmp, join(node.inboxDir, name));
}

/** How many deploys of the example script finished on this node ("applied" lines). */
export async function appliedLines(node: TestNode): Promise<string[]> {
  const text = await readFile(join(node.markerDir, 'deploy.log'), 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.startsWith('applied '));
}

export async function waitUri(
  node: TestNode,
  uri: string,
  pred: (r: UriRecord) => boolean,
  timeoutMs: number,
): Promise<UriRecord> {
  return waitFor(
    `${node.name} ${uri}`,
    async () => {
      const r = (await node.store())?.uris[uri];
      return r !== undefined && pred(r) ? r : null;
    },
    timeoutMs,
    250,
  );
}
