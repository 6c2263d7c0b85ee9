/** The rendezvous' `stream` config key: TCP and TLS listeners of the stream fallback and their bounds. */
import { absPath, endpoint, int, section } from '../lib/config/fields.ts';

export const streamSection = () =>
  section({
    tcpListen: endpoint(true)
      .optional()
      .describe('TCP address for nodes whose UDP is blocked (e.g. 0.0.0.0:3478); absent: no TCP listener.'),
    tls: section({
      listen: endpoint(true).describe('TLS address, normally 0.0.0.0:443 (passes HTTPS-only firewalls).'),
      certFile: absPath().describe('PEM certificate the rendezvous presents (nodes pin its public key).'),
      keyFile: absPath().describe('PEM private key of certFile.'),
    })
      .optional()
      .describe('TLS listener (TLS 1.3); absent: none.'),
    maxStreams: int(1, 100_000).default(2048).describe('Stream connections held at once, in all.'),
    streamsPerSource: int(1, 100_000)
      .default(64)
      .describe('Stream connections from one source (an address prefix of sourcePrefix bits).'),
    idleMs: int(1000, 3_600_000)
      .default(60_000)
      .describe('A connection with no complete frame for this long is closed (above the nodes keepaliveMs).'),
    authMs: int(100, 600_000)
      .default(10_000)
      .describe('A connection that sent no authenticated natm packet this long after connecting is closed.'),
    framesPerSec: int(1, 100_000).default(100).describe('Frames taken per connection per second.'),
    frameBurst: int(1, 100_000).default(200).describe('Burst of framesPerSec.'),
  })
    .prefault({})
    .describe(
      'Stream fallback for nodes whose UDP is blocked (docs/protocol/natm.md §Stream fallback): the same packets, length-prefixed, over TCP and TLS.',
    );
