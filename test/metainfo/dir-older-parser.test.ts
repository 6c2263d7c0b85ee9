/**
 * How a node of the release before directory payloads treats a directory torrent
 * (docs/protocol/torrent-file-plus-plus.md §Directory payloads, "Older parsers"): the
 * metainfo code of main at commit a3a5159 (2026-12-03, the last before this feature) is run
 * on a directory torrent made by today's `create`. That code is kept frozen in
 * fixtures/agent-lib-a3a5159.tar.gz (`git archive --format=tar.gz a3a5159 agent/lib`), so
 * the test needs no git history (a shallow clone, a copy without .git). It must refuse
 * it cleanly, MALFORMED, naming the unknown key; a single-file torrent made today still
 * passes it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createTorrentPlusPlus } from '../../agent/lib/metainfo/create.ts';
import { makeTree } from '../helpers/dir-torrent.ts';
import { makeAdmin, makeTorrent, tempDir, type Admin } from '../helpers/fixtures.ts';

const OLD = 'a3a5159';
const repo = fileURLToPath(new URL('../..', import.meta.url));

describe(`a node running the parser of ${OLD} (before directory payloads)`, () => {
  let oldDir: string;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let admin: Admin;
  let verifyOld: (raw: Uint8Array, o: unknown) => Promise<{ infoHash: string }>;

  before(async () => {
    // Inside the repository, so that the old code resolves its packages from node_modules.
    oldDir = await mkdtemp(join(repo, '.old-parser-'));
    const tar = readFileSync(new URL(`./fixtures/agent-lib-${OLD}.tar.gz`, import.meta.url));
    execFileSync('tar', ['-xz', '-C', oldDir], { input: tar });
    const mod = (await import(pathToFileURL(join(oldDir, 'agent/lib/metainfo/verify.ts')).href)) as {
      verifyTorrentPlusPlus: typeof verifyOld;
    };
    verifyOld = mod.verifyTorrentPlusPlus;
    tmp = await tempDir();
    admin = await makeAdmin();
  });
  after(async () => {
    await rm(oldDir, { recursive: true, force: true });
    await tmp.cleanup();
  });

  it('refuses a directory torrent: MALFORMED, unknown key "files"', async () => {
    const root = join(tmp.path, 'tree');
    await makeTree(root, { a: 'x', 'b/c': 'y' });
    const raw = await createTorrentPlusPlus(root, {
      uri: 'app:/t',
      version: 1,
      key: admin.secret,
      now: Date.now(),
    });
    await assert.rejects(verifyOld(raw, { trusted: [admin.pub], now: Date.now() }), (e: unknown) => {
      const err = e as { code?: string; message: string };
      assert.equal(err.code, 'MALFORMED', err.message);
      assert.match(err.message, /unknown key "files"/);
      return true;
    });
  });

  it('still accepts a single-file torrent made today', async () => {
    const { bytes } = await makeTorrent(tmp.path, admin, { inline: false });
    const u = await verifyOld(bytes, { trusted: [admin.pub], now: Date.now() });
    assert.match(u.infoHash, /^[0-9a-f]{40}$/);
  });
});
