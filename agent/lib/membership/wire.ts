/**
 * Link packet layout (docs/security.md §Link packets). First byte is the type:
 *   1 HS1     [1][cookie 16][e 32]                         initiator → responder
 *   2 COOKIE  [2][echo 8][cookie 16]                       responder → initiator (25 < 49 bytes)
 *   3 HS2     [3][e 32][enc(s) 48][enc(cert) ≤ MAX_CERT+16]   responder → initiator
 *   4 HS3     [4][enc(s) 48][enc(cert) ≤ MAX_CERT+16]         initiator → responder
 *   5 DATA    [5][session id 4][counter 8, LE][ciphertext + tag 16]   both ways, after the handshake
 * The session id is the first 4 bytes of the final handshake hash: both ends know it, so
 * two sessions on one path (simultaneous open, or a re-handshake) stay apart.
 * The cookie is outside the Noise transcript; everything after it is inside.
 */
export const T_HS1 = 1;
export const T_COOKIE = 2;
export const T_HS2 = 3;
export const T_HS3 = 4;
export const T_DATA = 5;

export const COOKIE_LEN = 16;
export const ECHO_LEN = 8;
export const HS1_LEN = 1 + COOKIE_LEN + 32;
export const COOKIE_MSG_LEN = 1 + ECHO_LEN + COOKIE_LEN;
export const MAX_CERT = 1024;
export const MAX_PACKET = 64 * 1024;
export const SID_LEN = 4;
export const DATA_HEADER = 1 + SID_LEN + 8;

export function packetType(p: Uint8Array): number {
  return p.length > 0 ? p[0]! : 0;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
