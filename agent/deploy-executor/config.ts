/**
 * The deploy executor's configuration (docs/deploy-executor.md §Configuration): a
 * root-owned JSON file, checked with a strict zod schema (an unknown key fails naming
 * it; keys starting with "//" are comments at every level). Defaults are stated here.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from '../lib/common/errors.ts';
import type { DeployerSpec } from '../lib/deploy/deployer-spec.ts';

export const DEFAULT_CONFIG_PATH = '/etc/p2p-update/deploy.json';
export const DEFAULT_SOCKET = '/run/p2p-update-deploy.sock';

const abs = z
  .string()
  .regex(/^\/[^\0]*$/, 'expected an absolute path')
  .max(4096);
const arg = z.string().max(4096);
/** A systemd unit property, `Name=value` (systemd.exec(5), systemd.resource-control(5)). */
const property = z
  .string()
  .max(1024)
  .regex(/^[A-Z][A-Za-z0-9]*=[^\n\0]*$/, 'expected a unit property "Name=value"')
  .refine((p) => !/^(User|Group|DynamicUser|ExecStart)=/.test(p), 'name the user with "user", not here');
const user = z
  .string()
  .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'expected a system user name')
  .optional();
const common = {
  /** Run as this user (root when absent). */
  user,
  /** systemd unit properties for the deployer's transient unit; needs systemd (else refused). */
  sandbox: z.array(property).max(64).default([]),
  /** This deployer's deploy timeout, overriding deploy.timeoutMs. */
  timeoutMs: z.int().min(100).max(86_400_000).optional(),
};
const deployer = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('script'), path: abs, args: z.array(arg).max(64).default([]), ...common }),
  z.strictObject({
    type: z.literal('puppet'),
    manifest: abs.optional(),
    puppetArgs: z.array(arg).max(64).default([]),
    ...common,
  }),
  z.strictObject({ type: z.literal('deb'), aptArgs: z.array(arg).max(64).default([]), ...common }),
]);
const prefix = z
  .string()
  .max(256)
  .regex(/^[a-z][a-z0-9+.-]*:/i, 'expected a URI prefix (scheme:...)');

const schema = z
  .strictObject({
    /**
     * The root chain the node is installed with (the manager's anchor too): the executor
     * trusts its newest root and learns rotations from the chains the manager hands over,
     * keeping them in stateDir/root.chain (docs/adr/0003-root-of-trust.md).
     */
    root: abs.nullable().default(null),
    /** Without `root`: plain admin public keys, any one signs (1 of n). */
    trustedKeys: z.array(abs).max(32).default([]),
    /** The executor's own state: record.json (the deployed versions) and work/ (payload copies). */
    stateDir: abs.default('/var/lib/p2p-update-deploy'),
    /** Where to listen when not socket-activated (systemd passes its socket instead). */
    socket: abs.default(DEFAULT_SOCKET),
    /** Group that may connect when the executor binds the socket itself (mode 0660). */
    socketGroup: user,
    /** Only files under these directories are read for a request (the manager's state). */
    inputDirs: z.array(abs).min(1).max(16).default(['/var/lib/p2p-update']),
    deployers: z.record(prefix, deployer).refine((d) => Object.keys(d).length > 0, 'expected a deployer'),
    deploy: z
      .strictObject({
        timeoutMs: z.int().min(100).max(86_400_000).default(600_000),
        outputCapBytes: z
          .int()
          .min(1024)
          .max(1 << 20)
          .default(65_536),
      })
      .prefault({}),
    limits: z
      .strictObject({
        /** Connections served at once; one more is answered BUSY and closed. */
        maxConnections: z.int().min(1).max(256).default(8),
        /** A connection must deliver its request line within this. */
        requestTimeoutMs: z.int().min(100).max(600_000).default(10_000),
        /** Socket-activated only: exit after this long without a connection (0 = never). */
        idleExitMs: z.int().min(0).max(86_400_000).default(60_000),
      })
      .prefault({}),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((c, ctx) => {
    if (c.root !== null && c.trustedKeys.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['trustedKeys'],
        message: 'expected nothing when "root" is given',
      });
    if (c.root === null && c.trustedKeys.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['trustedKeys'],
        message: 'expected at least one public key path (or "root": a root chain file)',
      });
  });

export type ExecutorConfig = z.infer<typeof schema>;
export type DeployerConfig = ExecutorConfig['deployers'][string];

/** The command part of a configured deployer. */
export function specOf(d: DeployerConfig): DeployerSpec {
  if (d.type === 'script') return { type: 'script', path: d.path, args: d.args };
  if (d.type === 'deb') return { type: 'deb', aptArgs: d.aptArgs };
  return d.manifest === undefined
    ? { type: 'puppet', puppetArgs: d.puppetArgs }
    : { type: 'puppet', manifest: d.manifest, puppetArgs: d.puppetArgs };
}

/** Drops "//" comment keys at every level. */
function uncomment(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(uncomment);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => !k.startsWith('//'))
      .map(([k, x]) => [k, uncomment(x)]),
  );
}

export function parseConfig(json: unknown): ExecutorConfig {
  const r = schema.safeParse(uncomment(json));
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  const key = i.path.length === 0 ? '(top level)' : i.path.map(String).join('.');
  throw new ConfigError(`config ${key}: ${i.message}`);
}

export async function loadConfig(path: string): Promise<ExecutorConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(`config file ${path}: cannot read (${code})`, { cause });
  }
  if (text.length > 1 << 20) throw new ConfigError(`config file ${path}: larger than 1 MiB`);
  try {
    return parseConfig(JSON.parse(text));
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError(`config file ${path}: not valid JSON (${(cause as Error).message})`, { cause });
  }
}
