/** A deploy that did not exit 0: the manager records it and retries with backoff. */
import { P2PError } from '../common/errors.ts';

export type DeployCode = 'DEPLOY_EXIT' | 'DEPLOY_TIMEOUT' | 'DEPLOY_SPAWN' | 'DEPLOY_SIGNAL';

export class DeployError extends P2PError {
  constructor(
    readonly code: DeployCode,
    message: string,
    /** The last bytes of the deployer's output (stdout and stderr interleaved). */
    readonly outputTail: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
