/**
 * Answers one decoded request. `accepts` is answered at once from the config and the
 * record; deploys run one at a time (a second request waits for the first: asked again
 * for the update being deployed, it then finds it applied and runs nothing); rollbacks
 * wait in the same line.
 */
import type { ExecutorRequest, ExecutorResponse } from '../lib/ipc/executor-protocol.ts';
import type { ExecutorCore } from './core.ts';
import { deploy } from './deploy.ts';
import { deployerFor } from './deployer-map.ts';
import { rollback } from './rollback.ts';

export class RequestHandler {
  private chain: Promise<unknown> = Promise.resolve();
  private busy = 0;

  constructor(private readonly core: ExecutorCore) {}

  /** Deploys running or waiting. */
  get pending(): number {
    return this.busy;
  }

  handle(req: ExecutorRequest): Promise<ExecutorResponse> {
    const { core } = this;
    switch (req.type) {
      case 'accepts': {
        const accepted = deployerFor(core.config.deployers, req.uri) !== undefined;
        const highest = core.record.data.uris[req.uri]?.floor?.version ?? null;
        return Promise.resolve({ type: 'accepts', uri: req.uri, accepted, highest });
      }
      case 'deploy':
        return this.serial(() => deploy(core, req));
      case 'rollback':
        return this.serial(() => rollback(core, req));
    }
  }

  /** Resolves once no deploy is running or waiting. */
  async idle(): Promise<void> {
    while (this.busy > 0) await this.chain;
  }

  private serial(fn: () => Promise<ExecutorResponse>): Promise<ExecutorResponse> {
    this.busy++;
    const p = this.chain.then(fn, fn).finally(() => this.busy--);
    this.chain = p.catch(() => undefined);
    return p;
  }
}
