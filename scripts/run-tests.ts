/**
 * Runs test files with node's test runner in the order given (the `node --test` command of
 * Node 20 sorts its files by path, so scripts/test.sh could not start the slow ones first):
 *   node --import tsx scripts/run-tests.ts [--concurrency N] [--times FILE] FILE...
 * One process per file (as `node --test`), N at a time (default 2); the spec report on
 * stdout; with --times, each file's seconds (scripts/file-times.ts) written to FILE. A file
 * still running after FILE_TIMEOUT_MS fails and its process is killed, so a hung file (a
 * child it never reaped) cannot hold the whole run until CI's limit.
 * Exit status 1 when a test failed, as `node --test`.
 */
import { createWriteStream } from 'node:fs';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { parseArgs } from 'node:util';
import fileTimes from './file-times.ts';

const { values, positionals } = parseArgs({
  options: { concurrency: { type: 'string', default: '2' }, times: { type: 'string' } },
  allowPositionals: true,
});
const concurrency = Number(values.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  process.stderr.write(`run-tests: --concurrency needs a whole number ≥ 1, got ${values.concurrency}\n`);
  process.exit(2);
}
if (positionals.length === 0) {
  process.stderr.write('run-tests: no test files given\n');
  process.exit(2);
}
/** Longer than any file's own timeout (rollout-control's suite: 15 min). */
const FILE_TIMEOUT_MS = 20 * 60_000;
const stream = run({ files: positionals, concurrency, timeout: FILE_TIMEOUT_MS });
stream.on('test:fail', (data: { todo?: unknown }) => {
  if (data.todo === undefined || data.todo === false) process.exitCode = 1;
});
stream.compose(new spec()).pipe(process.stdout);
if (values.times) stream.compose(fileTimes).pipe(createWriteStream(values.times));
