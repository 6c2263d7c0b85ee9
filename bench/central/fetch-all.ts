/**
 * All nodes fetch the same URL at once with curl, each in its own namespace; per node
 * the completion time (seconds after the common start), time to first byte and size.
 */
import { run } from '../../test/e2e/harness/run.ts';

export interface FetchResult {
  readonly node: string;
  readonly seconds: number;
  readonly firstByteS: number;
  readonly bytes: number;
}

/** curl's -w output "total starttransfer size" → numbers (pure). */
export function parseCurlTimes(text: string): { total: number; firstByte: number; bytes: number } {
  const [total, firstByte, bytes] = text.trim().split(/\s+/).map(Number);
  if (![total, firstByte, bytes].every((x) => Number.isFinite(x)))
    throw new Error(`unexpected curl -w output: "${text.slice(0, 80)}"`);
  return { total: total!, firstByte: firstByte!, bytes: bytes! };
}

export async function fetchAll(
  nodes: ReadonlyArray<{ name: string; ns: string }>,
  url: string,
  timeoutMs: number,
): Promise<FetchResult[]> {
  const t0 = Date.now();
  return Promise.all(
    nodes.map(async (n) => {
      const out = await run(
        'ip',
        [
          'netns',
          'exec',
          n.ns,
          'curl',
          '-sS',
          '--fail',
          '-o',
          '/dev/null',
          '-w',
          '%{time_total} %{time_starttransfer} %{size_download}',
          url,
        ],
        { timeoutMs },
      );
      const c = parseCurlTimes(out);
      return { node: n.name, seconds: (Date.now() - t0) / 1000, firstByteS: c.firstByte, bytes: c.bytes };
    }),
  );
}
