/**
 * Structured logs (pino). One root logger per process, one child per component:
 * `rootLogger().child({ component: 'manager' })`. Field names: docs/LOGGING.md.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    base: { name: opts.name ?? 'p2p-update', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return pino(options, pino.destination({ fd: 2, sync: true }));
}

/** A logger that writes nothing, for unit tests and library callers that want silence. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
