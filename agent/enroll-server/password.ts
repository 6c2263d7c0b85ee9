/**
 * Admin password hashes: "scrypt$N$r$p$salt$hash" (salt and hash base64), verified in
 * constant time. N = 2^15 by default (~32 MiB, ~0.1 s on a small board).
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

function scryptAsync(pw: string, salt: Buffer, len: number, o: ScryptOptions): Promise<Buffer> {
  return new Promise((res, rej) => scrypt(pw, salt, len, o, (e, k) => (e ? rej(e) : res(k))));
}

export async function hashPassword(password: string, N = 2 ** 15, r = 8, p = 1): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, 32, { N, r, p, maxmem: 128 * N * r * 2 });
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [tag, n, r, p, salt, hash] = stored.split('$');
  if (tag !== 'scrypt' || !salt || !hash) return false;
  const [N, R, P] = [Number(n), Number(r), Number(p)];
  if (![N, R, P].every(Number.isSafeInteger) || N > 2 ** 20 || R > 32 || P > 16) return false;
  const want = Buffer.from(hash, 'base64');
  const got = await scryptAsync(password, Buffer.from(salt, 'base64'), want.length, {
    N,
    r: R,
    p: P,
    maxmem: 128 * N * R * 2,
  });
  return want.length === got.length && timingSafeEqual(want, got);
}
