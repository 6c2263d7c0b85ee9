/**
 * The deploy executor's configuration (docs/deploy-executor.md §Configuration): a
 * root-owned JSON file, one zod schema (defaults and a description per key;
 * docs/config/deploy.md is generated from it) loaded by the one config loader
 * (agent/lib/config/load.ts) into a typed, deeply frozen object. The deployers' schema is
 * in config-deployers.ts. Annotated example: docs/config/deploy.example.json.
 */
import type { z } from 'zod';
import { absPath, int, list, logLevel, section } from '../lib/config/fields.ts';
import { loadConfigFile, parseConfig as parseWith, type Frozen } from '../lib/config/load.ts';
import { checkTrust, trustFields } from '../lib/config/trust-fields.ts';
import type { DeployerSpec } from '../lib/deploy/deployer-spec.ts';
import { deployersSchema, userName } from './config-deployers.ts';

export const DEFAULT_SOCKET = '/run/p2p-update-deploy.sock';

const paths = (max: number) => list(absPath(), max, `a list of 1 to ${max} absolute paths`);

export const executorSchema = section({
  // The same root of trust as the manager's: the executor verifies every update against
  // it itself and learns rotations only from chains it walks itself (take-root.ts).
  ...trustFields,
  stateDir: absPath()
    .default('/var/lib/p2p-update-deploy')
    .describe("The executor's own state: record.json (the deployed versions) and work/ (payload copies)."),
  socket: absPath()
    .default(DEFAULT_SOCKET)
    .describe('Where to listen when not socket-activated (systemd passes its socket).'),
  socketGroup: userName
    .optional()
    .describe('Without systemd: the group that may connect (0660 root:GROUP; without it, 0600 root only).'),
  inputDirs: paths(16)
    .min(1, { error: 'at least one directory' })
    .default(['/var/lib/p2p-update'])
    .describe("A request's torrent-file++ and payload are read only from under these (the manager's state)."),
  deployers: deployersSchema,
  deploy: section({
    timeoutMs: int(100, 86_400_000)
      .default(600_000)
      .describe("A deploy's timeout (a deployer's timeoutMs overrides it)."),
    outputCapBytes: int(1024, 1 << 20)
      .default(65_536)
      .describe('Bytes of deployer output kept (the tail).'),
  })
    .prefault({})
    .describe('How deployers are run.'),
  limits: section({
    maxConnections: int(1, 256)
      .default(8)
      .describe('Connections served at once; one more is answered BUSY and closed.'),
    requestTimeoutMs: int(100, 600_000)
      .default(10_000)
      .describe('A connection must deliver its request line within this.'),
    idleExitMs: int(0, 86_400_000)
      .default(60_000)
      .describe('Socket-activated only: exit after this long without a connection (0 = never).'),
  })
    .prefault({})
    .describe('Bounds on the clients of the socket.'),
  logLevel: logLevel(),
})
  .superRefine(checkTrust)
  .describe(
    'p2p-update deploy executor configuration (docs/deploy-executor.md). Root-owned; paths are absolute.',
  );

export type ExecutorConfig = Frozen<z.output<typeof executorSchema>>;
export type DeployerConfig = ExecutorConfig['deployers'][string];

/** The command part of a configured deployer. */
export function specOf(d: DeployerConfig): DeployerSpec {
  if (d.type === 'script') return { type: 'script', path: d.path, args: d.args };
  if (d.type === 'deb') return { type: 'deb', aptArgs: d.aptArgs };
  return d.manifest === undefined
    ? { type: 'puppet', puppetArgs: d.puppetArgs }
    : { type: 'puppet', manifest: d.manifest, puppetArgs: d.puppetArgs };
}

/** Plain JSON in, the frozen config out, or a ConfigError naming the key. Pure. */
export function parseConfig(json: unknown): ExecutorConfig {
  return parseWith(executorSchema, json);
}

export async function loadConfig(path: string): Promise<ExecutorConfig> {
  return loadConfigFile(executorSchema, path);
}
