/**
 * The manager's side of the deploy executor contract (docs/protocol/executor.md): one
 * connection per request, one answer line (at most MAX_RESPONSE_BYTES), then the
 * executor closes. A socket that cannot be reached is `EXECUTOR_UNAVAILABLE` (nothing
 * was asked: wait and try again); a connection that breaks or times out after the
 * request went out, or an answer that does not decode, is `EXECUTOR_GONE`.
 */
import { createConnection, type Socket } from 'node:net';
import { P2PError } from '../lib/common/errors.ts';
import { decodeResponse, encodeLine } from '../lib/ipc/executor-codec.ts';
import {
  MAX_RESPONSE_BYTES,
  type ExecutorRequest,
  type ExecutorResponse,
} from '../lib/ipc/executor-protocol.ts';
import type { ExecutorPort } from './ports.ts';

export class ExecutorError extends P2PError {
  constructor(
    readonly code: 'EXECUTOR_UNAVAILABLE' | 'EXECUTOR_GONE',
    message: string,
  ) {
    super(message);
  }
}

const CONNECT_TIMEOUT_MS = 5000;
const ASK_TIMEOUT_MS = 30_000;

function connectTo(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    const fail = (why: string): void => {
      s.destroy();
      reject(new ExecutorError('EXECUTOR_UNAVAILABLE', `deploy executor ${path}: ${why}`));
    };
    const t = setTimeout(() => fail('no connection within 5 s'), CONNECT_TIMEOUT_MS);
    s.once('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
    s.once('connect', () => {
      clearTimeout(t);
      s.removeAllListeners('error');
      resolve(s);
    });
  });
}

function answer(s: Socket, path: string, timeoutMs: number, signal?: AbortSignal): Promise<ExecutorResponse> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const gone = (why: string): void => {
      clearTimeout(t);
      s.destroy();
      reject(new ExecutorError('EXECUTOR_GONE', `deploy executor ${path}: ${why}`));
    };
    const t = setTimeout(() => gone(`no answer within ${timeoutMs} ms`), timeoutMs);
    s.on('data', (c: Buffer) => {
      const nl = c.indexOf(10);
      parts.push(nl < 0 ? c : c.subarray(0, nl));
      size += nl < 0 ? c.length : nl;
      if (size > MAX_RESPONSE_BYTES) return gone('answer too long');
      if (nl < 0) return;
      clearTimeout(t);
      s.destroy();
      const r = decodeResponse(Buffer.concat(parts).toString('utf8'));
      if (r === null)
        reject(new ExecutorError('EXECUTOR_GONE', `deploy executor ${path}: answer does not decode`));
      else resolve(r);
    });
    s.once('error', (e: NodeJS.ErrnoException) => gone(e.code ?? e.message));
    s.once('close', () => gone('closed the connection without an answer'));
    signal?.addEventListener('abort', () => gone('the manager stopped waiting'), { once: true });
  });
}

async function connectRetrying(path: string): Promise<Socket> {
  for (let wait = 250; ; wait *= 2) {
    try {
      return await connectTo(path);
    } catch (e) {
      if (wait > 4000) throw e;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

export class ExecutorClient implements ExecutorPort {
  constructor(private readonly init: { path: string; deployTimeoutMs: number }) {}

  /**
   * Asked at every intake that passed the manager's own checks. A socket that cannot be
   * reached is tried again for a few seconds (an executor starting up) before giving up.
   */
  async accepts(uri: string): Promise<{ accepted: boolean; highest: number | null }> {
    const s = await connectRetrying(this.init.path);
    s.write(encodeLine({ type: 'accepts', uri }));
    const r = await answer(s, this.init.path, ASK_TIMEOUT_MS);
    if (r.type === 'accepts' && r.uri === uri) return { accepted: r.accepted, highest: r.highest };
    throw new ExecutorError('EXECUTOR_GONE', `deploy executor: unexpected answer "${r.type}" to accepts`);
  }

  /**
   * Asks for a deploy. `beforeSend` runs once connected (the manager counts the attempt
   * there); if it says no, nothing is sent and the result is null. Aborting `signal`
   * stops the wait, not the deploy: the executor finishes and records it.
   */
  deploy(
    req: Extract<ExecutorRequest, { type: 'deploy' }>,
    beforeSend: () => Promise<boolean>,
    signal?: AbortSignal,
  ): Promise<ExecutorResponse | null> {
    return this.run(req, beforeSend, signal);
  }

  /** Asks for a rollback of the update deployed last; as `deploy`. */
  rollback(
    req: Extract<ExecutorRequest, { type: 'rollback' }>,
    beforeSend: () => Promise<boolean>,
    signal?: AbortSignal,
  ): Promise<ExecutorResponse | null> {
    return this.run(req, beforeSend, signal);
  }

  private async run(
    req: ExecutorRequest,
    beforeSend: () => Promise<boolean>,
    signal?: AbortSignal,
  ): Promise<ExecutorResponse | null> {
    const s = await connectTo(this.init.path);
    if (!(await beforeSend().catch((e: unknown) => (s.destroy(), Promise.reject(e))))) {
      s.destroy();
      return null;
    }
    s.write(encodeLine(req));
    return answer(s, this.init.path, this.init.deployTimeoutMs, signal);
  }
}
