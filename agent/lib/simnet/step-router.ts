/**
 * A packet-stepping router for protocol tests, after nebula's e2e router: the MemoryNetwork
 * with no delay on a FakeClock of its own, so every packet any simulated node sends waits
 * in one queue (the clock's timers, in send order) and the test moves them one at a time
 * (`step`) or until none are left (`run`, bounded). A `relay` hook sees each packet as it
 * is sent and may pass it, alter it or drop it (an on-path attacker, a lossy link).
 * Endpoints are plain names (a host per name, made on first use); what "delivering" means
 * is the owner's `deliver` function.
 */
import type { Endpoint } from '../net/datagram.ts';
import { FakeClock } from './fake-clock.ts';
import { MemoryNetwork } from './memory-network.ts';
import type { SimSocket } from './sim-host.ts';

export interface RoutedPacket {
  readonly from: string;
  readonly to: string;
  readonly bytes: Uint8Array;
}

const PORT = 1;

export class StepRouter {
  readonly #clock = new FakeClock();
  readonly #net = new MemoryNetwork(this.#clock, { delayMs: 0 });
  readonly #sockets = new Map<string, SimSocket>();
  /** Every packet the relay saw, in order (what a wiretap on the path records). */
  readonly seen: Uint8Array[] = [];
  /** The relay's hook: the bytes to forward (possibly altered), or null to drop. */
  relay: (p: RoutedPacket) => Uint8Array | null = (p) => p.bytes;

  constructor(
    private readonly name: string,
    private readonly deliver: (p: RoutedPacket) => void,
  ) {
    this.#net.tap = (bytes: Uint8Array, from: Endpoint, to: Endpoint) => {
      this.seen.push(bytes);
      return this.relay({ from: from.address, to: to.address, bytes });
    };
  }

  get pending(): number {
    return this.#clock.pending();
  }

  send(from: string, to: string, bytes: Uint8Array): void {
    this.#socket(to);
    this.#socket(from).send(bytes, { address: to, port: PORT });
  }

  /** Moves one packet; false when the queue was empty. */
  step(): boolean {
    return this.#clock.runNext();
  }

  /** Moves packets until none are left; throws when `maxSteps` were not enough (a packet storm). */
  run(maxSteps = 10_000): void {
    this.#clock.settle(maxSteps, this.name);
  }

  #socket(name: string): SimSocket {
    let socket = this.#sockets.get(name);
    if (!socket) {
      socket = this.#net.addHost(name).bind(PORT);
      socket.onMessage((bytes, from) => this.deliver({ from: from.address, to: name, bytes }));
      this.#sockets.set(name, socket);
    }
    return socket;
  }
}
