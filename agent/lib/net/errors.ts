/** Operational errors of natm and the rendezvous processes (not packet problems: those are counted). */
import { P2PError } from '../common/errors.ts';

export type NatmCode = 'BIND' | 'UNREACHABLE' | 'IPC';

export class NatmError extends P2PError {
  constructor(
    readonly code: NatmCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
