/**
 * Shape check of the store file as read from disk, pure. The file is ours, but a
 * truncated disk, a hand edit or a future schema must stop start-up with a clear
 * error naming what is wrong, never be reset (the highest versions would be lost).
 */
import { parseManifest } from '../lib/metainfo/manifest.ts';
import { checkPolicy } from '../lib/rollout/policy.ts';
import { StoreError } from './store-error.ts';
import { UPDATE_STATES, type StoreData, type UpdateRecord, type UriRecord } from './model.ts';

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function need(ok: boolean, what: string): void {
  if (!ok) throw new StoreError('STORE_CORRUPT', `store: ${what}`);
}

const isInt = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isIntOrNull = (v: unknown): boolean => v === null || isInt(v);

function checkCurrent(c: unknown, where: string): void {
  if (c === null) return;
  need(isObj(c), `${where}.current is not an object`);
  const u = c as Partial<Record<keyof UpdateRecord, unknown>>;
  need(isInt(u.version), `${where}.current.version is not an integer`);
  need(
    typeof u.infoHash === 'string' && /^[0-9a-f]{40}$/.test(u.infoHash),
    `${where}.current.infoHash is bad`,
  );
  need(typeof u.name === 'string' && typeof u.sha256 === 'string', `${where}.current.name/sha256 missing`);
  need(isInt(u.length) && isInt(u.deployAttempts), `${where}.current.length/deployAttempts bad`);
  need((UPDATE_STATES as unknown[]).includes(u.state), `${where}.current.state "${String(u.state)}" unknown`);
  need(isObj(u.at) && typeof u.progress === 'number', `${where}.current.at/progress bad`);
  need(isIntOrNull(u.nextAttemptAt) && isIntOrNull(u.deployPid), `${where}.current timers bad`);
  need(u.ownDir === undefined || typeof u.ownDir === 'boolean', `${where}.current.ownDir is not a boolean`);
  need(u.gate === undefined || u.gate === null || typeof u.gate === 'string', `${where}.current.gate is bad`);
  if (u.rollout !== undefined) checkRollout(u.rollout, where);
  if (u.manifest !== undefined) checkManifest(u.manifest, where);
}

function checkManifest(m: unknown, where: string): void {
  need(typeof m === 'string', `${where}.current.manifest is not a string`);
  try {
    parseManifest(Buffer.from(m as string), 'manifest');
  } catch (e) {
    need(false, `${where}.current.manifest: ${(e as Error).message}`);
  }
}

function checkRollout(p: unknown, where: string): void {
  need(isObj(p) && Array.isArray(p['waves']), `${where}.current.rollout is not a policy`);
  try {
    checkPolicy(p as never);
  } catch (e) {
    need(false, `${where}.current.rollout: ${(e as Error).message}`);
  }
}

export function checkStore(v: unknown): StoreData {
  need(isObj(v), 'top level is not an object');
  const d = v as Record<string, unknown>;
  need(d['schema'] === 1, `schema ${JSON.stringify(d['schema'])} is not 1`);
  need(isObj(d['uris']), '"uris" is not an object');
  need(Array.isArray(d['refusals']), '"refusals" is not a list');
  for (const [uri, r] of Object.entries(d['uris'] as Record<string, unknown>)) {
    const where = `uris["${uri.slice(0, 60)}"]`;
    need(isObj(r), `${where} is not an object`);
    const u = r as Partial<Record<keyof UriRecord, unknown>>;
    need(isInt(u.highestAccepted), `${where}.highestAccepted is not an integer`);
    need(isIntOrNull(u.applied) && isIntOrNull(u.appliedAt), `${where}.applied is bad`);
    need(u.failed === undefined || isInt(u.failed), `${where}.failed is not an integer`);
    need(u.rolledBack === undefined || isInt(u.rolledBack), `${where}.rolledBack is not an integer`);
    checkCurrent(u.current, where);
  }
  return v as StoreData;
}

export function parseStoreText(text: string): StoreData {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new StoreError('STORE_CORRUPT', `store: not valid JSON (${(cause as Error).message})`, { cause });
  }
  return checkStore(json);
}
