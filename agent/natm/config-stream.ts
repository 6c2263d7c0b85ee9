/** natm's `streamFallback` config key: when UDP to the rendezvous is unanswered, reach it over TCP, then TLS. */
import { int, section, text } from '../lib/config/fields.ts';

const PIN = 'base64 SHA-256 of the certificate public key (44 chars)';

export const streamFallbackSection = () =>
  section({
    tcpPort: int(1, 65535)
      .optional()
      .describe("The rendezvous' TCP port (its stream.tcpListen), tried first; absent: no TCP attempt."),
    tlsPort: int(1, 65535)
      .optional()
      .describe("The rendezvous' TLS port (stream.tls.listen, normally 443), tried after TCP; needs tlsPin."),
    tlsPin: text(PIN)
      .regex(/^[A-Za-z0-9+/]{43}=$/, { error: PIN })
      .optional()
      .describe(
        "The rendezvous TLS key: base64 SHA-256 of its certificate's SubjectPublicKeyInfo (docs/protocol/natm.md §Stream fallback).",
      ),
    afterMs: int(1000, 3_600_000)
      .optional()
      .describe(
        'Fall back when no rendezvous answered over UDP for this long (default 2 x keepaliveMs + 5000: two rounds of STUN and register).',
      ),
    probeMs: int(1000, 3_600_000)
      .optional()
      .describe(
        'On the stream: probe UDP (STUN to each rendezvous) this often, and return when answered (default keepaliveMs).',
      ),
  })
    .optional()
    .describe(
      'Stream fallback for networks that block UDP: the same packets over TCP, then TLS, to the rendezvous (which relays). Absent: UDP only.',
    );
