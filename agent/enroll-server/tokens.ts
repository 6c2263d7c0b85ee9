/**
 * Enrollment tokens: the configured secrets a node presents with its request. Compared by
 * SHA-256 in constant time; one-time tokens are spent (their hash recorded in the CA
 * state) when a request made with them is accepted.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TokenSpec } from './config.ts';

export const tokenHash = (t: string): string => createHash('sha256').update(t, 'utf8').digest('hex');

export function findToken(tokens: readonly TokenSpec[], presented: string): TokenSpec | undefined {
  const h = Buffer.from(tokenHash(presented), 'hex');
  let found: TokenSpec | undefined;
  for (const t of tokens) if (timingSafeEqual(Buffer.from(tokenHash(t.token), 'hex'), h)) found ??= t;
  return found;
}
