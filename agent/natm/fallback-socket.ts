/**
 * natm's DatagramSocket with the stream fallback (docs/protocol/natm.md §Stream fallback):
 * the UDP socket, plus — while the machine (fallback-machine.ts) says so — one stream to a
 * rendezvous. In stream mode, datagrams to that rendezvous go over the stream as frames and
 * its frames arrive as datagrams from its UDP endpoint, so everything above (sealing,
 * register, relay, rate limits) is unchanged. Every probeMs a STUN Binding request goes
 * over UDP to each rendezvous; an answer (or any authenticated packet from a rendezvous
 * over UDP) moves natm back. Each change is logged once at warn.
 */
import type { Duplex } from 'node:stream';
import type { Clock, Timer } from '../lib/common/clock.ts';
import type { Logger } from '../lib/common/logger.ts';
import type { Counters } from '../lib/net/counters.ts';
import { sameEp, type DatagramSocket, type Endpoint } from '../lib/net/datagram.ts';
import { FramedStream } from '../lib/net/framed-stream.ts';
import { bindingRequest, decodeStun, looksLikeStun } from '../lib/wire/stun-codec.ts';
import { candidatesOf, FallbackMachine, type FallbackAction, type StreamKind } from './fallback-machine.ts';
import type { DialTarget } from './stream-dialer.ts';

export interface StreamFallbackInit {
  readonly rendezvous: readonly Endpoint[];
  readonly tcpPort?: number;
  readonly tlsPort?: number;
  readonly tlsPin?: string;
  readonly afterMs: number;
  readonly probeMs: number;
  /** A stream with no frame for this long is dropped (natm's path timeout). */
  readonly idleMs: number;
}

const TICK_MS = 1000;
const MAX_PROBES = 16;

const MESSAGES = {
  fell_back: 'UDP to the rendezvous unanswered: using a stream fallback',
  returned: 'UDP to the rendezvous answers again: stream fallback closed',
  stream_lost: 'stream fallback to the rendezvous lost',
  no_stream: 'UDP to the rendezvous unanswered and no stream fallback connects',
} as const;

export class FallbackSocket implements DatagramSocket {
  readonly machine: FallbackMachine;
  private handler: (data: Uint8Array, from: Endpoint) => void = () => {};
  private stream: FramedStream | undefined;
  private attempt = 0;
  private via: 'udp' | 'stream' | undefined;
  private readonly probes = new Set<string>();
  private timer: Timer | undefined;
  private kick: () => void = () => {};

  constructor(
    private readonly udp: DatagramSocket,
    private readonly c: {
      clock: Clock;
      logger: Logger;
      counters: Counters;
      dial: (t: DialTarget) => Promise<Duplex>;
    },
    private readonly init: StreamFallbackInit,
  ) {
    const kinds: StreamKind[] = [];
    if (init.tcpPort) kinds.push('tcp');
    if (init.tlsPort) kinds.push('tls');
    const candidates = candidatesOf(init.rendezvous.length, kinds);
    this.machine = new FallbackMachine(candidates, init, c.clock.now());
    udp.onMessage((d, from) => this.fromUdp(d, from));
    this.timer = c.clock.setInterval(() => this.apply(this.machine.tick(c.clock.now())), TICK_MS);
  }

  /**
   * The kind of the last stream, until UDP answers again: while a lost stream is being
   * replaced, UDP is still blocked as far as natm knows (the manager keeps uTP off).
   */
  private lastKind: StreamKind | undefined;

  /** Called each time a stream starts to carry natm (natm sends its register at once). */
  onStream(fn: () => void): void {
    this.kick = fn;
  }

  /** 'udp', or the kind of stream natm relies on (see lastKind): what status and members show. */
  inUse(): 'udp' | StreamKind {
    const s = this.machine.state;
    if (s.mode === 'stream') this.lastKind = s.candidate!.kind;
    return this.lastKind ?? 'udp';
  }

  send(data: Uint8Array, to: Endpoint): void {
    const s = this.machine.state;
    if (s.mode === 'stream' && this.stream && sameEp(to, this.init.rendezvous[s.candidate!.rdv])) {
      if (!this.stream.send(data)) this.c.counters.inc('stream_drop_backlog');
      return;
    }
    this.udp.send(data, to);
  }

  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void {
    this.handler = handler;
  }

  markAuthenticated(from: Endpoint): void {
    if (this.via !== 'udp' || !this.init.rendezvous.some((r) => sameEp(r, from))) return;
    this.apply(this.machine.udpAnswered(this.c.clock.now()));
  }

  local(): Endpoint {
    return this.udp.local();
  }

  async close(): Promise<void> {
    this.timer?.cancel();
    this.attempt++;
    this.stream?.close('local');
    await this.udp.close();
  }

  private fromUdp(d: Uint8Array, from: Endpoint): void {
    if (looksLikeStun(d) && this.probes.size) {
      const s = decodeStun(d);
      const key = s?.txid.toString('hex');
      if (key && this.probes.delete(key) && this.init.rendezvous.some((r) => sameEp(r, from))) {
        this.c.counters.inc('stream_udp_probe_answered');
        return this.apply(this.machine.udpAnswered(this.c.clock.now()));
      }
    }
    this.deliver('udp', d, from);
  }

  private deliver(via: 'udp' | 'stream', d: Uint8Array, from: Endpoint): void {
    this.via = via;
    try {
      this.handler(d, from);
    } finally {
      this.via = undefined;
    }
  }

  private apply(actions: FallbackAction[]): void {
    for (const a of actions) {
      if (a.do === 'connect') this.connect(a.candidate.kind, a.candidate.rdv);
      else if (a.do === 'close') {
        this.attempt++;
        this.stream?.close('local');
        this.stream = undefined;
      } else if (a.do === 'probe') this.probe();
      else {
        const rdv = a.candidate ? this.init.rendezvous[a.candidate.rdv] : undefined;
        if (a.event === 'returned') this.lastKind = undefined;
        if (a.event === 'fell_back') this.lastKind = a.candidate!.kind;
        this.c.counters.inc(`stream_${a.event}`);
        this.c.logger.warn({ event: a.event, stream: a.candidate?.kind, rendezvous: rdv }, MESSAGES[a.event]);
      }
    }
  }

  private probe(): void {
    for (const ep of this.init.rendezvous) {
      const { txid, bytes } = bindingRequest();
      this.probes.add(txid.toString('hex'));
      if (this.probes.size > MAX_PROBES) this.probes.delete(this.probes.values().next().value!);
      this.udp.send(bytes, ep);
    }
    this.c.counters.inc('stream_udp_probes');
  }

  private connect(kind: StreamKind, rdv: number): void {
    const n = ++this.attempt;
    const ep = this.init.rendezvous[rdv]!;
    const port = kind === 'tcp' ? this.init.tcpPort! : this.init.tlsPort!;
    const to = { address: ep.address, port };
    this.c.counters.inc(`stream_connect_${kind}`);
    this.c.dial({ kind, to, pin: this.init.tlsPin }).then(
      (sock) => {
        if (n !== this.attempt) return void sock.destroy();
        this.stream = new FramedStream(sock, this.c.clock, this.init.idleMs, {
          onFrame: (f) => this.deliver('stream', f, ep),
          onClose: (reason) => {
            if (n !== this.attempt) return;
            this.stream = undefined;
            this.c.logger.debug({ reason, to }, 'stream closed');
            this.apply(this.machine.lost(this.c.clock.now()));
          },
        });
        this.apply(this.machine.connected(this.c.clock.now()));
        if (this.stream) this.kick();
      },
      (err: Error) => {
        if (n !== this.attempt) return;
        this.c.counters.inc(`stream_failed_${kind}`);
        this.c.logger.debug({ err: err.message, to, kind }, 'stream fallback attempt failed');
        this.apply(this.machine.failed(this.c.clock.now()));
      },
    );
  }
}
