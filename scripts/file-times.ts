/**
 * A reporter for node's test runner (scripts/run-tests.ts adds it next to spec): per test
 * file, the sum of its top-level tests' durations (suites include their hooks; the process
 * start is left out), the slowest first, one `SECONDS  FILE` line each, written when the
 * run ends. scripts/test-order.txt (the slow files, started first) is kept from it.
 */
import { relative } from 'node:path';

interface TestEvent {
  type: string;
  data?: { file?: string; nesting?: number; details?: { duration_ms?: number } };
}

export default async function* fileTimes(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const ms = new Map<string, number>();
  for await (const e of source) {
    const d = e.data;
    if ((e.type !== 'test:pass' && e.type !== 'test:fail') || !d?.file || d.nesting !== 0) continue;
    ms.set(d.file, (ms.get(d.file) ?? 0) + (d.details?.duration_ms ?? 0));
  }
  const rows = [...ms].sort((a, b) => b[1] - a[1]);
  for (const [file, t] of rows)
    yield `${(t / 1000).toFixed(1).padStart(7)}  ${relative(process.cwd(), file)}\n`;
}
