/**
 * Trusting the right CA at enrollment (docs/security.md §CA and enrollment): the CA key
 * pinned by its fingerprint, handed over by the admin out of band (`p2p-update ca init`
 * and `ca list` print it), instead of trusting whatever key the server shows first; and
 * no clear-text HTTP to a server off this host unless the admin says so (`--insecure`):
 * the token would cross the network in clear and anyone on the path could answer as the CA.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { EnrollError } from './errors.ts';

/**
 * "SHA256:" and the unpadded base64 of SHA-256 of the 32-byte Ed25519 public key (OpenSSH's
 * notation, over the raw key). From ca.pub by hand: `openssl pkey -pubin -in ca.pub
 * -outform DER | tail -c 32 | openssl dgst -sha256 -binary | base64`.
 */
export function caFingerprint(publicKey: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(publicKey).digest('base64').replace(/=+$/, '')}`;
}

const FP_RE = /^SHA256:[A-Za-z0-9+/]{43}$/;

export function parseFingerprint(text: string): string {
  const t = text.trim();
  if (!FP_RE.test(t))
    throw new EnrollError(
      'BAD_REQUEST',
      `CA fingerprint: expected "SHA256:" and 43 base64 characters, got "${t.slice(0, 60)}"`,
    );
  return t;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1' || h === '0:0:0:0:0:0:0:1';
}

/** Refuses a URL that is not http(s), or http:// to a host that is not loopback unless `insecure`. */
export function checkServerUrl(server: string, insecure: boolean): URL {
  let u: URL;
  try {
    u = new URL(server);
  } catch {
    throw new EnrollError('BAD_REQUEST', `enrollment server: "${server}" is not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new EnrollError('BAD_REQUEST', `enrollment server: expected an https:// URL, got ${u.protocol}`);
  if (u.protocol === 'http:' && !isLoopback(u.hostname) && !insecure)
    throw new EnrollError(
      'INSECURE_URL',
      `refusing http://${u.host}: the token and the CA key would cross the network in clear; use https:// (or --insecure on a network you trust)`,
    );
  return u;
}
