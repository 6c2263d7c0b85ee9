/**
 * Opens natm's stream to a rendezvous (docs/protocol/natm.md §Stream fallback): TCP, or
 * TLS 1.3 whose server key must be the pinned one — base64 SHA-256 of the certificate's
 * SubjectPublicKeyInfo (DER), as `openssl x509 -pubkey -noout | openssl pkey -pubin -outform
 * der | openssl dgst -sha256 -binary | base64` prints it. The certificate chain and name are
 * not checked: the pin is the whole trust decision (and every natm packet is signed or
 * sealed anyway). Resolves with the connected socket or rejects with a one-line reason.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Endpoint } from '../lib/net/datagram.ts';
import type { StreamKind } from './fallback-machine.ts';

export const CONNECT_TIMEOUT_MS = 5000;

export interface DialTarget {
  readonly kind: StreamKind;
  readonly to: Endpoint;
  /** tls: the pinned SPKI SHA-256 (base64). */
  readonly pin?: string;
}

export function spkiPin(cert: { publicKey: { export(o: { type: 'spki'; format: 'der' }): Buffer } }): string {
  return createHash('sha256')
    .update(cert.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
}

export function dial(target: DialTarget, timeoutMs = CONNECT_TIMEOUT_MS): Promise<Duplex> {
  const { kind, to, pin } = target;
  return new Promise((resolve, reject) => {
    const sock =
      kind === 'tcp'
        ? net.connect({ host: to.address, port: to.port })
        : tls.connect({ host: to.address, port: to.port, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
    const timer = setTimeout(() => fail(`no connection within ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      sock.destroy();
      reject(new Error(why));
    };
    sock.once('error', (e) => fail(e.message));
    sock.once(kind === 'tcp' ? 'connect' : 'secureConnect', () => {
      if (kind === 'tls') {
        const cert = (sock as tls.TLSSocket).getPeerX509Certificate();
        const got = cert ? spkiPin(cert) : '';
        if (got !== pin) return fail(`TLS key ${got || '(none)'} is not the pinned ${pin}`);
      }
      clearTimeout(timer);
      sock.removeAllListeners('error');
      sock.on('error', () => {}); // the FramedStream that takes it over handles errors
      (sock as net.Socket).setNoDelay(true);
      resolve(sock);
    });
  });
}
