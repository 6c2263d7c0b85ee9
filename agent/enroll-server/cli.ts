/**
 * `p2p-update enroll-server --config FILE`: the enrollment service and admin page.
 * `p2p-update enroll-server hash-password` reads a password on stdin and prints the
 * `adminPasswordHash` value for the config.
 */
import { CaStore } from '../lib/ca/ca-store.ts';
import { UsageError } from '../lib/common/errors.ts';
import { createLogger } from '../lib/common/logger.ts';
import { loadConfig } from './config.ts';
import { hashPassword } from './password.ts';
import { EnrollServer } from './server.ts';
import { EnrollMetrics } from './metrics.ts';
import { MetricsServer } from '../lib/metrics/server.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export async function hashPasswordCommand(): Promise<number> {
  const pw = await readStdin();
  if (pw.length < 8) throw new UsageError('the admin password must have at least 8 characters');
  process.stdout.write(`${await hashPassword(pw)}\n`);
  return 0;
}

export async function runEnrollServer(o: { config: string }): Promise<number> {
  const cfg = await loadConfig(o.config);
  const log = createLogger({ name: 'enroll-server' });
  const ca = await CaStore.open(cfg.caDir);
  const metrics = new EnrollMetrics(() => ca.state);
  const server = new EnrollServer({ ca, log, metrics }, cfg);
  const url = await server.start();
  const scrape = cfg.metrics
    ? new MetricsServer({ registry: metrics.registry, logger: log }, cfg.metrics.listen)
    : null;
  await scrape?.start().catch(async (e: unknown) => {
    await server.stop();
    throw e;
  });
  process.stdout.write(`enroll-server for cluster ${ca.cluster} on ${url} (admin page ${url}/admin)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => void Promise.all([server.stop(), scrape?.stop()]).then(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
