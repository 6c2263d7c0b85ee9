/**
 * The link handshake: Noise_XX_25519_ChaChaPoly_BLAKE2b (Noise spec rev 34, pattern XX)
 *   -> e                        (HS1, after the stateless cookie exchange, cookie.ts)
 *   <- e, ee, s, es  + cert_R   (HS2)
 *   -> s, se         + cert_I   (HS3)
 * Static keys are the nodes' X25519 keys from their certificates; each certificate
 * travels encrypted as the handshake payload. Each side checks the peer's certificate
 * (CA, cluster, expiry, revocation: `checkPeer`) and that it names the static key the
 * peer just proved (KEY_MISMATCH). Ephemeral keys give forward secrecy. Pure state
 * machines: bytes in → `Step` (bytes to send, a session, or a typed error). A failed
 * step leaves the state as it was, so a spoofed packet cannot kill a handshake.
 */
import type { NodeCert } from './certificate.ts';
import { LinkError, MembershipError } from './errors.ts';
import { dh, generateKxPair, TAGLEN, type KeyPair } from './noise-crypto.ts';
import { TransportSession } from './session.ts';
import { SymmetricState } from './symmetric-state.ts';
import {
  concat,
  COOKIE_LEN,
  ECHO_LEN,
  HS1_LEN,
  COOKIE_MSG_LEN,
  MAX_CERT,
  T_COOKIE,
  T_HS1,
  T_HS2,
  T_HS3,
} from './wire.ts';

export const PROTOCOL_NAME = 'Noise_XX_25519_ChaChaPoly_BLAKE2b';
export const PROLOGUE = new TextEncoder().encode('p2pu-link-v1');
const ENC_S = 32 + TAGLEN;
const MAX_COOKIE_ROUNDS = 3;

export interface LinkIdentity {
  /** This node's certificate, as issued. */
  readonly cert: Uint8Array;
  /** The X25519 key pair the certificate names in `kx`. */
  readonly kx: KeyPair;
}

export interface HandshakeComponents {
  readonly random: (n: number) => Uint8Array;
}

export interface HandshakeInit {
  readonly identity: LinkIdentity;
  /** Verifies a peer certificate (verifyCertificate with this node's policy); throws MembershipError. */
  readonly checkPeer: (cert: Uint8Array) => NodeCert;
  /** Initiator only: the node id it means to reach (PEER_MISMATCH otherwise). */
  readonly expectPeer?: string;
  readonly windowSize?: number;
}

export type StepError = LinkError | MembershipError;
export type Step =
  { ok: true; send?: Uint8Array; session?: TransportSession } | { ok: false; error: StepError };

const fail = (code: LinkError['code'], msg: string): Step => ({ ok: false, error: new LinkError(code, msg) });

/** Decrypts s and cert, checks them; shared by both roles. `dhS` mixes es (initiator) or se (responder). */
function readStaticAndCert(
  ss: SymmetricState,
  body: Uint8Array,
  dhS: (rs: Uint8Array) => Uint8Array,
  init: HandshakeInit,
): { ok: true; peer: NodeCert } | { ok: false; step: Step } {
  if (body.length < ENC_S + TAGLEN || body.length > ENC_S + MAX_CERT + TAGLEN)
    return { ok: false, step: fail('MALFORMED', `handshake body of ${body.length} bytes`) };
  const rs = ss.decryptAndHash(body.subarray(0, ENC_S));
  if (!rs) return { ok: false, step: fail('DECRYPT_FAILED', 'peer static key failed authentication') };
  try {
    ss.mixKey(dhS(rs));
  } catch {
    return { ok: false, step: fail('MALFORMED', 'peer static key is a low-order point') };
  }
  const cert = ss.decryptAndHash(body.subarray(ENC_S));
  if (!cert) return { ok: false, step: fail('DECRYPT_FAILED', 'peer certificate failed authentication') };
  let peer: NodeCert;
  try {
    peer = init.checkPeer(cert);
  } catch (e) {
    if (e instanceof MembershipError) return { ok: false, step: { ok: false, error: e } };
    return { ok: false, step: fail('CERT_REFUSED', `peer certificate refused: ${String(e)}`) };
  }
  if (!Buffer.from(peer.kxKey).equals(Buffer.from(rs)))
    return {
      ok: false,
      step: fail('KEY_MISMATCH', `static key is not the one in ${peer.nodeId}'s certificate`),
    };
  if (init.expectPeer && peer.nodeId !== init.expectPeer)
    return { ok: false, step: fail('PEER_MISMATCH', `reached ${peer.nodeId}, expected ${init.expectPeer}`) };
  return { ok: true, peer };
}

function start(): SymmetricState {
  const ss = new SymmetricState(PROTOCOL_NAME);
  ss.mixHash(PROLOGUE);
  return ss;
}

export class Initiator {
  #ss = start();
  readonly #e: KeyPair;
  readonly #init: HandshakeInit;
  #state: 'wait-hs2' | 'done' = 'wait-hs2';
  #cookieRounds = 0;

  constructor(components: HandshakeComponents, init: HandshakeInit) {
    this.#init = init;
    this.#e = generateKxPair(components.random);
    this.#ss.mixHash(this.#e.publicKey);
    this.#ss.encryptAndHash(new Uint8Array(0)); // empty payload, k unset: MixHash only
  }

  /** HS1; repeated verbatim (with the cookie) after a COOKIE reply. */
  hello(cookie: Uint8Array = new Uint8Array(COOKIE_LEN)): Uint8Array {
    return concat(Uint8Array.of(T_HS1), cookie, this.#e.publicKey);
  }

  receive(pkt: Uint8Array): Step {
    if (this.#state !== 'wait-hs2') return fail('UNEXPECTED', 'handshake already complete');
    if (pkt[0] === T_COOKIE) {
      if (pkt.length !== COOKIE_MSG_LEN) return fail('MALFORMED', `COOKIE of ${pkt.length} bytes`);
      if (!Buffer.from(pkt.subarray(1, 1 + ECHO_LEN)).equals(this.#e.publicKey.subarray(0, ECHO_LEN)))
        return fail('BAD_COOKIE', 'COOKIE does not echo our ephemeral key');
      if (++this.#cookieRounds > MAX_COOKIE_ROUNDS) return fail('BAD_COOKIE', 'too many COOKIE rounds');
      return { ok: true, send: this.hello(pkt.subarray(1 + ECHO_LEN)) };
    }
    if (pkt[0] !== T_HS2 || pkt.length < 33)
      return fail('UNEXPECTED', `packet type ${pkt[0]} while awaiting HS2`);
    const ss = this.#ss.clone();
    const re = pkt.subarray(1, 33);
    ss.mixHash(re);
    try {
      ss.mixKey(dh(this.#e, re)); // ee
    } catch {
      return fail('MALFORMED', 'peer ephemeral key is a low-order point');
    }
    const me = this.#init.identity;
    const r = readStaticAndCert(ss, pkt.subarray(33), (rs) => dh(this.#e, rs), this.#init); // es
    if (!r.ok) return r.step;
    const encS = ss.encryptAndHash(me.kx.publicKey);
    ss.mixKey(dh(me.kx, re)); // se
    const encCert = ss.encryptAndHash(me.cert);
    const [k1, k2] = ss.split();
    this.#ss = ss;
    this.#state = 'done';
    const session = new TransportSession({
      peer: r.peer,
      handshakeHash: ss.h,
      sendKey: k1,
      recvKey: k2,
      windowSize: this.#init.windowSize,
    });
    return { ok: true, send: concat(Uint8Array.of(T_HS3), encS, encCert), session };
  }
}

export class Responder {
  #ss = start();
  #e: KeyPair | undefined;
  readonly #c: HandshakeComponents;
  readonly #init: HandshakeInit;
  #state: 'wait-hs1' | 'wait-hs3' | 'done' = 'wait-hs1';

  /** Create one only for an HS1 that passed `admit` (cookie.ts): no state before that. */
  constructor(components: HandshakeComponents, init: HandshakeInit) {
    this.#c = components;
    this.#init = init;
  }

  receive(pkt: Uint8Array): Step {
    if (this.#state === 'wait-hs1' && pkt[0] === T_HS1 && pkt.length === HS1_LEN) return this.#hs1(pkt);
    if (this.#state === 'wait-hs3' && pkt[0] === T_HS3) return this.#hs3(pkt);
    return fail('UNEXPECTED', `packet type ${pkt[0]} in state ${this.#state}`);
  }

  #hs1(pkt: Uint8Array): Step {
    const re = pkt.subarray(1 + COOKIE_LEN);
    const e = generateKxPair(this.#c.random);
    const ss = this.#ss.clone();
    ss.mixHash(re);
    ss.decryptAndHash(new Uint8Array(0));
    ss.mixHash(e.publicKey);
    try {
      ss.mixKey(dh(e, re)); // ee
    } catch {
      return fail('MALFORMED', 'peer ephemeral key is a low-order point');
    }
    const me = this.#init.identity;
    const encS = ss.encryptAndHash(me.kx.publicKey);
    ss.mixKey(dh(me.kx, re)); // es
    const encCert = ss.encryptAndHash(me.cert);
    [this.#ss, this.#e, this.#state] = [ss, e, 'wait-hs3'];
    return { ok: true, send: concat(Uint8Array.of(T_HS2), e.publicKey, encS, encCert) };
  }

  #hs3(pkt: Uint8Array): Step {
    const ss = this.#ss.clone();
    const e = this.#e!;
    const r = readStaticAndCert(ss, pkt.subarray(1), (rs) => dh(e, rs), this.#init); // se
    if (!r.ok) return r.step;
    const [k1, k2] = ss.split();
    this.#ss = ss;
    this.#state = 'done';
    return {
      ok: true,
      session: new TransportSession({
        peer: r.peer,
        handshakeHash: ss.h,
        sendKey: k2,
        recvKey: k1,
        windowSize: this.#init.windowSize,
      }),
    };
  }
}

/**
 * The responder's stateless gate for an HS1 from `addr` (the socket's observed address):
 * admit it if it carries a valid cookie, else answer a COOKIE and forget it.
 */
export function admit(
  jar: { valid(addr: string, c: Uint8Array): boolean; make(addr: string): Uint8Array },
  addr: string,
  pkt: Uint8Array,
): { admit: true } | { admit: false; reply?: Uint8Array } {
  if (pkt[0] !== T_HS1 || pkt.length !== HS1_LEN) return { admit: false };
  if (jar.valid(addr, pkt.subarray(1, 1 + COOKIE_LEN))) return { admit: true };
  const echo = pkt.subarray(1 + COOKIE_LEN, 1 + COOKIE_LEN + ECHO_LEN);
  return { admit: false, reply: concat(Uint8Array.of(T_COOKIE), echo, jar.make(addr)) };
}
