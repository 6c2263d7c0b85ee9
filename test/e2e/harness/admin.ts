/**
 * The admin's side of the scenarios, through the real admin CLI: sign a release of
 * app:/opt/demo with `p2p-update create`, and forge the attacks the scenarios need.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTorrentPlusPlus } from '../../../agent/lib/metainfo/parse.ts';
import { BIN } from './paths.ts';
import { DEMO_URI } from './node-configs.ts';
import { run } from './run.ts';

export interface Release {
  readonly version: number;
  readonly torrent: string;
  readonly payload: string;
  /** info.name: the payload's file name (the inbox expects it beside the torrent). */
  readonly name: string;
  readonly sha256: string;
  readonly size: number;
  /** The BitTorrent info hash (hex), what Transmission lists the torrent under. */
  readonly infoHash: string;
}

export class Admin {
  constructor(
    readonly dir: string,
    readonly key: string,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** A random payload of `size` bytes signed as `version` (by `key`, default the admin's). */
  async release(
    version: number,
    size: number,
    opts: { key?: string; tag?: string; expires?: string; create?: readonly string[] } = {},
  ): Promise<Release> {
    const tag = opts.tag ?? '';
    const name = `demo-app-v${version}${tag}.bin`;
    const payload = join(this.dir, name);
    const bytes = randomBytes(size);
    writeFileSync(payload, bytes);
    const torrent = join(this.dir, `demo-app-v${version}${tag}.torrent`);
    const args = ['create', payload, '--uri', DEMO_URI, '--version', String(version)];
    const more = ['--expires', opts.expires ?? '7d', ...(opts.create ?? [])];
    await run(BIN, [...args, '--key', opts.key ?? this.key, ...more, '--out', torrent], {
      timeoutMs: 60_000,
    });
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const { infoHash } = parseTorrentPlusPlus(new Uint8Array(readFileSync(torrent)));
    return { version, torrent, payload, name, sha256, size, infoHash };
  }

  /** A second key pair, not trusted by any node (the attacker's). */
  async attackerKey(): Promise<string> {
    await run(BIN, ['keygen', '--out', join(this.dir, 'mallory')], { timeoutMs: 30_000 });
    return join(this.dir, 'mallory.key');
  }

  /** The genuine torrent of `r` with a different payload of the same size beside it. */
  swappedPayload(r: Release): string {
    const dir = join(this.dir, `swapped-v${r.version}`);
    mkdirSync(dir, { recursive: true });
    const evil = Buffer.from(readFileSync(r.payload));
    evil.fill(0x41, 0, 64);
    writeFileSync(join(dir, r.name), evil);
    return join(dir, r.name);
  }
}
