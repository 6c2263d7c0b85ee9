/**
 * One test node: a real transmission-daemon plus a real manager process
 * (`bin/p2p-update manager --config ...`), its logs (pino JSON on stderr) collected.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoreData, UriRecord } from '../../../agent/manager/model.ts';
import { readStore } from '../../../agent/manager/store.ts';
import type { Netns } from './netns.ts';
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
  readonly stateDir: string;
  readonly inboxDir: string;
  readonly markerDir: string;
  readonly logs: Record<string, unknown>[];
  /** "ip:peerPort" of this node's daemon, for the other node's tracker. */
  readonly peer: string;
  writeConfig(extra: {
    peers?: string[];
    deployers?: object;
    deploy?: object;
    natmSocket?: string;
    /** Extra `tracker` keys (over port, peers and intervalS 5) and the `speed` section. */
    tracker?: object;
    speed?: object;
  }): Promise<void>;
  startManager(): Promise<void>;
  stopManager(): Promise<number | null>;
  kill9Manager(): Promise<void>;
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
  const logs: Record<string, unknown>[] = [];
  let proc: ChildProcess | null = null;
  let exit: Promise<number | null> = Promise.resolve(null);
  const node: TestNode = {
    name,
    dir,
    daemon,
    configPath,
    stateDir,
    inboxDir,
    markerDir,
    logs,
    peer: `${ip}:${daemon.peerPort}`,
    async writeConfig(extra) {
      const config = {
        '//': `test node ${name}`,
        trustedKeys: [pubKey],
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
        deployers: extra.deployers ?? {
          'app:/': { type: 'script', path: MARKER_SCRIPT, args: [markerDir] },
        },
        deploy: { timeoutMs: 30_000, maxAttempts: 3, backoffMs: 500, backoffMaxMs: 2000, ...extra.deploy },
        ...(extra.speed ? { speed: extra.speed } : {}),
        logLevel: 'debug',
      };
      await writeFile(configPath, JSON.stringify(config, null, 2));
    },
    async startManager() {
      const from = logs.length;
      const [file, args] = ns.wrap(process.execPath, [BIN, 'manager', '--config', configPath]);
      const p = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      proc = p;
      exit = new Promise((resolve) => p.once('exit', (code) => resolve(code)));
      let buf = '';
      p.stderr!.on('data', (c: Buffer) => {
        buf += c.toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          try {
            logs.push(JSON.parse(line) as Record<string, unknown>);
          } catch {
            logs.push({ msg: line, raw: true });
          }
        }
      });
      await waitFor(
        `manager ${name} started`,
        () => logs.slice(from).some((l) => l['msg'] === 'manager started'),
        30_000,
      );
    },
    async stopManager() {
      const p = proc;
      proc = null;
      if (!p) return null;
      p.kill('SIGTERM');
      return exit;
    },
    async kill9Manager() {
      const p = proc;
      proc = null;
      if (!p) return;
      p.kill('SIGKILL');
      await exit;
    },
    store: () => readStore(stateDir),
    async shutdown() {
      await node.kill9Manager();
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
