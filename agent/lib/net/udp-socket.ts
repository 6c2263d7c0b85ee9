/** The real DatagramSocket: one node:dgram UDP4 socket. Send errors are counted, never thrown. */
import dgram from 'node:dgram';
import type { Logger } from '../common/logger.ts';
import type { DatagramSocket, Endpoint } from './datagram.ts';
import { NatmError } from './errors.ts';

export class UdpSocket implements DatagramSocket {
  private closed = false;
  sendErrors = 0;

  private constructor(
    private readonly sock: dgram.Socket,
    private readonly logger: Logger,
  ) {
    sock.on('error', (err) => logger.warn({ err }, 'udp socket error'));
  }

  /** Bind `ep` (port 0 picks a free port; read it back with local()). */
  static async bind(ep: Endpoint, logger: Logger): Promise<UdpSocket> {
    const sock = dgram.createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) =>
        reject(
          new NatmError('BIND', `cannot bind UDP ${ep.address}:${ep.port}: ${err.message}`, { cause: err }),
        );
      sock.once('error', fail);
      sock.bind(ep.port, ep.address, () => (sock.off('error', fail), resolve()));
    });
    return new UdpSocket(sock, logger);
  }

  send(data: Uint8Array, to: Endpoint): void {
    if (this.closed) return;
    try {
      this.sock.send(data, to.port, to.address, (err) => {
        if (err) this.failed(err, to);
      });
    } catch (err) {
      this.failed(err as Error, to);
    }
  }

  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void {
    this.sock.on('message', (msg, rinfo) =>
      handler(new Uint8Array(msg), { address: rinfo.address, port: rinfo.port }),
    );
  }

  local(): Endpoint {
    const a = this.sock.address();
    return { address: a.address, port: a.port };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.sock.close(() => resolve()));
  }

  private failed(err: Error, to: Endpoint): void {
    this.sendErrors++;
    this.logger.debug({ err, to }, 'udp send failed');
  }
}
