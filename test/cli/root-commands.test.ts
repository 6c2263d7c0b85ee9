/**
 * The root of trust as an admin runs it (bin/p2p-update): root init → sign → show, create
 * with two keys, verify --root; a torrent signed by one leaked key refused; rotate with
 * the old and the new root keys; the retired update key refused after it.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli } from '../helpers/cli.ts';
import { payloadBytes, tempDir } from '../helpers/fixtures.ts';

describe('p2p-update root, sign, create --key --key, verify --root', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const p = (f: string): string => join(dir.path, f);
  const ok = (args: string[]) => {
    const r = cli(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const fails = (args: string[], code: RegExp, status = 1) => {
    const r = cli(args);
    assert.equal(r.status, status, r.stdout + r.stderr);
    assert.match(r.stderr, code);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  };
  const create = (version: number, keys: string[], out: string) =>
    ok([
      ...['create', p('app.tar'), '--uri', 'app:/opt/demo', '--version', String(version)],
      ...keys.flatMap((k) => ['--key', p(`${k}.key`)]),
      ...['--out', p(out)],
    ]);

  before(async () => {
    dir = await tempDir();
    await writeFile(p('app.tar'), payloadBytes(50_000));
    for (const k of ['r1', 'r2', 'r3', 'u1', 'u2', 'u3']) ok(['keygen', '--out', p(k)]);
  });
  after(() => dir.cleanup());

  it('init writes an unsigned root that show calls not valid; 2 of 3 root keys make it valid', () => {
    ok([
      ...['root', 'init', '--root-key', p('r1.pub'), '--root-key', p('r2.pub'), '--root-key', p('r3.pub')],
      ...['--update-key', p('u1.pub'), '--update-key', p('u2.pub'), '--update-key', p('u3.pub')],
      ...['--threshold', '2', '--rule', 'app:=jump:10,max:1000000', '--out', p('fleet.root')],
    ]);
    const unsigned = cli(['root', 'show', p('fleet.root')]);
    assert.equal(unsigned.status, 1);
    assert.match(unsigned.stdout, /root keys \(2 of 3\)/);
    assert.match(unsigned.stdout, /"app:"=jump:10,max:1000000/);
    assert.match(unsigned.stdout, /not valid: THRESHOLD/);
    fails(
      ['root', 'init', '--root-key', p('r1.pub'), '--update-key', p('u1.pub'), '--out', p('fleet.root')],
      /already exists/,
      2,
    );
    assert.match(ok(['root', 'sign', p('fleet.root'), '--key', p('r1.key'), '--key', p('r2.key')]), /^ok: /m);
  });

  it('an update needs 2 update keys: one is refused THRESHOLD, two pass; sign adds the second', () => {
    create(1, ['u1'], 'one.torrent');
    fails(['verify', p('one.torrent'), '--root', p('fleet.root')], /^error THRESHOLD: 2 of 3 update keys/);
    const infohash = (JSON.parse(ok(['show', p('one.torrent'), '--json'])) as { infoHash: string }).infoHash;
    assert.match(ok(['sign', p('one.torrent'), '--key', p('u2.key')]), new RegExp(`infohash ${infohash}`));
    assert.match(
      ok(['verify', p('one.torrent'), '--root', p('fleet.root'), '--payload', p('app.tar')]),
      /signatures by .* are valid \(2 needed, root version 1\)/,
    );
    create(2, ['u1', 'u3'], 'two.torrent');
    ok(['verify', p('two.torrent'), '--root', p('fleet.root')]);
  });

  it("a version above the root's max version is refused FAST_FORWARD", () => {
    create(999_999_999_999_999, ['u1', 'u2'], 'ff.torrent');
    fails(
      ['verify', p('ff.torrent'), '--root', p('fleet.root')],
      /^error FAST_FORWARD: version 999999999999999 of app:\/opt\/demo is above 1000000/,
    );
  });

  it('rotate retires u1 and r3: valid only with the old and the new root keys; u1 is refused after', () => {
    ok(['keygen', '--out', p('u4')]);
    ok([
      ...['root', 'rotate', p('fleet.root'), '--root-key', p('r1.pub'), '--root-key', p('r2.pub')],
      ...['--update-key', p('u2.pub'), '--update-key', p('u3.pub'), '--update-key', p('u4.pub')],
    ]);
    const half = cli(['root', 'sign', p('fleet.root'), '--key', p('r3.key')]);
    assert.equal(half.status, 1, 'one old root key is not enough');
    assert.match(half.stdout, /not valid: THRESHOLD/);
    ok(['root', 'sign', p('fleet.root'), '--key', p('r1.key'), '--key', p('r2.key')]);
    const shown = ok(['root', 'show', p('fleet.root'), '--json']);
    const j = JSON.parse(shown) as { roots: { version: number }[]; ok: boolean };
    assert.deepEqual(
      j.roots.map((r) => r.version),
      [1, 2],
    );
    assert.equal(j.ok, true);
    fails(['verify', p('one.torrent'), '--root', p('fleet.root')], /^error THRESHOLD/);
    create(3, ['u2', 'u4'], 'three.torrent');
    ok(['verify', p('three.torrent'), '--root', p('fleet.root')]);
  });

  it('usage mistakes exit 2 with one line', () => {
    fails(
      [
        'root',
        'init',
        '--root-key',
        p('r1.pub'),
        '--update-key',
        p('u1.pub'),
        '--threshold',
        '2',
        '--out',
        p('x.root'),
      ],
      /threshold 2: expected 1 to 1/,
      2,
    );
    fails(
      [
        'root',
        'init',
        '--root-key',
        p('r1.pub'),
        '--update-key',
        p('u1.pub'),
        '--rule',
        'app:jump:3',
        '--out',
        p('x.root'),
      ],
      /--rule/,
      2,
    );
    fails(['verify', p('two.torrent'), '--root', p('fleet.root'), '--pub', p('u1.pub')], /not both/, 2);
    fails(['sign', p('two.torrent')], /required option '--key <PREFIX.key>' not specified/, 2);
  });
});
