/**
 * Test helper: what an outsider with no credentials can put on the wire in open mode — natm
 * packets signed by fresh keys it makes itself (a key costs nothing), sealed exactly as a
 * node would seal them. Used by the abuse tests (peer book, rendezvous, amplification).
 */
import { sodium } from '../../agent/lib/crypto/sodium.ts';
import type { SimSocket } from '../../agent/lib/simnet/sim-host.ts';
import { SignedFramer } from '../../agent/lib/wire/envelope/signed-framer.ts';
import { type Body, decodePacket, encodePacket, type Packet } from '../../agent/lib/wire/messages.ts';

type Sodium = Awaited<ReturnType<typeof sodium>>;

export class Forger {
  private seq = 0;
  private constructor(private readonly s: Sodium) {}

  static async create(): Promise<Forger> {
    return new Forger(await sodium());
  }

  /** A framer with a fresh key: a new identity. */
  identity(): SignedFramer {
    return SignedFramer.ephemeral(this.s);
  }

  /** `body` signed by `as` (a fresh identity unless given), under that identity's own id. */
  packet(body: Body, as: SignedFramer = this.identity()): Uint8Array {
    return as.seal(encodePacket({ sender: as.signerId, epoch: 1, seq: this.seq++, body }));
  }

  /** What an open-mode datagram says (anyone can read it: it is signed, not encrypted). */
  read(data: Uint8Array): Packet | undefined {
    const opened = this.identity().open(data);
    const d = opened.ok ? decodePacket(opened.plain) : undefined;
    return d?.ok ? d.packet : undefined;
  }

  /**
   * Makes `sock` an attacker that owns its address: every probe or ack it receives with a
   * token is answered with an ack echoing that token, from a fresh key. Return routability
   * then lets its packets through; only the per-source quotas stand in its way.
   * Returns a counter of the answers sent.
   */
  answerProbes(sock: SimSocket): { answered: number } {
    const n = { answered: 0 };
    sock.onMessage((data, from) => {
      const p = this.read(data);
      if (p?.body.t !== 'probe' || p.body.token === 0) return;
      n.answered++;
      sock.send(this.packet({ t: 'probe', token: 1, ack: true, echo: p.body.token }), from);
    });
    return n;
  }
}
