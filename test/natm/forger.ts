/**
 * Test helper: what an outsider with no credentials can put on the wire in open mode — natm
 * packets signed by fresh keys it makes itself (a key costs nothing), sealed exactly as a
 * node would seal them. Used by the abuse tests (peer book, rendezvous, amplification).
 */
import { sodium } from '../../agent/lib/crypto/sodium.ts';
import { SignedFramer } from '../../agent/lib/wire/envelope/signed-framer.ts';
import { type Body, encodePacket } from '../../agent/lib/wire/messages.ts';

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
}
