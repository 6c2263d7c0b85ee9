/** libsodium, initialised once. Every caller awaits `sodium()` before using it. */
import _sodium from 'libsodium-wrappers';

let ready: Promise<typeof _sodium> | undefined;

export function sodium(): Promise<typeof _sodium> {
  ready ??= _sodium.ready.then(() => _sodium);
  return ready;
}
