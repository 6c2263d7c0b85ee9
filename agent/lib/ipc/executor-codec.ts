/**
 * Encoding and strict decoding of the executor contract (executor-protocol.ts), pure.
 * A request that is not exactly one of the declared shapes (unknown key, wrong type,
 * relative path, oversized field) decodes to a coded refusal with a one-line reason;
 * a response that does not decode is null (the client treats it as a broken executor).
 */
import * as z from 'zod';
import { LIMITS } from '../metainfo/limits.ts';
import {
  MAX_PATH_BYTES,
  type ExecutorRequest,
  type ExecutorResponse,
  type RefusalCode,
} from './executor-protocol.ts';

const uri = z.string().min(1).max(LIMITS.maxUriBytes);
const version = z.int().min(0);
const infoHash = z.string().regex(/^[0-9a-f]{40}$/, 'expected 40 lower-case hex digits');
const absPath = z
  .string()
  .max(MAX_PATH_BYTES)
  .regex(/^\/[^\0]*$/, 'expected an absolute path');

const request = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('accepts'), uri }),
  z.strictObject({
    type: z.literal('deploy'),
    uri,
    version,
    infoHash,
    torrent: absPath,
    payload: absPath,
    root: absPath.optional(),
  }),
  z.strictObject({ type: z.literal('rollback'), uri, version, infoHash }),
]);

const text = z.string().max(1 << 20);
const response = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('accepts'), uri, accepted: z.boolean(), highest: version.nullable() }),
  z.strictObject({
    type: z.literal('applied'),
    uri,
    version,
    infoHash,
    ran: z.boolean(),
    durationMs: z.number().min(0),
    output: text,
  }),
  z.strictObject({
    type: z.literal('failed'),
    uri,
    version,
    code: z.enum(['DEPLOY_EXIT', 'DEPLOY_TIMEOUT', 'DEPLOY_SPAWN', 'DEPLOY_SIGNAL']),
    reason: text,
    output: text,
  }),
  z.strictObject({
    type: z.literal('unhealthy'),
    uri,
    version,
    infoHash,
    ran: z.boolean(),
    reason: text,
    output: text,
  }),
  z.strictObject({
    type: z.literal('rolled-back'),
    uri,
    version,
    infoHash,
    to: z.strictObject({ version, infoHash }),
    durationMs: z.number().min(0),
    output: text,
    health: z.enum(['ok', 'failed', 'none']),
    healthReason: text.optional(),
  }),
  z.strictObject({ type: z.literal('refused'), code: z.string().max(64), reason: text }),
]);

export type Decoded =
  | { readonly ok: true; readonly request: ExecutorRequest }
  | { readonly ok: false; readonly code: RefusalCode; readonly reason: string };

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

export function decodeRequest(line: string): Decoded {
  const v = parseJson(line);
  if (v === undefined) return { ok: false, code: 'BAD_REQUEST', reason: 'the request is not valid JSON' };
  const r = request.safeParse(v);
  if (r.success) return { ok: true, request: r.data };
  const i = r.error.issues[0]!;
  const where = i.path.length === 0 ? 'request' : i.path.join('.');
  return { ok: false, code: 'BAD_REQUEST', reason: `${where}: ${i.message}`.slice(0, 200) };
}

export function decodeResponse(line: string): ExecutorResponse | null {
  const r = response.safeParse(parseJson(line));
  return r.success ? (r.data as ExecutorResponse) : null;
}

/** One NDJSON line (with its newline). */
export function encodeLine(m: ExecutorRequest | ExecutorResponse): string {
  return `${JSON.stringify(m)}\n`;
}
