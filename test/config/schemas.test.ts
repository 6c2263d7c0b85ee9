/**
 * The generated config files can never go stale, and every shipped config validates: the
 * editor schemas and references in docs/config/ equal what `npm run config:schema` writes
 * now, and each example config (and each one the Debian package installs) passes both
 * its zod schema and its editor JSON Schema, which refuse unknown keys at every depth.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseConfig } from '../../agent/lib/config/load.ts';
import { generated, REPO } from '../../scripts/config-schema.ts';
import { paths, PROCESS_CONFIGS } from '../../scripts/config/processes.ts';

const read = (path: string) => readFileSync(`${REPO}${path}`, 'utf8');
const json = (path: string) => JSON.parse(read(path)) as Record<string, unknown>;
const editorCheck = (name: string) =>
  new Ajv2020({ strict: true, allErrors: true }).compile(json(paths(name).schema));

test('docs/config/*.schema.json and *.md are what `npm run config:schema` writes', async () => {
  const files = await generated();
  assert.equal(files.size, 2 * PROCESS_CONFIGS.length);
  for (const [path, text] of files)
    assert.equal(read(path), text, `${path} is stale: run npm run config:schema`);
});

test('every example config validates against its zod schema and its editor schema', () => {
  const examples = readdirSync(`${REPO}docs/config`).filter((f) => f.endsWith('.example.json'));
  assert.deepEqual(examples.sort(), PROCESS_CONFIGS.map((p) => `${p.name}.example.json`).sort());
  for (const p of PROCESS_CONFIGS) {
    const example = json(paths(p.name).example);
    assert.doesNotThrow(() => parseConfig(p.schema, example), p.name);
    const check = editorCheck(p.name);
    assert.equal(check(example), true, `${p.name}: ${JSON.stringify(check.errors)}`);
  }
});

test('the editor schemas refuse an unknown key at every depth, and allow $comment there', () => {
  const manager = json(paths('manager').example);
  const m = editorCheck('manager');
  const t = manager['transmission'] as object;
  assert.equal(m({ ...manager, transmission: { ...t, pasword: 'x' } }), false);
  assert.equal(m({ ...manager, colour: 'red' }), false);
  assert.equal(m({ ...manager, deployers: {} }), false, 'moved to the executor');
  assert.equal(m({ ...manager, tracker: { $comment: ['a', 'b'] } }), true);
  assert.equal(m({ ...manager, tracker: { $comment: 1 } }), false);
  const deploy = json(paths('deploy').example);
  const d = editorCheck('deploy');
  const script = { type: 'script', path: '/x' };
  assert.equal(d({ ...deploy, deployers: { 'app:/': { ...script, manifest: '/m' } } }), false);
  assert.equal(d({ ...deploy, deployers: { 'app:/': script, nouri: script } }), false);
  assert.equal(d({ ...deploy, deployers: { $comment: 'x', 'app:/': script } }), true);
});

test('the configs the Debian package installs are the examples of processes with a schema', () => {
  const loop = /for name in ([a-z -]+); do\s+example="docs\/config\/\$name\.example\.json"/.exec(
    read('packaging/build-deb.sh'),
  );
  const shipped = loop?.[1]?.trim().split(/\s+/) ?? [];
  assert.deepEqual(shipped, ['manager', 'natm', 'rendezvous', 'deploy']);
  for (const name of shipped)
    assert.ok(
      PROCESS_CONFIGS.some((p) => p.name === name),
      name,
    );
});
