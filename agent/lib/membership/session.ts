/**
 * A transport session after the handshake (Noise §5.1 CipherState per direction, with
 * explicit counters as in WireGuard so datagrams may arrive out of order): each DATA
 * packet is [5][sid 4][counter u64 LE][AEAD(k, counter, header, plaintext)]. The header is the
 * associated data, so a relay or bridge that flips any bit is detected; a counter seen
 * before or older than the window is refused (REPLAY). Pure apart from libsodium.
 */
import type { NodeCert } from './certificate.ts';
import { LinkError } from './errors.ts';
import { aeadDecrypt, aeadEncrypt, TAGLEN } from './noise-crypto.ts';
import { ReplayWindow } from '../wire/replay-window.ts';
import { concat, DATA_HEADER, MAX_PACKET, SID_LEN, T_DATA } from './wire.ts';

/** Past this many messages a session must be replaced by a new handshake. */
export const MAX_MESSAGES = 2 ** 48;

export type OpenResult = { ok: true; plaintext: Uint8Array } | { ok: false; error: LinkError };

export class TransportSession {
  readonly peer: NodeCert;
  /** Session id (hex of the 4 bytes on the wire). */
  readonly id: string;
  readonly #sendKey: Uint8Array;
  readonly #recvKey: Uint8Array;
  readonly #window: ReplayWindow;
  readonly #sid: Uint8Array;
  #sent = 0;

  constructor(init: {
    peer: NodeCert;
    handshakeHash: Uint8Array;
    sendKey: Uint8Array;
    recvKey: Uint8Array;
    windowSize?: number;
  }) {
    this.peer = init.peer;
    this.#sid = init.handshakeHash.slice(0, SID_LEN);
    this.id = Buffer.from(this.#sid).toString('hex');
    this.#sendKey = init.sendKey;
    this.#recvKey = init.recvKey;
    this.#window = new ReplayWindow(init.windowSize ?? 1024);
  }

  get sent(): number {
    return this.#sent;
  }

  /** Throws LinkError UNEXPECTED once MAX_MESSAGES were sent (re-handshake). */
  seal(plaintext: Uint8Array): Uint8Array {
    if (this.#sent >= MAX_MESSAGES) throw new LinkError('UNEXPECTED', 'session exhausted; handshake again');
    const n = this.#sent++;
    const header = Buffer.alloc(DATA_HEADER);
    header[0] = T_DATA;
    header.set(this.#sid, 1);
    header.writeBigUInt64LE(BigInt(n), 1 + SID_LEN);
    return concat(header, aeadEncrypt(this.#sendKey, n, header, plaintext));
  }

  open(packet: Uint8Array): OpenResult {
    if (packet.length < DATA_HEADER + TAGLEN || packet.length > MAX_PACKET || packet[0] !== T_DATA)
      return fail('MALFORMED', `DATA packet of ${packet.length} bytes`);
    const header = packet.subarray(0, DATA_HEADER);
    if (sessionIdOf(packet) !== this.id) return fail('UNEXPECTED', 'DATA for another session');
    const big = Buffer.from(header).readBigUInt64LE(1 + SID_LEN);
    if (big >= BigInt(MAX_MESSAGES)) return fail('REPLAY', 'counter beyond the session limit');
    const n = Number(big);
    if (!this.#window.check(n)) return fail('REPLAY', `counter ${n} already seen or too old`);
    const pt = aeadDecrypt(this.#recvKey, n, header, packet.subarray(DATA_HEADER));
    if (!pt) return fail('DECRYPT_FAILED', `DATA counter ${n} failed authentication`);
    this.#window.commit(n);
    return { ok: true, plaintext: pt };
  }
}

function fail(code: LinkError['code'], msg: string): OpenResult {
  return { ok: false, error: new LinkError(code, msg) };
}

/** The session id a DATA packet names (hex), or undefined if too short. */
export function sessionIdOf(packet: Uint8Array): string | undefined {
  return packet.length >= DATA_HEADER
    ? Buffer.from(packet.subarray(1, 1 + SID_LEN)).toString('hex')
    : undefined;
}
