/** Process signals for the long-running natm and rendezvous commands. */
import { formatError } from '../common/errors.ts';

/** Resolves on the first SIGINT or SIGTERM (a stop request). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (sig: NodeJS.Signals) => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve(sig);
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

/** Run `reload` on every SIGHUP; a failure is reported on stderr and the old state kept. */
export function onReload(reload: () => Promise<void>): () => void {
  const h = () => {
    reload().catch((e) => process.stderr.write(`${formatError(e)} (reload refused, old keys kept)\n`));
  };
  process.on('SIGHUP', h);
  return () => process.off('SIGHUP', h);
}
