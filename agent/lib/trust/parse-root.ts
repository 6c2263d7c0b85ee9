/**
 * Parsing a root document (docs/protocol/root.md §Layout), pure: size cap → shape bounds
 * → strict canonical bencode → fields, types and cross-references. Signatures are only
 * read here; verify-root.ts checks them.
 */
import { MetadataError } from '../common/errors.ts';
import { keyIdOf, type PublicKey } from '../crypto/keys.ts';
import { decodeStrict, encode, isDict, type BDict } from '../metainfo/bencode-strict.ts';
import { bytesField, dictField, intField, onlyKeys, textField } from '../metainfo/fields.ts';
import { LIMITS } from '../metainfo/limits.ts';
import { checkShape } from '../metainfo/shape.ts';
import { ROOT_LIMITS } from './limits.ts';
import type { Role, RootBody, SignedRoot } from './model.ts';
import { parseRules } from './parse-rules.ts';

export const ROOT_TYPE = 'p2p-update-root';
const KID_RE = /^[0-9a-f]{16}$/;
const bad = (msg: string) => new MetadataError('MALFORMED', `root: ${msg}`);

function parseKeys(d: BDict): Map<string, PublicKey> {
  const keys = new Map<string, PublicKey>();
  for (const [kid, v] of Object.entries(dictField(d, 'keys', 'root.signed'))) {
    if (!(v instanceof Uint8Array) || v.length !== 32)
      throw bad(`keys.${kid.slice(0, 20)}: expected 32 bytes`);
    if (kid !== keyIdOf(v))
      throw bad(`keys.${kid.slice(0, 20)}: the key id is not the key's (${keyIdOf(v)})`);
    keys.set(kid, { keyId: kid, bytes: new Uint8Array(v) });
  }
  if (keys.size === 0 || keys.size > ROOT_LIMITS.maxKeys)
    throw bad(`keys: expected 1 to ${ROOT_LIMITS.maxKeys} keys, found ${keys.size}`);
  return keys;
}

function parseRole(d: BDict, name: 'root' | 'update', keys: ReadonlyMap<string, PublicKey>): Role {
  const path = `root.signed.${name}`;
  const r = dictField(d, name, 'root.signed');
  onlyKeys(r, ['keys', 'threshold'], path);
  const list = r['keys'];
  if (!Array.isArray(list)) throw bad(`${name}.keys: expected a list of key ids`);
  const keyIds = list.map((k) => {
    const kid = k instanceof Uint8Array ? Buffer.from(k).toString('latin1') : '';
    if (!KID_RE.test(kid)) throw bad(`${name}.keys: expected 16 hex digits, found "${kid.slice(0, 20)}"`);
    if (!keys.has(kid)) throw bad(`${name}.keys: ${kid} is not among the root's keys`);
    return kid;
  });
  if (new Set(keyIds).size !== keyIds.length) throw bad(`${name}.keys: a key id is listed twice`);
  if (keyIds.length === 0) throw bad(`${name}.keys: expected at least one key id`);
  // An update carries at most LIMITS.maxSignatures signers: a higher threshold could never be met.
  const most = name === 'update' ? Math.min(keyIds.length, LIMITS.maxSignatures) : keyIds.length;
  const threshold = intField(r, 'threshold', path, 1, most);
  return { keyIds, threshold };
}

function parseBody(s: BDict): RootBody {
  onlyKeys(s, ['expires', 'keys', 'root', 'type', 'update', 'version', 'versions'], 'root.signed');
  const type = textField(s, 'type', 'root.signed', 64);
  if (type !== ROOT_TYPE) throw bad(`type: expected "${ROOT_TYPE}", found "${type}"`);
  const keys = parseKeys(s);
  return {
    version: intField(s, 'version', 'root.signed', 1),
    expires: intField(s, 'expires', 'root.signed'),
    keys,
    root: parseRole(s, 'root', keys),
    update: parseRole(s, 'update', keys),
    versions: parseRules(s),
  };
}

function parseSignatures(top: BDict): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const sigs = dictField(top, 'signatures', 'root');
  for (const kid of Object.keys(sigs)) {
    if (!KID_RE.test(kid))
      throw bad(`signatures: expected 16 hex digits as key, found "${kid.slice(0, 20)}"`);
    const sig = bytesField(sigs, kid, 'root.signatures');
    if (sig.length !== 64) throw bad(`signatures.${kid}: expected 64 bytes, found ${sig.length}`);
    out.set(kid, sig);
  }
  if (out.size > ROOT_LIMITS.maxSignatures)
    throw new MetadataError(
      'TOO_LARGE',
      `root: ${out.size} signatures, the limit is ${ROOT_LIMITS.maxSignatures}`,
    );
  return out;
}

export function parseRoot(raw: Uint8Array): SignedRoot {
  if (raw.length > ROOT_LIMITS.maxRootBytes)
    throw new MetadataError(
      'TOO_LARGE',
      `root is ${raw.length} bytes, the limit is ${ROOT_LIMITS.maxRootBytes}`,
    );
  checkShape(raw, ROOT_LIMITS.shape);
  const top = decodeStrict(raw);
  if (!isDict(top)) throw bad('expected a dictionary at the top level');
  onlyKeys(top, ['signatures', 'signed'], 'root');
  const signed = dictField(top, 'signed', 'root');
  return { body: parseBody(signed), bodyBytes: encode(signed), signatures: parseSignatures(top), raw };
}
