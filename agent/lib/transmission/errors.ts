/**
 * Failures talking to transmission-daemon. `UNREACHABLE` and `TIMEOUT` mean "the daemon
 * is down or busy: wait and retry"; `AUTH`/`FORBIDDEN` are configuration mistakes;
 * `RPC` is an answer other than "success"; `PROTOCOL` a reply we cannot read.
 */
import { P2PError } from '../common/errors.ts';

export type TransferCode = 'UNREACHABLE' | 'TIMEOUT' | 'AUTH' | 'FORBIDDEN' | 'HTTP' | 'RPC' | 'PROTOCOL';

export class TransferError extends P2PError {
  constructor(
    readonly code: TransferCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The daemon may come back: worth waiting for. */
  get transient(): boolean {
    return this.code === 'UNREACHABLE' || this.code === 'TIMEOUT' || this.code === 'HTTP';
  }
}
