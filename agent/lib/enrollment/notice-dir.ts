/**
 * The revocation-notice drop box of a running natm (docs/security.md §Revocation): a notice
 * made by `p2p-update ca revoke` (CA/notices/ID.revoke) or by the enrollment page lands in
 * NOTICES_DIR on any one node, written there by `ca revoke --notices-dir` or the server's
 * `noticesDirs` (notice-drop.ts) or copied by hand; natm scans the dir every `scanMs`,
 * hands each new `*.revoke` file (≤ 1 KiB) to gossip, which checks and spreads it. Notices
 * heard by gossip are written there too (ID.revoke), so they survive a restart. Bounded:
 * at most MAX_FILES names are looked at per scan. Never throws; failures are logged.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, Timer } from '../common/clock.ts';
import type { Logger } from '../common/logger.ts';
import { writeFileAtomic } from './json-file.ts';

export const MAX_FILES = 4096;
export const MAX_NOTICE_FILE = 1024;

export class NoticeDir {
  readonly #seen = new Set<string>();
  #timer: Timer | undefined;
  #scanning = false;

  constructor(
    private readonly c: {
      clock: Clock;
      log: Logger;
      /** Hands a notice to gossip: ids newly revoked, null when refused. */
      publish: (notice: Uint8Array) => string[] | null;
    },
    private readonly init: { dir: string; scanMs: number },
  ) {}

  async start(): Promise<void> {
    if (this.#timer) return;
    await mkdir(this.init.dir, { recursive: true, mode: 0o750 });
    this.#timer = this.c.clock.setInterval(() => void this.scan(), this.init.scanMs);
    await this.scan();
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** One pass over the dir; resolves to the ids newly revoked. */
  async scan(): Promise<string[]> {
    if (this.#scanning) return [];
    this.#scanning = true;
    const out: string[] = [];
    try {
      const names = (await readdir(this.init.dir)).filter((n) => n.endsWith('.revoke')).slice(0, MAX_FILES);
      for (const name of names) {
        if (this.#seen.has(name)) continue;
        this.#seen.add(name);
        const path = join(this.init.dir, name);
        if ((await stat(path)).size > MAX_NOTICE_FILE) {
          this.c.log.warn({ path }, 'revocation notice file too large: ignored');
          continue;
        }
        const ids = this.c.publish(new Uint8Array(await readFile(path)));
        if (ids === null) this.c.log.warn({ path }, 'not a valid revocation notice of this cluster: ignored');
        else if (ids.length) this.c.log.info({ path, revoked: ids }, 'revocation notice published');
        out.push(...(ids ?? []));
      }
    } catch (err) {
      this.c.log.warn({ err: (err as Error).message, dir: this.init.dir }, 'notice dir scan failed');
    } finally {
      this.#scanning = false;
    }
    return out;
  }

  /** Keeps a notice heard by gossip (not re-published: its name is marked seen). */
  async keep(nodeId: string, notice: Uint8Array): Promise<void> {
    if (!/^[a-z0-9_-]{1,64}$/.test(nodeId)) return;
    const name = `${nodeId}.revoke`;
    this.#seen.add(name);
    const path = join(this.init.dir, name);
    try {
      if (!existsSync(path)) await writeFileAtomic(path, notice, 0o644);
    } catch (err) {
      this.c.log.warn({ err: (err as Error).message, path }, 'cannot keep revocation notice');
    }
  }
}
