/**
 * Teardown on every path out of a run: the normal `finally`, Ctrl-C (SIGINT), SIGTERM
 * (the test runner stopping a file), and as a last resort the `exit` event, where only
 * synchronous work runs (kill our namespaces' processes, delete our namespaces).
 */
type AsyncCleanup = () => Promise<void>;
type SyncCleanup = () => void;

const asyncCleanups = new Set<AsyncCleanup>();
const syncCleanups = new Set<SyncCleanup>();
let installed = false;
let running = false;

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  if (running) return;
  running = true;
  process.stderr.write(`e2e: ${signal}: tearing down\n`);
  for (const fn of [...asyncCleanups].reverse()) {
    try {
      await fn();
    } catch (e) {
      process.stderr.write(`e2e: teardown step failed: ${String(e)}\n`);
    }
  }
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('SIGINT', (s) => void onSignal(s));
  process.once('SIGTERM', (s) => void onSignal(s));
  process.on('exit', () => {
    for (const fn of syncCleanups) fn();
  });
}

/**
 * Registers `full` (async, run on a signal) and `lastResort` (sync, run at exit). Returns
 * a function that unregisters both, for when the owner tore down normally.
 */
export function registerTeardown(full: AsyncCleanup, lastResort: SyncCleanup): () => void {
  install();
  asyncCleanups.add(full);
  syncCleanups.add(lastResort);
  return () => {
    asyncCleanups.delete(full);
    syncCleanups.delete(lastResort);
  };
}
