/**
 * The address a request comes from, as the key of the per-source limits: the socket's peer,
 * or, when that peer is one of `trustedProxies`, the last address the proxy appended to
 * X-Forwarded-For (nginx: `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`).
 * From anybody else X-Forwarded-For is ignored: a client cannot pick its own key. IPv6
 * addresses count per /64 (what one host or site usually gets), IPv4 per address.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export function normalizeAddress(a: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return v4 ? v4[1]! : a.toLowerCase();
}

/** IPv4 as is; IPv6 cut to its /64 prefix. */
export function sourceKey(address: string): string {
  const a = normalizeAddress(address).split('%')[0]!;
  if (isIP(a) !== 6) return a;
  const [head = '', tail = ''] = a.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = a.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

export function sourceOf(req: IncomingMessage, trustedProxies: readonly string[]): string {
  const peer = normalizeAddress(req.socket.remoteAddress ?? '');
  if (trustedProxies.includes(peer)) {
    const xff = req.headers['x-forwarded-for'];
    const last = (Array.isArray(xff) ? xff.join(',') : (xff ?? '')).split(',').at(-1)?.trim() ?? '';
    if (isIP(normalizeAddress(last))) return sourceKey(last);
  }
  return sourceKey(peer);
}
