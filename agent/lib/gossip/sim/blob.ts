/**
 * Test notifications for simulations: a JSON header line {uri, version} then deterministic
 * padding up to `size` bytes. The simulated manager "verifies" by parsing the header.
 */
import { createHash } from 'node:crypto';

export function makeBlob(uri: string, version: number, size: number): { id: string; bytes: Uint8Array } {
  const head = new TextEncoder().encode(`${JSON.stringify({ uri, version })}\n`);
  const bytes = new Uint8Array(Math.max(size, head.length));
  bytes.set(head);
  for (let i = head.length; i < bytes.length; i++) bytes[i] = (i * 31 + version) & 0xff;
  return { id: createHash('sha256').update(bytes).digest('hex'), bytes };
}

export function blobHeader(bytes: Uint8Array): { uri: string; version: number } | null {
  const nl = bytes.indexOf(10);
  if (nl < 0 || nl > 600) return null;
  try {
    const h = JSON.parse(new TextDecoder().decode(bytes.subarray(0, nl))) as {
      uri: unknown;
      version: unknown;
    };
    return typeof h.uri === 'string' && typeof h.version === 'number'
      ? { uri: h.uri, version: h.version }
      : null;
  } catch {
    return null;
  }
}
