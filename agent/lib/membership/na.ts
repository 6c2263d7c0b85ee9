/**
 * Synchronous access to libsodium for the membership state machines. Await
 * `membershipReady()` once (process start, test `before`); afterwards every pure
 * function here runs synchronously, so packet handlers stay bytes-in → bytes-out.
 */
import { sodium } from '../crypto/sodium.ts';

export type Sodium = Awaited<ReturnType<typeof sodium>>;
let instance: Sodium | undefined;

export async function membershipReady(): Promise<Sodium> {
  instance = await sodium();
  return instance;
}

export function na(): Sodium {
  if (!instance) throw new Error('membershipReady() must be awaited before membership code runs');
  return instance;
}
