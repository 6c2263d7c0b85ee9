/**
 * The adapter of serve-only updates (serve-only.ts): keeps the book in
 * stateDir/serve-only.json (status reads it) and the refused torrent beside the accepted
 * ones, adds a needed one to transmission-daemon in its own directory with this node's
 * tracker, tells natm it holds it (so neighbours get this node's address), and removes
 * what is let go, with its data. Never deploys anything.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SignedFacts } from '../lib/common/errors.ts';
import { writeFileDurable } from '../lib/common/durable-file.ts';
import { withAnnounce } from '../lib/metainfo/announce.ts';
import { parseTorrentPlusPlus } from '../lib/metainfo/parse.ts';
import { isComplete } from '../lib/transmission/progress.ts';
import { errorText, type Core } from './core.ts';
import { torrentDirOf } from './payload-dir.ts';
import { ServeBook, type NeighbourRow, type ServeEntry } from './serve-only.ts';

export const serveFile = (stateDir: string): string => join(stateDir, 'serve-only.json');

export async function readServeEntries(stateDir: string): Promise<ServeEntry[]> {
  try {
    const j = JSON.parse(await readFile(serveFile(stateDir), 'utf8')) as { entries?: unknown };
    return Array.isArray(j.entries) ? (j.entries as ServeEntry[]) : [];
  } catch {
    return [];
  }
}

export class ServeRun {
  private complete = new Set<string>();

  constructor(
    private readonly core: Core,
    readonly book: ServeBook,
  ) {}

  static async open(core: Core): Promise<ServeRun> {
    const entries = await readServeEntries(core.config.stateDir);
    return new ServeRun(core, new ServeBook(core.config.serveOnly, entries));
  }

  private async save(): Promise<void> {
    const body = JSON.stringify({ schema: 1, entries: this.book.entries() }, null, 1);
    await writeFileDurable(serveFile(this.core.config.stateDir), body);
  }

  /** A refusal whose signature verified: remember the update in case a neighbour needs it. */
  async offer(raw: Uint8Array, si: SignedFacts, code: string, reason: string): Promise<void> {
    const t = parseTorrentPlusPlus(raw);
    const o = this.book.offer({
      ...{ uri: si.uri, version: si.version, infoHash: t.infoHash, length: t.info.length },
      ...{ code, reason, at: this.core.clock.now() },
    });
    const log = { uri: si.uri, version: si.version, infoHash: t.infoHash, code };
    if (o.kind === 'refused')
      return this.core.log.info({ ...log, why: o.reason }, 'not serving a refused update');
    await this.core.store.saveTorrent(t.infoHash, raw);
    await this.save();
    for (const d of o.dropped) await this.dropTorrent(d.infoHash);
  }

  /** A torrent file the book no longer names, unless an accepted update uses it. */
  private async dropTorrent(infoHash: string): Promise<void> {
    const used = Object.values(this.core.store.data.uris).some((r) => r.current?.infoHash === infoHash);
    if (!used) await this.core.store.removeTorrent(infoHash);
  }

  /** A fleet view from natm: start, stop or block serve-only torrents. */
  async onMembers(members: readonly unknown[], connectivity: unknown): Promise<void> {
    if (!this.book.waiting) return;
    const ext = (connectivity as { external?: { address?: unknown } } | undefined)?.external?.address;
    const rows = members.filter((m): m is NeighbourRow => typeof m === 'object' && m !== null);
    const p = this.book.plan(rows, typeof ext === 'string' ? ext : null, this.core.clock.now());
    for (const e of p.blocked)
      this.core.log.warn(
        { uri: e.uri, version: e.version, for: e.for, why: e.note },
        'not serving a needed update',
      );
    for (const e of p.stop) {
      await this.core.tx.remove(e.infoHash, true).catch(() => undefined);
      await this.dropTorrent(e.infoHash);
      this.complete.delete(e.infoHash);
      this.core.log.info({ uri: e.uri, version: e.version }, 'serve-only update let go');
    }
    for (const e of p.start) {
      const raw = await this.core.store.loadTorrent(e.infoHash);
      const t = withAnnounce(parseTorrentPlusPlus(raw), this.core.trackerUrl());
      const dir = torrentDirOf(this.core.config.transmission.downloadDir, {
        infoHash: e.infoHash,
        ownDir: true,
      });
      await this.core.tx.add(t.raw, dir);
      this.core.natm.have(e.infoHash, false);
      this.core.log.info(
        { uri: e.uri, version: e.version, for: e.for, code: e.code },
        'serving an update this node does not deploy, for its neighbours',
      );
    }
    if (p.start.length + p.stop.length + p.blocked.length > 0) await this.save();
  }

  /** Tells natm once a serve-only torrent is complete (its fleet record then says so). */
  async tick(): Promise<void> {
    for (const e of this.book.entries()) {
      if (e.state !== 'serving' || this.complete.has(e.infoHash)) continue;
      try {
        const t = await this.core.tx.get(e.infoHash);
        if (t !== null && isComplete(t)) {
          this.complete.add(e.infoHash);
          this.core.natm.have(e.infoHash, true);
          this.core.log.info({ uri: e.uri, version: e.version }, 'serve-only update complete; seeding');
        }
      } catch (err) {
        this.core.log.debug({ infoHash: e.infoHash, err: errorText(err) }, 'serve-only poll failed');
      }
    }
  }

  /** natm (re)connected: say again what is held. */
  held(): { infoHash: string; complete: boolean }[] {
    return this.book
      .entries()
      .filter((e) => e.state === 'serving')
      .map((e) => ({ infoHash: e.infoHash, complete: this.complete.has(e.infoHash) }));
  }
}
