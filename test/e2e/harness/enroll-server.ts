/**
 * A real `p2p-update enroll-server` started inside a namespace, as an operator starts it
 * (docs/security.md §Enrollment server): the admin password hashed with the CLI, the
 * config written beside the CA, the server spawned with its log in the group's log dir;
 * resolves once it says it listens. Used by the Figure 2 bed and the booted bed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TokenSpec } from '../../../agent/enroll-server/config.ts';
import { BIN, REPO_ROOT } from './paths.ts';
import type { Managed, ProcessGroup } from './processes.ts';
import { run } from './run.ts';
import { waitUntil } from './wait.ts';

export interface EnrollServerSpec {
  readonly caDir: string;
  /** Where its config is written. */
  readonly dir: string;
  readonly host: string;
  readonly port: number;
  readonly policy: 'auto' | 'approve' | 'auto-then-approve';
  readonly tokens: readonly TokenSpec[];
  readonly adminPassword: string;
}

export interface RunningEnrollServer {
  readonly url: string;
  readonly proc: Managed;
}

export async function startEnrollServer(
  procs: ProcessGroup,
  ns: string,
  spec: EnrollServerSpec,
): Promise<RunningEnrollServer> {
  const hash = await run(BIN, ['enroll-server', 'hash-password'], {
    input: `${spec.adminPassword}\n`,
    timeoutMs: 30_000,
  });
  const config = {
    caDir: spec.caDir,
    listen: { host: spec.host, port: spec.port },
    policy: spec.policy,
    tokens: spec.tokens,
    adminPasswordHash: hash.trim(),
  };
  const configPath = join(spec.dir, 'enroll.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const url = `http://${spec.host}:${spec.port}`;
  const proc = procs.spawn('enroll-server', ns, BIN, ['enroll-server', '--config', configPath], {
    cwd: REPO_ROOT,
  });
  await waitUntil(
    'the enrollment server to listen',
    () => {
      if (!proc.running()) throw new Error(`enroll-server exited; see ${proc.logFile}`);
      return readFileSync(proc.logFile, 'utf8').includes(`on ${url}`);
    },
    30_000,
    200,
  );
  return { url, proc };
}
