/** The admin's commands as a user runs them: exit codes 0/1/2, one-line coded errors, key files. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cli } from '../helpers/cli.ts';
import { payloadBytes, tempDir } from '../helpers/fixtures.ts';

describe('p2p-update admin commands', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const p = (f: string): string => join(dir.path, f);

  before(async () => {
    dir = await tempDir();
    await writeFile(p('app.tar'), payloadBytes(250_000));
    assert.equal(cli(['keygen', '--out', p('admin')]).status, 0);
    assert.equal(cli(['keygen', '--out', p('other')]).status, 0);
  });
  after(() => dir.cleanup());

  it('keygen writes a 0600 private key and refuses to overwrite', async () => {
    assert.equal((await stat(p('admin.key'))).mode & 0o777, 0o600);
    assert.match(await readFile(p('admin.pub'), 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
    const before = await readFile(p('admin.key'), 'utf8');
    const r = cli(['keygen', '--out', p('admin')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^error KEY_EXISTS: .*admin\.key already exists/);
    assert.equal(await readFile(p('admin.key'), 'utf8'), before);
  });

  it('create + verify: exit 0 and a summary with uri, version, infohash, expiry', () => {
    const c = cli([
      'create',
      p('app.tar'),
      '--uri',
      'app:/opt/demo',
      '--version',
      '4',
      '--key',
      p('admin.key'),
      '--expires',
      '30d',
      '--out',
      p('v4.torrent'),
    ]);
    assert.equal(c.status, 0, c.stderr);
    const v = cli(['verify', p('v4.torrent'), '--pub', p('admin.pub'), '--payload', p('app.tar')]);
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, /uri:\s+app:\/opt\/demo/);
    assert.match(v.stdout, /version:\s+4/);
    assert.match(v.stdout, /infohash:\s+[0-9a-f]{40}/);
    assert.match(v.stdout, /expires:\s+20\d\d-/);
  });

  it('create --target --waves signs a rollout policy that show prints; a bad one is a usage error (exit 2)', () => {
    const base = [
      'create',
      p('app.tar'),
      '--uri',
      'app:/opt/demo',
      '--version',
      '5',
      '--key',
      p('admin.key'),
    ];
    const c = cli([
      ...base,
      '--target',
      'ring in (canary,main)',
      '--waves',
      '0.05@0h,1@2h:0.9',
      '--out',
      p('v5.torrent'),
    ]);
    assert.equal(c.status, 0, c.stderr);
    assert.match(
      c.stdout,
      /wave 2:\s+100% of targeted nodes from \+2h .*when ≥ 90% of earlier waves applied/,
    );
    const s = cli(['show', p('v5.torrent')]);
    assert.match(s.stdout, /target:\s+ring in \(canary,main\)/);
    assert.match(s.stdout, /wave 1:\s+5% of targeted nodes from \+0s/);
    const j = JSON.parse(cli(['show', p('v5.torrent'), '--json']).stdout);
    assert.deepEqual(
      j.signatures[0].rollout.waves.map((w: { fraction: number }) => w.fraction),
      [0.05, 1],
    );
    const bad = cli([...base, '--waves', '0.05@0h:1.0,1@2h', '--out', p('bad.torrent')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^usage error: --waves item 1 .*the first wave has no earlier waves to gate on/);
  });

  it('create carries a payload of at most 64 KiB inline unless --no-inline; show says so', async () => {
    await writeFile(p('fix.sh'), '#!/bin/sh\necho fixed\n');
    await writeFile(p('edge.bin'), payloadBytes(65_537));
    const make = (file: string, out: string, ...more: string[]) =>
      cli([
        'create',
        p(file),
        '--uri',
        'app:/fix',
        '--version',
        '1',
        '--key',
        p('admin.key'),
        '--out',
        p(out),
        ...more,
      ]);
    const inlineOf = (out: string): unknown => {
      const r = cli(['show', p(out), '--json']);
      assert.equal(r.status, 0, r.stderr);
      return (JSON.parse(r.stdout) as { inline: boolean }).inline;
    };
    assert.equal(make('fix.sh', 'fix.torrent').status, 0);
    assert.equal(make('fix.sh', 'fix-bt.torrent', '--no-inline').status, 0);
    assert.equal(make('edge.bin', 'edge.torrent').status, 0);
    assert.deepEqual(
      [inlineOf('fix.torrent'), inlineOf('fix-bt.torrent'), inlineOf('edge.torrent')],
      [true, false, false],
    );
    assert.match(cli(['show', p('fix.torrent')]).stdout, /inline:\s+yes/);
    const v = cli(['verify', p('fix.torrent'), '--pub', p('admin.pub')]);
    assert.equal(v.status, 0, v.stderr);
  });

  it('verify refusals exit 1 with exactly one line "error CODE: explanation"', async () => {
    cli([
      'create',
      p('app.tar'),
      '--uri',
      'app:/opt/demo',
      '--version',
      '5',
      '--key',
      p('other.key'),
      '--out',
      p('other.torrent'),
    ]);
    cli([
      'create',
      p('app.tar'),
      '--uri',
      'app:/opt/demo',
      '--version',
      '6',
      '--key',
      p('admin.key'),
      '--expires',
      '1000000000',
      '--out',
      p('old.torrent'),
    ]);
    const good = await readFile(p('v4.torrent'));
    await writeFile(p('garbage.torrent'), Buffer.concat([good, Buffer.from('!')]));
    await writeFile(p('wrong.tar'), payloadBytes(250_000, 3));
    const cases: [string[], string][] = [
      [['verify', p('other.torrent'), '--pub', p('admin.pub')], 'UNKNOWN_SIGNER'],
      [['verify', p('old.torrent'), '--pub', p('admin.pub')], 'EXPIRED'],
      [['verify', p('garbage.torrent'), '--pub', p('admin.pub')], 'MALFORMED'],
      [['verify', p('v4.torrent'), '--pub', p('admin.pub'), '--payload', p('wrong.tar')], 'PAYLOAD_MISMATCH'],
      [['verify', p('app.tar'), '--pub', p('admin.pub')], 'MALFORMED'],
    ];
    const forged = Buffer.from(good.toString('latin1').replace('7:versioni4e', '7:versioni9e'), 'latin1');
    await writeFile(p('forged.torrent'), forged);
    cases.push([['verify', p('forged.torrent'), '--pub', p('admin.pub')], 'BAD_SIGNATURE']);
    for (const [args, code] of cases) {
      const r = cli(args);
      assert.equal(r.status, 1, `${code}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^error ${code}: \\S.*\\n$`));
    }
  });

  it('an oversized file is refused as TOO_LARGE without reading it whole', async () => {
    await writeFile(p('huge.torrent'), '');
    await truncate(p('huge.torrent'), 50 * 1024 * 1024);
    const r = cli(['verify', p('huge.torrent'), '--pub', p('admin.pub')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^error TOO_LARGE: /);
  });

  it('usage mistakes exit 2 with one clear line', () => {
    for (const args of [
      ['verify'],
      ['verify', p('v4.torrent')],
      ['create', p('app.tar'), '--uri', 'app:/x', '--key', p('admin.key'), '--out', p('x.torrent')],
      [
        'create',
        p('app.tar'),
        '--uri',
        'app:/x',
        '--version',
        '-1',
        '--key',
        p('admin.key'),
        '--out',
        p('x.torrent'),
      ],
      [
        'create',
        p('app.tar'),
        '--uri',
        'no-scheme',
        '--version',
        '1',
        '--key',
        p('admin.key'),
        '--out',
        p('x.torrent'),
      ],
      ['show', p('v4.torrent'), '--bogus'],
      ['frobnicate'],
    ]) {
      const r = cli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^usage error: /);
    }
  });

  it('create refuses an impossible piece count at once (exit 2), naming what fits, and a tree with a link (exit 1)', async () => {
    await writeFile(p('huge.img'), '');
    await truncate(p('huge.img'), 1_600_000_000); // sparse
    await mkdir(p('tree'), { recursive: true });
    await writeFile(p('tree/a.bin'), 'a');
    await symlink('/etc/passwd', p('tree/passwd'));
    const common = ['--uri', 'os:/img', '--version', '1', '--key', p('admin.key'), '--out', p('no.torrent')];
    const big = cli(['create', p('huge.img'), '--piece-length', '16384', ...common]);
    assert.equal(big.status, 2, big.stderr);
    assert.match(
      big.stderr,
      /^usage error: --piece-length 16384 cuts 1600000000 bytes into 97657 pieces, the limit is 65536: use --piece-length 32768 or more\n$/,
    );
    const tree = cli(['create', p('tree'), ...common]);
    assert.equal(tree.status, 1, tree.stderr);
    assert.match(tree.stderr, /^error LINK: passwd: a symbolic link\n$/);
    await assert.rejects(stat(p('no.torrent')), { code: 'ENOENT' });
  });

  it('create DIR, show --json lists its files, verify --payload DIR checks every file', async () => {
    const tree = p('site');
    await mkdir(join(tree, 'css'), { recursive: true });
    await writeFile(join(tree, 'index.html'), '<p>hi</p>\n');
    await writeFile(join(tree, 'css', 'a.css'), 'p{}\n');
    const args = ['--uri', 'web:/srv/site', '--version', '1', '--key', p('admin.key')];
    const c = cli(['create', tree, ...args, '--out', p('site.torrent')]);
    assert.equal(c.status, 0, c.stderr);
    const j = JSON.parse(cli(['show', p('site.torrent'), '--json']).stdout) as Record<string, unknown>;
    assert.equal(j['directory'], true);
    assert.equal(j['inline'], false);
    assert.deepEqual(
      (j['files'] as { path: string; length: number; sha256: string }[]).map((f) => [
        f.path,
        f.length,
        f.sha256.length,
      ]),
      [
        ['css/a.css', 4, 64],
        ['index.html', 10, 64],
      ],
    );
    const ok = cli(['verify', p('site.torrent'), '--pub', p('admin.pub'), '--payload', tree]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /all 2 files of the directory match the signed manifest/);
    await writeFile(join(tree, 'css', 'b.css'), 'x');
    const extra = cli(['verify', p('site.torrent'), '--pub', p('admin.pub'), '--payload', tree]);
    assert.equal(extra.status, 1);
    assert.match(
      extra.stderr,
      /^error PAYLOAD_MISMATCH: EXTRA_FILE: "css\/b.css" is not in the signed manifest\n$/,
    );
  });

  it('show --json gives the fields a script needs', () => {
    const j = JSON.parse(cli(['show', p('v4.torrent'), '--json']).stdout) as Record<string, unknown>;
    assert.equal(j['name'], 'app.tar');
    assert.equal(j['length'], 250_000);
    const [sig] = j['signatures'] as { uri: string; version: number }[];
    assert.deepEqual([sig?.uri, sig?.version], ['app:/opt/demo', 4]);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(
      await readFile(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'),
    ) as { version: string };
    assert.equal(cli(['--version']).stdout.trim(), pkg.version);
  });

  it('a 1 GiB payload is hashed as a stream: peak memory stays far below its size', async () => {
    await writeFile(p('big.img'), '');
    await truncate(p('big.img'), 1024 * 1024 * 1024); // sparse: no disk used
    const script = `
      import { createTorrentPlusPlus } from './agent/lib/metainfo/create.ts';
      import { parseSecretKeyPem } from './agent/lib/crypto/keys.ts';
      import { readFileSync } from 'node:fs';
      const key = await parseSecretKeyPem(readFileSync(process.argv[1], 'utf8'));
      const t = await createTorrentPlusPlus(process.argv[2], { uri: 'os:/img', version: 1, key, now: Date.now() });
      console.log(JSON.stringify({ bytes: t.length, maxRssKiB: process.resourceUsage().maxRSS }));`;
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, p('admin.key'), p('big.img')],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 180_000,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { bytes: number; maxRssKiB: number };
    console.log('create of a 1 GiB payload', out);
    assert.ok(out.maxRssKiB < 300 * 1024, `peak RSS ${out.maxRssKiB} KiB for a 1 GiB payload`);
  });
});
