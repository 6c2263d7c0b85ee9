/** A simulated host and its sockets (DatagramSocket on the MemoryNetwork). */
import type { DatagramSocket, Endpoint } from '../net/datagram.ts';
import type { MemoryNetwork } from './memory-network.ts';
import type { NatBox } from './nat-box.ts';

export class SimHost {
  private readonly sockets = new Map<number, SimSocket>();
  private nextPort = 40000;

  constructor(
    private readonly net: MemoryNetwork,
    public address: string,
    public nat: NatBox | undefined,
    public isolated: boolean,
  ) {}

  /** Bind a socket; port 0 (default) picks a free one. */
  bind(port = 0): SimSocket {
    let p = port;
    if (p === 0) while (this.sockets.has((p = this.nextPort++)));
    if (this.sockets.has(p)) throw new Error(`simnet: port ${p} in use on ${this.address}`);
    const s = new SimSocket(this.net, this, p);
    this.sockets.set(p, s);
    return s;
  }

  socket(port: number): SimSocket | undefined {
    return this.sockets.get(port);
  }

  unbind(port: number): void {
    this.sockets.delete(port);
  }
}

export class SimSocket implements DatagramSocket {
  private handler: ((data: Uint8Array, from: Endpoint) => void) | undefined;
  private closed = false;

  constructor(
    private readonly net: MemoryNetwork,
    readonly host: SimHost,
    readonly port: number,
  ) {}

  send(data: Uint8Array, to: Endpoint): void {
    if (!this.closed) this.net.route(this, data, to);
  }

  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void {
    this.handler = handler;
  }

  local(): Endpoint {
    return { address: this.host.address, port: this.port };
  }

  /** Called by the network. */
  receive(data: Uint8Array, from: Endpoint): void {
    if (!this.closed) this.handler?.(data, from);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.host.unbind(this.port);
  }
}
