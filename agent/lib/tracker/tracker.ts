/**
 * The node's own HTTP tracker on localhost: Transmission announces here and gets the
 * peers the overlay (or the config) knows for the torrent. Malformed announces get a
 * bencoded failure reason, never an exception; only GET /announce is served.
 *
 * Interval: `fastIntervalS` (when set) while the announcer still downloads (`left` > 0)
 * and in reply to its first announce (`event=started`), so new peers reach a downloading
 * daemon within a second or two, and a seeder's second announce comes at once (3.00 and
 * 4.0 ignore reannounces between the first and the second announce: levers memo §2);
 * `intervalS` otherwise. `min interval` is `minIntervalS`.
 */
import { createServer, type Server } from 'node:http';
import { isIPv6, type AddressInfo } from 'node:net';
import type { Logger } from '../common/logger.ts';
import { AnnounceLog } from './announce-log.ts';
import { announceReply, failureReply, infoHashOf, scrapeReply } from './compact.ts';
import { canonicalIp } from '../net/ip.ts';
import type { PeerTable } from './peer-table.ts';

const MAX_CONNECTIONS = 64;

export interface TrackerInit {
  readonly host: string;
  readonly port: number;
  readonly intervalS: number;
  /** Interval while the announcer downloads, and after its first announce; 0 or absent: `intervalS`. */
  readonly fastIntervalS?: number;
  /** `min interval` of every reply; absent: min(5, interval). */
  readonly minIntervalS?: number;
}

export class Tracker {
  private server: Server | null = null;
  private port = 0;
  announces = 0;
  bad = 0;
  /** Per torrent: announces seen and the last reply's timers. */
  readonly log = new AnnounceLog();

  constructor(
    private readonly c: { peers: PeerTable; log: Logger; now?: () => number },
    private readonly init: TrackerInit,
  ) {}

  get url(): string {
    const host = isIPv6(this.init.host) ? `[${this.init.host}]` : this.init.host;
    return `http://${host}:${this.port}/announce`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    // Bounded like any untrusted input: small headers, prompt requests, few connections.
    const server = createServer(
      { maxHeaderSize: 8192, headersTimeout: 10_000, requestTimeout: 10_000 },
      (req, res) => {
        res.setHeader('content-type', 'text/plain');
        let body: Uint8Array;
        try {
          body =
            req.method === 'GET'
              ? this.answer(req.url ?? '', req.socket.remoteAddress ?? '')
              : this.refuse(req.url ?? '', `method ${String(req.method).slice(0, 10)}`);
        } catch (e) {
          this.bad++;
          body = failureReply('bad request');
          this.c.log.debug(
            { url: (req.url ?? '').slice(0, 200), reason: String(e) },
            'tracker dropped request',
          );
        }
        res.end(body);
      },
    );
    server.maxConnections = MAX_CONNECTIONS;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.init.port, this.init.host, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    this.c.log.info({ url: this.url }, 'tracker listening');
  }

  private refuse(url: string, reason: string): Uint8Array {
    this.bad++;
    this.c.log.debug({ url: url.slice(0, 200), reason }, 'tracker dropped request');
    return failureReply('expected GET /announce?info_hash=<20 bytes>');
  }

  /** The reply to one request; never throws for bad input (only for programming errors). */
  private answer(url: string, remote: string): Uint8Array {
    if (url.startsWith('/scrape')) return scrapeReply();
    const infoHash = url.startsWith('/announce?') ? infoHashOf(url) : null;
    if (infoHash === null) return this.refuse(url, 'bad announce');
    this.announces++;
    const q = new URL(url, 'http://x').searchParams;
    const port = Number(q.get('port'));
    const peers = this.c.peers.list(infoHash, { ip: canonicalIp(remote) ?? remote, port });
    const fast = this.init.fastIntervalS ?? 0;
    const hurry = fast > 0 && (Number(q.get('left') ?? 0) > 0 || q.get('event') === 'started');
    const interval = hurry ? Math.min(fast, this.init.intervalS) : this.init.intervalS;
    const minInterval = Math.min(this.init.minIntervalS ?? Math.min(5, interval), interval);
    this.log.record(infoHash, (this.c.now ?? Date.now)(), interval, minInterval);
    this.c.log.debug({ infoHash, peers: peers.length, port, interval }, 'tracker announce');
    return announceReply(peers, interval, minInterval);
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = null;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
