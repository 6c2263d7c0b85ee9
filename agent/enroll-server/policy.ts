/**
 * The three signing policies of Wolinsky §III-B.1: sign every valid request, wait for the
 * admin, or sign automatically up to N then wait. Pure.
 */
import type { PolicyMode } from './config.ts';

export function signsAutomatically(mode: PolicyMode, autoLimit: number, autoSigned: number): boolean {
  if (mode === 'auto') return true;
  if (mode === 'approve') return false;
  return autoSigned < autoLimit;
}
