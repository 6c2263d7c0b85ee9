/**
 * The real DatagramSocket: one node:dgram UDP socket. Send errors are counted, never thrown.
 * Bound to an IPv4 address: IPv4 only. Bound to an IPv6 address: IPv6, and with "::" dual
 * stack (IPv4 peers arrive as ::ffff:a.b.c.d and are reported and addressed as plain IPv4,
 * ip.ts). A destination of a family the socket cannot reach is a counted send error.
 */
import dgram from 'node:dgram';
import type { Logger } from '../common/logger.ts';
import type { DatagramSocket, Endpoint } from './datagram.ts';
import { NatmError } from './errors.ts';
import { canonicalIp } from './ip.ts';

export class UdpSocket implements DatagramSocket {
  private closed = false;
  sendErrors = 0;

  private constructor(
    private readonly sock: dgram.Socket,
    private readonly logger: Logger,
    private readonly reach: 4 | 6 | 'dual',
  ) {
    sock.on('error', (err) => logger.warn({ err }, 'udp socket error'));
  }

  /** Bind `ep` (port 0 picks a free port; read it back with local()). */
  static async bind(ep: Endpoint, logger: Logger): Promise<UdpSocket> {
    const v6 = ep.address.includes(':');
    const sock = dgram.createSocket(v6 ? { type: 'udp6', ipv6Only: false } : { type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) =>
        reject(
          new NatmError('BIND', `cannot bind UDP ${ep.address}:${ep.port}: ${err.message}`, { cause: err }),
        );
      sock.once('error', fail);
      sock.bind(ep.port, ep.address, () => (sock.off('error', fail), resolve()));
    });
    return new UdpSocket(sock, logger, v6 ? (ep.address === '::' ? 'dual' : 6) : 4);
  }

  send(data: Uint8Array, to: Endpoint): void {
    if (this.closed) return;
    const v6 = to.address.includes(':');
    if ((v6 && this.reach === 4) || (!v6 && this.reach === 6))
      return this.failed(new Error(`no IPv${v6 ? 6 : 4} on this socket`), to);
    const address = !v6 && this.reach === 'dual' ? `::ffff:${to.address}` : to.address;
    try {
      this.sock.send(data, to.port, address, (err) => {
        if (err) this.failed(err, to);
      });
    } catch (err) {
      this.failed(err as Error, to);
    }
  }

  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void {
    this.sock.on('message', (msg, rinfo) =>
      handler(new Uint8Array(msg), {
        address: canonicalIp(rinfo.address) ?? rinfo.address,
        port: rinfo.port,
      }),
    );
  }

  local(): Endpoint {
    const a = this.sock.address();
    return { address: canonicalIp(a.address) ?? a.address, port: a.port };
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
