/**
 * The rendezvous' end of the stream fallback (docs/protocol/natm.md §Stream fallback):
 * accepts TCP (and TLS) connections from nodes whose UDP is blocked and hands each frame
 * to the server as if it were a datagram from the connection's remote address; what the
 * server sends to that address goes back as a frame. Every bound is per the config
 * (`stream` section) and counted as `stream_<reason>`:
 * - `maxStreams` connections in all, `streamsPerSource` per source address prefix: beyond,
 *   a new connection is closed at once (`stream_refused_full`, `stream_refused_source`);
 * - `idleMs` without a complete frame closes it (slowloris: partial frames are not traffic);
 * - a frame over 1280 bytes (or empty) closes it (`stream_closed_oversized_frame`);
 * - no authenticated natm packet within `authMs` of connecting, or more than
 *   MAX_UNAUTHENTICATED frames in a row that fail authentication, closes it
 *   (`stream_closed_unauthenticated`); STUN frames count neither way;
 * - `framesPerSec`/`frameBurst` per connection: frames beyond are dropped
 *   (`stream_drop_rate`), then the same per-node limits as UDP apply in the server.
 */
import type net from 'node:net';
import tls from 'node:tls';
import type { Clock, Timer } from '../lib/common/clock.ts';
import type { Logger } from '../lib/common/logger.ts';
import type { Counters } from '../lib/net/counters.ts';
import { epKey, type Endpoint } from '../lib/net/datagram.ts';
import { sourceKey } from '../lib/net/fair-share.ts';
import { canonicalIp } from '../lib/net/ip.ts';
import { FramedStream, type CloseReason } from '../lib/net/framed-stream.ts';
import { looksLikeStun } from '../lib/wire/stun-codec.ts';

/** Frames in a row that fail authentication before the connection is closed. */
export const MAX_UNAUTHENTICATED = 4;

export interface StreamLimits {
  readonly maxStreams: number;
  readonly streamsPerSource: number;
  readonly sourcePrefix: number;
  readonly idleMs: number;
  readonly authMs: number;
  readonly framesPerSec: number;
  readonly frameBurst: number;
}

interface Conn {
  readonly stream: FramedStream;
  readonly from: Endpoint;
  readonly source: string;
  authed: boolean;
  unauth: number;
  tokens: number;
  at: number;
  authTimer: Timer;
}

export class StreamListener {
  private readonly conns = new Map<string, Conn>();
  private readonly perSource = new Map<string, number>();
  private current: Conn | undefined;
  private authHit = false;

  constructor(
    private readonly c: { clock: Clock; counters: Counters; logger: Logger },
    private readonly limits: StreamLimits,
    private readonly deliver: (data: Uint8Array, from: Endpoint) => void,
  ) {}

  get size(): number {
    return this.conns.size;
  }

  /** A new connection from a net.Server; `secure` wraps it in TLS server-side first. */
  accept(raw: net.Socket, secure?: tls.SecureContext): void {
    const from = { address: canonicalIp(raw.remoteAddress ?? '') ?? '', port: raw.remotePort ?? 0 };
    const source = sourceKey(from.address, this.limits.sourcePrefix);
    const refuse = (why: string): void => {
      this.c.counters.inc(`stream_refused_${why}`);
      raw.destroy();
    };
    if (!from.address || !from.port) return refuse('no_address');
    if (this.conns.size >= this.limits.maxStreams) return refuse('full');
    if ((this.perSource.get(source) ?? 0) >= this.limits.streamsPerSource) return refuse('source');
    raw.setNoDelay(true);
    const sock = secure ? new tls.TLSSocket(raw, { isServer: true, secureContext: secure }) : raw;
    const key = epKey(from);
    this.conns.get(key)?.stream.close('replaced');
    const now = this.c.clock.now();
    const conn: Conn = {
      from,
      source,
      authed: false,
      unauth: 0,
      tokens: this.limits.frameBurst,
      at: now,
      authTimer: this.c.clock.setTimeout(() => {
        if (!conn.authed) conn.stream.close('unauthenticated');
      }, this.limits.authMs),
      stream: new FramedStream(sock, this.c.clock, this.limits.idleMs, {
        onFrame: (f) => this.frame(conn, f),
        onClose: (reason) => this.closed(conn, key, reason),
      }),
    };
    this.conns.set(key, conn);
    this.perSource.set(source, (this.perSource.get(source) ?? 0) + 1);
    this.c.counters.inc(secure ? 'stream_accepted_tls' : 'stream_accepted_tcp');
  }

  /** Send to `to` over its stream: false when no stream has that remote address. */
  send(to: Endpoint, data: Uint8Array): boolean {
    const conn = this.conns.get(epKey(to));
    if (!conn) return false;
    if (!conn.stream.send(data)) this.c.counters.inc('stream_drop_backlog');
    else this.c.counters.inc('stream_tx_frames');
    return true;
  }

  /** The server authenticated the datagram being delivered from `from` (Channel → socket). */
  authenticated(from: Endpoint): void {
    if (this.current && epKey(this.current.from) === epKey(from)) this.authHit = true;
  }

  closeAll(): void {
    for (const conn of [...this.conns.values()]) conn.stream.close('local');
  }

  private frame(conn: Conn, f: Uint8Array): void {
    const now = this.c.clock.now();
    conn.tokens = Math.min(
      this.limits.frameBurst,
      conn.tokens + ((now - conn.at) / 1000) * this.limits.framesPerSec,
    );
    conn.at = now;
    if (conn.tokens < 1) return this.c.counters.inc('stream_drop_rate');
    conn.tokens -= 1;
    this.c.counters.inc('stream_rx_frames');
    this.current = conn;
    this.authHit = false;
    try {
      this.deliver(f, conn.from);
    } finally {
      this.current = undefined;
    }
    if (looksLikeStun(f)) return;
    if (this.authHit) {
      conn.authed = true;
      conn.unauth = 0;
    } else if (++conn.unauth > MAX_UNAUTHENTICATED) conn.stream.close('unauthenticated');
  }

  private closed(conn: Conn, key: string, reason: CloseReason): void {
    conn.authTimer.cancel();
    if (this.conns.get(key) === conn) this.conns.delete(key);
    const n = (this.perSource.get(conn.source) ?? 1) - 1;
    if (n > 0) this.perSource.set(conn.source, n);
    else this.perSource.delete(conn.source);
    this.c.counters.inc(`stream_closed_${reason}`);
    this.c.logger.debug({ from: conn.from, reason }, 'stream closed');
  }
}
