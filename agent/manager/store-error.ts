/** The version store cannot be read or written: the manager must not run on. */
import { P2PError } from '../lib/common/errors.ts';

export class StoreError extends P2PError {
  constructor(
    readonly code: 'STORE_CORRUPT' | 'STORE_IO',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
