/**
 * Transmission RPC over HTTP (rpc-spec.md of Transmission 3.00 and 4.x): one POST per
 * call with {method, arguments}; a 409 carries the X-Transmission-Session-Id to resend
 * with (retried once per call, never in a loop); Basic auth when configured; every call
 * has a timeout. Failures become TransferError with a code.
 */
import { TransferError } from './errors.ts';

export interface RpcInit {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  readonly timeoutMs: number;
}

const MAX_REPLY_BYTES = 16 << 20;

export class TransmissionRpc {
  private sessionId = '';

  constructor(private readonly init: RpcInit) {}

  async call<T = Record<string, unknown>>(method: string, args: object = {}): Promise<T> {
    let res = await this.post(method, args);
    if (res.status === 409) {
      this.sessionId = res.headers.get('x-transmission-session-id') ?? '';
      await res.body?.cancel();
      res = await this.post(method, args);
    }
    const text = await this.readBody(res, method);
    if (res.status === 401)
      throw new TransferError('AUTH', `${method}: 401, wrong or missing RPC credentials`);
    if (res.status === 403) throw new TransferError('FORBIDDEN', `${method}: 403, not in rpc-whitelist`);
    if (res.status !== 200) throw new TransferError('HTTP', `${method}: HTTP ${res.status} from the daemon`);
    let reply: { result?: unknown; arguments?: unknown };
    try {
      reply = JSON.parse(text) as typeof reply;
    } catch (cause) {
      throw new TransferError('PROTOCOL', `${method}: reply is not JSON`, { cause });
    }
    if (reply.result !== 'success')
      throw new TransferError('RPC', `${method}: daemon answered "${String(reply.result).slice(0, 200)}"`);
    return (reply.arguments ?? {}) as T;
  }

  private async post(method: string, args: object): Promise<Response> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-transmission-session-id': this.sessionId,
    };
    const { username, password } = this.init;
    if (username !== undefined)
      headers['authorization'] = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
    try {
      return await fetch(this.init.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ method, arguments: args }),
        signal: AbortSignal.timeout(this.init.timeoutMs),
      });
    } catch (cause) {
      const name = (cause as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError')
        throw new TransferError('TIMEOUT', `${method}: no answer within ${this.init.timeoutMs} ms`, {
          cause,
        });
      throw new TransferError('UNREACHABLE', `${method}: cannot reach ${this.init.url}`, { cause });
    }
  }

  /** The reply body, read up to MAX_REPLY_BYTES: a larger one is cut off, never buffered whole. */
  private async readBody(res: Response, method: string): Promise<string> {
    const parts: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body ?? []) {
        size += chunk.length;
        // Leaving the loop by throwing cancels the body stream (the connection is dropped).
        if (size > MAX_REPLY_BYTES)
          throw new TransferError('PROTOCOL', `${method}: reply larger than ${MAX_REPLY_BYTES} bytes`);
        parts.push(chunk);
      }
    } catch (cause) {
      if (cause instanceof TransferError) throw cause;
      const name = (cause as Error).name;
      const code = name === 'TimeoutError' || name === 'AbortError' ? 'TIMEOUT' : 'UNREACHABLE';
      throw new TransferError(code, `${method}: reply cut off (${(cause as Error).message})`, { cause });
    }
    return Buffer.concat(parts).toString('utf8');
  }
}
