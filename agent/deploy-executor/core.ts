/** What every part of the executor shares (wired in main.ts), and the coded refusal. */
import type { Clock } from '../lib/common/clock.ts';
import type { Logger } from '../lib/common/logger.ts';
import type { DeployCommand } from '../lib/deploy/deployers.ts';
import type { RunInit, RunResult } from '../lib/deploy/run-process.ts';
import type { ExecutorResponse, RefusalCode } from '../lib/ipc/executor-protocol.ts';
import type { RootKeeper } from '../lib/trust/root-keeper.ts';
import type { ExecutorConfig } from './config.ts';
import type { Launch } from './launch.ts';
import type { RecordFile } from './record.ts';

export interface UnitRunInit {
  readonly timeoutMs: number;
  readonly outputCapBytes: number;
}

export interface ExecutorCore {
  readonly config: ExecutorConfig;
  /**
   * The executor's own root of trust: the anchor in its root-owned config, moved forward
   * only by root chains it verified itself, kept in stateDir/root.chain (take-root.ts).
   */
  readonly trust: RootKeeper;
  readonly record: RecordFile;
  /** config.inputDirs with symlinks resolved. */
  readonly inputRoots: readonly string[];
  /** Whether deploys go through systemd-run (launch.ts). */
  readonly systemd: boolean;
  /** Runs a directly spawned deployer (runProcess). */
  readonly run: (cmd: DeployCommand, init: RunInit) => Promise<RunResult>;
  /** Runs a deployer as a transient systemd unit (unit-run.ts). */
  readonly runUnit: (l: Extract<Launch, { kind: 'unit' }>, init: UnitRunInit) => Promise<RunResult>;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface Facts {
  readonly uri?: string;
  readonly version?: number;
  readonly infoHash?: string;
}

/** A refusal: logged (code, one-line reason, what was asked) and answered. */
export function refuse(
  core: ExecutorCore,
  code: RefusalCode,
  reason: string,
  f: Facts = {},
): ExecutorResponse {
  core.log.warn({ code, reason, ...f }, 'request refused');
  return { type: 'refused', code, reason };
}
