/**
 * Cluster keys, Serf-keyring style: a list of 32-byte keys, the first one (primary)
 * seals, every one opens. Rotation: install the new key everywhere, make it primary
 * everywhere, then remove the old one. Keys are given base64-encoded in config.
 */
import { ConfigError } from '../../common/errors.ts';
import type _sodium from 'libsodium-wrappers';

export interface ClusterKey {
  readonly bytes: Uint8Array;
  /** First byte of BLAKE2b(key): lets `open` skip keys that cannot match. */
  readonly hint: number;
}

export const MAX_KEYS = 8;

export class Keyring {
  private keys: ClusterKey[] = [];

  constructor(
    private readonly sodium: typeof _sodium,
    base64Keys: readonly string[],
  ) {
    if (base64Keys.length === 0) throw new ConfigError('clusterKeys: at least one key is required');
    for (const k of base64Keys) this.install(k);
  }

  primary(): ClusterKey {
    return this.keys[0]!;
  }

  withHint(hint: number): ClusterKey[] {
    return this.keys.filter((k) => k.hint === hint);
  }

  size(): number {
    return this.keys.length;
  }

  /** Replace the whole list (config reload); the first key becomes primary. All-or-nothing. */
  replace(base64Keys: readonly string[]): void {
    if (base64Keys.length === 0) throw new ConfigError('clusterKeys: at least one key is required');
    const next = new Keyring(this.sodium, base64Keys);
    this.keys = next.keys;
  }

  /** Add a key (not primary). Idempotent. */
  install(base64: string): void {
    const k = this.decode(base64);
    if (this.keys.some((x) => this.sodium.memcmp(x.bytes, k.bytes))) return;
    if (this.keys.length >= MAX_KEYS) throw new ConfigError(`clusterKeys: at most ${MAX_KEYS} keys`);
    this.keys.push(k);
  }

  /** Make an installed key the primary. */
  use(base64: string): void {
    const k = this.decode(base64);
    const i = this.keys.findIndex((x) => this.sodium.memcmp(x.bytes, k.bytes));
    if (i < 0) throw new ConfigError('clusterKeys: cannot use a key that is not installed');
    this.keys.unshift(...this.keys.splice(i, 1));
  }

  /** Remove a key that is not the primary. */
  remove(base64: string): void {
    const k = this.decode(base64);
    if (this.sodium.memcmp(this.primary().bytes, k.bytes))
      throw new ConfigError('clusterKeys: cannot remove the primary key');
    this.keys = this.keys.filter((x) => !this.sodium.memcmp(x.bytes, k.bytes));
  }

  private decode(base64: string): ClusterKey {
    const bytes = Buffer.from(base64, 'base64');
    if (bytes.length !== 32 || bytes.toString('base64') !== base64)
      throw new ConfigError(
        'clusterKeys: each key must be 32 bytes, base64-encoded (p2p-update natm-keygen)',
      );
    const b = new Uint8Array(bytes);
    return { bytes: b, hint: this.sodium.crypto_generichash(16, b, null)[0]! };
  }
}
