/**
 * Remembers whether any test of a suite failed, so the suite's `after` hook can keep the
 * run directory (logs, configs) for inspection only when something went wrong.
 */
export class FailureGuard {
  failed = false;

  /** Wrap a test body: a throw marks the suite failed and is rethrown to the runner. */
  wrap<T>(fn: () => Promise<T>): () => Promise<T> {
    return async () => {
      try {
        return await fn();
      } catch (e) {
        this.failed = true;
        throw e;
      }
    };
  }
}
