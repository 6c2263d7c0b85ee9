/** Bounded polling for the e2e scenarios: check every `everyMs` until true or the deadline. */
export async function waitUntil(
  what: string | (() => string),
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 500,
): Promise<number> {
  const t0 = Date.now();
  let lastError: unknown;
  while (Date.now() - t0 < timeoutMs) {
    try {
      if (await check()) return Date.now() - t0;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  const why = lastError === undefined ? '' : ` (last error: ${String(lastError)})`;
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}${why}`,
  );
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
