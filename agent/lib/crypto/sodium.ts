/**
 * libsodium, initialised once. Every caller awaits `sodium()` before using it.
 * Loaded on the first call, not on import: instantiating its WebAssembly costs a process
 * several MiB (code, memory, background tier-up), and the manager needs it only when an
 * update or a signed control file arrives (bench/RESULTS.md, §Footprint).
 */
import type _sodium from 'libsodium-wrappers';

let ready: Promise<typeof _sodium> | undefined;

export function sodium(): Promise<typeof _sodium> {
  ready ??= import('libsodium-wrappers').then(async (m) => {
    await m.default.ready;
    return m.default;
  });
  return ready;
}
