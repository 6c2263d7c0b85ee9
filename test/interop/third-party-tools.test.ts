/**
 * Interop with tools nobody here wrote (Debian packages transmission-cli and openssl,
 * npm parse-torrent): a torrent-file++ is a valid BEP 3 file, and its Ed25519
 * signature checks out in OpenSSL over exactly the bytes the spec names.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import parseTorrent from 'parse-torrent';
import { parseTorrentPlusPlus } from '../../agent/lib/metainfo/parse.ts';
import { signedMessage } from '../../agent/lib/metainfo/signature.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { cli } from '../helpers/cli.ts';
import { parseTransmissionShow, showsBytes } from '../helpers/transmission-show.ts';

describe('torrent-file++ read by third-party tools', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let torrentPath: string;
  let raw: Uint8Array;

  before(async () => {
    dir = await tempDir();
    await writeFile(join(dir.path, 'update-1.2.tar'), Buffer.alloc(700_000, 5));
    assert.equal(cli(['keygen', '--out', join(dir.path, 'admin')]).status, 0);
    torrentPath = join(dir.path, 'u.torrent');
    const r = create(12, torrentPath);
    assert.equal(r.status, 0, r.stderr);
    raw = await readFile(torrentPath);
  });
  after(() => dir.cleanup());

  const create = (version: number, out: string, extra: string[] = []) =>
    cli([
      'create',
      join(dir.path, 'update-1.2.tar'),
      ...['--uri', 'app:/opt/demo', '--version', String(version), '--key', join(dir.path, 'admin.key')],
      ...extra,
      ...['--out', out],
    ]);

  it('transmission-show reports the same infohash and file list as our show', () => {
    const ours = JSON.parse(cli(['show', torrentPath, '--json']).stdout) as {
      infoHash: string;
      files: { path: string; length: number }[];
    };
    const theirs = parseTransmissionShow(
      execFileSync('transmission-show', [torrentPath], { encoding: 'utf8' }),
    );
    assert.equal(theirs.infoHash, ours.infoHash);
    assert.deepEqual(ours.files, [{ path: 'update-1.2.tar', length: 700_000 }]);
    assert.deepEqual(
      theirs.files.map((f) => f.path),
      ['update-1.2.tar'],
    );
    assert.ok(
      showsBytes(theirs.files[0]!.size, 700_000),
      `file size shown as ${theirs.files[0]!.size.bytes}`,
    );
    assert.ok(showsBytes(theirs.totalSize, 700_000), `total size shown as ${theirs.totalSize.bytes}`);
    assert.equal(theirs.general.get('name'), 'update-1.2.tar');
    assert.equal(theirs.general.get('piece count'), '43');
    assert.equal(theirs.privacy, 'private', 'BEP 27 private by default');
  });

  it('a directory torrent: transmission-show and parse-torrent list name/path of each file, the infohash agrees', async () => {
    const tree = join(dir.path, 'site');
    await mkdir(join(tree, 'css', 'print'), { recursive: true });
    await writeFile(join(tree, 'index.html'), Buffer.alloc(30_000, 1));
    await writeFile(join(tree, 'css', 'a.css'), Buffer.alloc(20_000, 2));
    await writeFile(join(tree, 'css', 'print', 'p.css'), Buffer.alloc(5, 3));
    const out = join(dir.path, 'site.torrent');
    const r = cli([
      'create',
      tree,
      '--uri',
      'web:/srv/site',
      '--version',
      '1',
      '--key',
      join(dir.path, 'admin.key'),
      '--out',
      out,
    ]);
    assert.equal(r.status, 0, r.stderr);
    const ours = parseTorrentPlusPlus(await readFile(out));
    const want = ['site/css/a.css', 'site/css/print/p.css', 'site/index.html'];
    const shown = parseTransmissionShow(execFileSync('transmission-show', [out], { encoding: 'utf8' }));
    assert.equal(shown.infoHash, ours.infoHash);
    assert.deepEqual(
      shown.files.map((f) => f.path),
      want,
    );
    assert.ok(showsBytes(shown.totalSize, 50_005), `total size shown as ${shown.totalSize.bytes}`);
    const p = await parseTorrent(await readFile(out));
    assert.equal(p.infoHash, ours.infoHash);
    assert.deepEqual(
      p.files.map((f: { path: string; length: number }) => [f.path, f.length]),
      [
        ['site/css/a.css', 20_000],
        ['site/css/print/p.css', 5],
        ['site/index.html', 30_000],
      ],
    );
  });

  it('create --public leaves the private flag out, as transmission-show and parse-torrent read it', async () => {
    const pubPath = join(dir.path, 'public.torrent');
    const r = create(13, pubPath, ['--public']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /public \(DHT\/PEX\/LPD allowed\)/);
    const shown = parseTransmissionShow(execFileSync('transmission-show', [pubPath], { encoding: 'utf8' }));
    assert.equal(shown.privacy, 'public');
    assert.ok(!(await parseTorrent(await readFile(pubPath))).private, 'parse-torrent: not private');
    assert.equal(parseTorrentPlusPlus(await readFile(pubPath)).info.private, false);
  });

  it('parse-torrent reads the same infohash, name and length', async () => {
    const p = await parseTorrent(raw);
    const t = parseTorrentPlusPlus(raw);
    assert.equal(p.infoHash, t.infoHash);
    assert.equal(p.name, 'update-1.2.tar');
    assert.equal(p.length, 700_000);
    assert.equal(p.private, true);
  });

  it('OpenSSL verifies the Ed25519 signature over bencode(info) ‖ bencode(signed info)', async () => {
    const t = parseTorrentPlusPlus(raw);
    const s = t.signatures[0]!;
    const msg = join(dir.path, 'signed.bin');
    const sig = join(dir.path, 'sig.bin');
    await writeFile(msg, signedMessage(t.infoBytes, s.signedInfoBytes));
    await writeFile(sig, s.signature);
    const pub = join(dir.path, 'admin.pub');
    const ok = spawnSync(
      'openssl',
      ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', msg, '-sigfile', sig],
      { encoding: 'utf8' },
    );
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /Signature Verified Successfully/);

    const tampered = Buffer.from(signedMessage(t.infoBytes, s.signedInfoBytes));
    tampered[tampered.length - 3]! ^= 1;
    await writeFile(msg, tampered);
    const bad = spawnSync(
      'openssl',
      ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', msg, '-sigfile', sig],
      { encoding: 'utf8' },
    );
    assert.notEqual(bad.status, 0);
  });

  it('OpenSSL reads our private key and makes the very same signature', async () => {
    const t = parseTorrentPlusPlus(raw);
    const s = t.signatures[0]!;
    const msg = join(dir.path, 'signed2.bin');
    await writeFile(msg, signedMessage(t.infoBytes, s.signedInfoBytes));
    const out = execFileSync('openssl', [
      'pkeyutl',
      '-sign',
      '-inkey',
      join(dir.path, 'admin.key'),
      '-rawin',
      '-in',
      msg,
    ]);
    assert.deepEqual(new Uint8Array(out), new Uint8Array(s.signature)); // Ed25519 is deterministic
  });
});
