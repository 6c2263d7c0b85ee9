/**
 * Wiring of the deploy executor (STYLE.md rule 3). Start order: input roots, work dir,
 * record, root of trust, recovery of an interrupted deploy, then the socket: no request is served
 * before what an earlier run left behind is dealt with. Stop: the socket closes; a
 * deploy in progress finishes and is recorded before stop resolves.
 */
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from '../lib/common/clock.ts';
import { ConfigError } from '../lib/common/errors.ts';
import { createLogger, type Logger } from '../lib/common/logger.ts';
import { RootKeeper } from '../lib/trust/root-keeper.ts';
import { runProcess } from '../lib/deploy/run-process.ts';
import type { ExecutorConfig } from './config.ts';
import type { ExecutorCore } from './core.ts';
import { RequestHandler } from './handler.ts';
import { listen } from './listen.ts';
import { RecordError, RecordFile } from './record.ts';
import { recoverInterrupted } from './recover.ts';
import { ExecutorServer } from './server.ts';
import { runUnit } from './unit-run.ts';
import { systemdRuns } from './units.ts';
import { lookupGroup } from './users.ts';
import { prepareWorkRoot } from './work-dir.ts';

export interface RunningExecutor {
  readonly server: ExecutorServer;
  readonly handler: RequestHandler;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly log?: Logger;
  readonly clock?: Clock;
  /** The socket systemd passed (listen.ts activationFd), or null to bind config.socket. */
  readonly fd?: number | null;
}

export async function startExecutor(config: ExecutorConfig, o: StartOptions = {}): Promise<RunningExecutor> {
  const log = o.log ?? createLogger({ level: config.logLevel, name: 'p2p-update-deploy' });
  const inputRoots = await Promise.all(config.inputDirs.map((d) => realpath(d).catch(() => d)));
  const gid = config.socketGroup === undefined ? null : await lookupGroup(config.socketGroup);
  if (config.socketGroup !== undefined && gid === null)
    throw new ConfigError(`config socketGroup: no group "${config.socketGroup}"`);
  await prepareWorkRoot(config.stateDir);
  const record = await RecordFile.open(config.stateDir);
  const trust = await RootKeeper.open({
    root: config.root,
    trustedKeys: config.trustedKeys,
    path: join(config.stateDir, 'root.chain'),
    mode: 0o600,
    fail: (_kind, message, cause) => new RecordError(message, { cause }),
  });
  const root = trust.root.body;
  log.info(
    { rootVersion: root.version, threshold: root.update.threshold, updateKeys: root.update.keyIds.length },
    'root of trust',
  );
  const core: ExecutorCore = {
    config,
    trust,
    record,
    inputRoots,
    systemd: systemdRuns(),
    run: runProcess,
    runUnit,
    clock: o.clock ?? systemClock,
    log,
  };
  await recoverInterrupted(core);
  const handler = new RequestHandler(core);
  const server = new ExecutorServer({ handler, log }, config.limits);
  const fd = o.fd ?? null;
  await listen(server.server, { fd, path: config.socket, gid });
  log.info(
    {
      socket: fd === null ? config.socket : `fd ${fd}`,
      systemd: core.systemd,
      uris: Object.keys(record.data.uris).length,
    },
    'deploy executor started',
  );
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await server.close();
      await handler.idle();
      log.info({}, 'deploy executor stopped');
    })());
  return { server, handler, stop };
}
