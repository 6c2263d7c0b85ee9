/** The test's own Transmission RPC calls, over the forwarder's unix socket. */
import { request } from 'node:http';

export class SocketRpc {
  private sid = '';
  constructor(
    private readonly socketPath: string,
    private readonly auth: string,
  ) {}

  async call<T = Record<string, unknown>>(method: string, args: object = {}): Promise<T> {
    for (let i = 0; i < 2; i++) {
      const r = await this.post(JSON.stringify({ method, arguments: args }));
      if (r.status === 409) {
        this.sid = r.sid;
        continue;
      }
      if (r.status !== 200) throw new Error(`${method}: HTTP ${r.status}`);
      const body = JSON.parse(r.body) as { result: string; arguments: T };
      if (body.result !== 'success') throw new Error(`${method}: ${body.result}`);
      return body.arguments;
    }
    throw new Error(`${method}: session handshake failed`);
  }

  private post(body: string): Promise<{ status: number; sid: string; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          path: '/transmission/rpc',
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-transmission-session-id': this.sid,
            authorization: `Basic ${Buffer.from(this.auth).toString('base64')}`,
          },
          timeout: 5000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              sid: String(res.headers['x-transmission-session-id'] ?? ''),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(body);
    });
  }
}
