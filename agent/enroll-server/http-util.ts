/** Small helpers for node:http: bounded bodies, forms, JSON and safe response headers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EnrollError } from '../lib/enrollment/errors.ts';

export const MAX_BODY = 64 * 1024;

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export async function readBody(req: IncomingMessage, max = MAX_BODY): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) throw new EnrollError('BAD_REQUEST', `request body over ${max} bytes`);
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > max) throw new EnrollError('BAD_REQUEST', `request body over ${max} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const params = new URLSearchParams((await readBody(req, 8192)).toString('utf8'));
  return Object.fromEntries(params.entries());
}

export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  try {
    const v: unknown = JSON.parse((await readBody(req)).toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch (e) {
    if (e instanceof EnrollError) throw e;
  }
  throw new EnrollError('BAD_REQUEST', 'expected a JSON object');
}

export function send(
  res: ServerResponse,
  status: number,
  body: string | Uint8Array,
  type = 'text/html; charset=utf-8',
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...extra });
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  v: unknown,
  extra: Record<string, string> = {},
): void {
  send(res, status, JSON.stringify(v), 'application/json', extra);
}

export function redirect(res: ServerResponse, to: string, extra: Record<string, string> = {}): void {
  res.writeHead(303, { ...SECURITY_HEADERS, location: to, ...extra });
  res.end();
}
