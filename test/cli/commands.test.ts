/**
 * Every command and subcommand, read from the definitions (admin-tools/cli/program.ts):
 * each answers --help, -h and `help COMMAND [SUB]` with exit 0, and appears in the man
 * page and in both shell completions; a usage mistake is exit 2 and one line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { manPage } from '../../admin-tools/cli/man-page.ts';
import { buildProgram } from '../../admin-tools/cli/program.ts';
import { commandTree } from '../../admin-tools/cli/tree.ts';
import { completionScript } from '../../admin-tools/cli/completion.ts';
import { cli } from '../helpers/cli.ts';
import { runMain } from '../helpers/capture.ts';

const program = buildProgram({ exit: () => undefined });
const paths = commandTree(program)
  .filter((e) => e.path.length > 0)
  .map((e) => e.path);
const tmp = mkdtempSync(join(tmpdir(), 'p2pu-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('the command tree', () => {
  it('has the 35 commands and subcommands we ship (a dropped one fails here)', () => {
    assert.deepEqual(
      paths.map((p) => p.join(' ')),
      [
        ...['keygen', 'create', 'verify', 'show', 'sign'],
        ...['root', 'root init', 'root sign', 'root rotate', 'root show', 'ca'],
        ...['ca init', 'ca sign', 'ca approve', 'ca reject', 'ca revoke', 'ca list'],
        ...['enroll', 'enroll-server', 'enroll-server hash-password'],
        ...['manager', 'deploy-executor', 'publish', 'status', 'members'],
        ...['natm', 'rendezvous', 'natm-stats', 'natm-keygen'],
        ...['rollout', 'rollout pause', 'rollout resume', 'rollout abort', 'rollout status'],
        'completion',
      ],
    );
    assert.equal(paths.length, 35);
  });

  it('every one answers --help, -h and `help COMMAND [SUB]` with exit 0 and its usage', async () => {
    for (const path of paths)
      for (const argv of [
        [...path, '--help'],
        [...path, '-h'],
        ['help', ...path],
      ]) {
        const r = await runMain(argv);
        assert.equal(r.code, 0, `${argv.join(' ')}: ${r.err}`);
        assert.match(r.out, new RegExp(`^Usage: p2p-update ${path.join(' ')} `), argv.join(' '));
        assert.equal(r.err, '');
      }
    const top = await runMain(['help']);
    assert.equal(top.code, 0);
    for (const p of paths.filter((x) => x.length === 1))
      assert.match(top.out, new RegExp(`^  ${p[0]} `, 'm'));
  });

  it('commands that print state take --json', () => {
    const json = ['show', 'verify', 'ca list', 'enroll', 'status', 'members', 'natm-stats', 'rollout status'];
    for (const e of commandTree(program).filter((x) => json.includes(x.path.join(' '))))
      assert.ok(
        e.cmd.options.some((o) => o.long === '--json'),
        e.path.join(' '),
      );
  });
});

describe('usage mistakes and the real executable', () => {
  it('a usage mistake exits 2 with one line "usage error: ..."', async () => {
    const cases = [
      [],
      ['ca'],
      ['frobnicate'],
      ['help', 'frobnicate'],
      ['help', 'ca', 'frobnicate'],
      ['show'],
      ['show', 'a', 'b'],
      ['show', 'a', '--jsn'],
      ['ca', 'list', '--dir', 'x', '--notices-dir', 'y'],
      ['completion', 'fish'],
      ['enroll-server'],
      ['create', 'p', '--uri', 'app:/x', '--version', 'v1', '--key', 'k', '--out', 'o'],
      ['create', 'p', '--uri', 'no\nscheme', '--version', '1', '--key', 'k', '--out', 'o'],
      ['show', 'p', '--a\nb'],
    ];
    for (const argv of cases) {
      const r = await runMain(argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
      assert.equal(r.out, '');
      assert.match(r.err, /^usage error: [^\n]+\n$/, argv.join(' '));
      // A command line commander could not read points at the right help.
      if (!argv.includes('create') && argv[0] !== 'enroll-server')
        assert.match(r.err, /; see p2p-update[ a-z-]* --help\n$/, argv.join(' '));
    }
  });

  it('the executable answers help, a usage error and --version the same way', () => {
    const help = cli(['help', 'ca', 'revoke']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: p2p-update ca revoke \[options\] <NODEID>/);
    assert.match(help.stdout, /--dir <DIR> +the CA directory \(required\)/);
    const bad = cli(['status', '--bogus']);
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, "usage error: unknown option '--bogus'; see p2p-update status --help\n");
    assert.match(cli(['-V']).stdout, /^\d+\.\d+\.\d+\n$/);
  });
});

describe('man page and completions come from the same definitions', () => {
  const man = manPage(program, { date: 'January 2027', version: '9.9.9' });

  it('the man page has every command with its options, and groff finds nothing to warn about', () => {
    for (const e of commandTree(program).filter((x) => x.path.length > 0)) {
      const heading = `.SS "p2p\\-update ${e.path.join(' ').replace(/-/g, '\\-')}`;
      const at = man.indexOf(heading);
      assert.ok(at > 0, `man page lacks ${e.path.join(' ')}`);
      const section = man.slice(at, man.indexOf('.SS', at + 1) >>> 0);
      for (const o of e.cmd.options)
        assert.ok(section.includes(o.long!.replace(/-/g, '\\-')), `${o.long} of ${e.path.join(' ')}`);
    }
    writeFileSync(join(tmp, 'p2p-update.1'), man);
    const g = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z', join(tmp, 'p2p-update.1')], {
      encoding: 'utf8',
    });
    assert.equal(g.status, 0, g.stderr);
    assert.equal(g.stderr, '');
  });

  it('bash completes every command path, its options, and its declared choices', () => {
    const script = join(tmp, 'p2p-update.bash');
    writeFileSync(script, completionScript(program, 'bash'));
    const complete = (words: string[]): string[] => {
      const run = `source ${script}; COMP_WORDS=(p2p-update ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _p2p_update; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = spawnSync('bash', ['-c', run], { encoding: 'utf8', cwd: tmp });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.split('\n').filter(Boolean);
    };
    for (const e of commandTree(program).filter((x) => x.path.length > 0)) {
      const parent = e.path.slice(0, -1);
      assert.ok(complete([...parent, '']).includes(e.path.at(-1)!), `${e.path.join(' ')} offered`);
      const flags = e.cmd.options.map((o) => o.long!);
      assert.deepEqual(
        complete([...e.path, '--']).filter((f) => f !== '--help'),
        flags,
        e.path.join(' '),
      );
    }
    assert.deepEqual(complete(['completion', '']), ['bash', 'zsh']);
    assert.deepEqual(complete(['help', 'ca', 're']), ['reject', 'revoke']);
  });

  it('zsh: the script parses, has a function per command path, and completes through zsh itself', () => {
    const text = completionScript(program, 'zsh');
    writeFileSync(join(tmp, '_p2p-update'), text);
    assert.equal(spawnSync('zsh', ['-n', join(tmp, '_p2p-update')]).status, 0);
    for (const e of commandTree(program))
      assert.match(text, new RegExp(`^${['_p2p-update', ...e.path].join('_')}\\(\\) \\{$`, 'm'));
    const r = spawnSync(
      'zsh',
      ['-f', new URL('../helpers/zsh-complete.zsh', import.meta.url).pathname, tmp, 'p2p-update ca re'],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').filter(Boolean).sort(), ['reject', 'revoke']);
  });
});
