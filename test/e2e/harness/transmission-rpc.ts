/**
 * A small Transmission RPC client for the test side. The daemon listens on 127.0.0.1
 * inside its namespace; a socat process there exposes it on a Unix socket in the run
 * directory (the filesystem is shared, the loopback is not). Handles the 409 session-id
 * handshake; every call has a timeout.
 */
import { request } from 'node:http';

export class RpcError extends Error {
  override name = 'RpcError';
}

export class TransmissionRpc {
  private sessionId = '';

  constructor(readonly socketPath: string) {}

  private post(body: string): Promise<{ status: number; sid: string | undefined; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          path: '/transmission/rpc',
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Transmission-Session-Id': this.sessionId },
          timeout: 10_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              sid: res.headers['x-transmission-session-id'] as string | undefined,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      req.on('timeout', () => req.destroy(new RpcError('transmission RPC timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }

  async call<T = Record<string, unknown>>(method: string, args: object = {}): Promise<T> {
    const body = JSON.stringify({ method, arguments: args });
    let res = await this.post(body);
    if (res.status === 409 && res.sid) {
      this.sessionId = res.sid;
      res = await this.post(body);
    }
    if (res.status !== 200) throw new RpcError(`${method}: HTTP ${res.status}: ${res.text.slice(0, 200)}`);
    const doc = JSON.parse(res.text) as { result: string; arguments: T };
    if (doc.result !== 'success') throw new RpcError(`${method}: ${doc.result}`);
    return doc.arguments;
  }

  /** Polls session-get until the daemon answers (it takes a moment to bind). */
  async waitReady(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.call('session-get');
        return;
      } catch (e) {
        if (Date.now() > deadline)
          throw new RpcError(`transmission not ready after ${timeoutMs} ms: ${String(e)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
}
