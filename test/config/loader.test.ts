/** The one config loader: bounded read, JSON errors with line and column, comment keys, frozen output. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { ConfigError } from '../../agent/lib/common/errors.ts';
import { int, list, section, text } from '../../agent/lib/config/fields.ts';
import {
  loadConfigFile,
  MAX_CONFIG_BYTES,
  parseConfig,
  readConfigJson,
} from '../../agent/lib/config/load.ts';

const schema = section({
  name: text(),
  inner: section({ n: int(0, 9).default(1) }).prefault({}),
  items: list(section({ k: z.string() }), 4).default([]),
});

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p2pu-cfg-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const coded = (re: RegExp) => (e: unknown) =>
  e instanceof ConfigError && e.code === 'CONFIG' && re.test(e.message);

test('a file over the bound is refused without being read whole (also an endless one)', async () => {
  const big = join(dir, 'big.json');
  await writeFile(big, '');
  await truncate(big, MAX_CONFIG_BYTES + 1);
  await assert.rejects(readConfigJson(big), coded(/big\.json: larger than 1048576 bytes/));
  await assert.rejects(readConfigJson('/dev/zero'), coded(/larger than 1048576 bytes/));
  const exact = join(dir, 'exact.json');
  await writeFile(exact, `"${'x'.repeat(MAX_CONFIG_BYTES - 2)}"`);
  assert.equal(((await readConfigJson(exact)) as string).length, MAX_CONFIG_BYTES - 2);
});

test('unreadable and non-JSON files: one line, with the line and column of the mistake', async () => {
  await assert.rejects(
    readConfigJson(join(dir, 'nope.json')),
    coded(/^config file .*nope\.json: cannot read \(ENOENT\)$/),
  );
  await assert.rejects(readConfigJson(dir), coded(/cannot read \(EISDIR\)$/));
  const bad = join(dir, 'bad.json');
  await writeFile(bad, '{\n  "name": "a",\n  "inner": { n: 1 }\n}\n');
  await assert.rejects(
    readConfigJson(bad),
    coded(/^config file .*bad\.json: not valid JSON at line 3 column 14 \([^\n]+\)$/),
  );
  await writeFile(bad, '{\n  "name": "a",\n');
  await assert.rejects(readConfigJson(bad), coded(/not valid JSON at line 3 column 1 /));
});

test('$comment (a string or a list of strings) is allowed in every object; "//" keys too (0.1.0 style)', async () => {
  const c = parseConfig(schema, {
    $comment: ['top', 'level'],
    name: 'a',
    '//name': 'old style',
    inner: { $comment: 'inner', n: 2 },
    items: [{ $comment: 'in a list', k: 'v' }],
  });
  assert.deepEqual(c, { name: 'a', inner: { n: 2 }, items: [{ k: 'v' }] });
  assert.throws(
    () => parseConfig(schema, { name: 'a', inner: { $comment: 7 } }),
    coded(/^config inner\.\$comment: expected a string or a list of strings, found 7$/),
  );
  assert.throws(
    () => parseConfig(schema, { name: 'a', $coment: 'typo' }),
    coded(/^config \$coment: unknown key \(allowed here: name, inner, items\)$/),
  );
});

test('one line per refusal: the key path, what was expected and what was found; unknown keys first', () => {
  assert.throws(
    () => parseConfig(schema, { name: '' }),
    coded(/^config name: expected a non-empty string, found ""$/),
  );
  assert.throws(
    () => parseConfig(schema, { name: 'a', inner: { n: 10 } }),
    coded(/^config inner\.n: expected an integer in \[0, 9\], found 10$/),
  );
  assert.throws(
    () => parseConfig(schema, { name: 'a', items: [{ k: 'v' }, { k: 1 }] }),
    coded(/^config items\[1\]\.k: /),
  );
  assert.throws(() => parseConfig(schema, { nmae: 'a' }), coded(/^config nmae: unknown key/));
  assert.throws(
    () => parseConfig(schema, 'x'),
    coded(/^config \(top level\): expected an object, found "x"$/),
  );
  assert.throws(() => parseConfig(schema, { name: 'a'.repeat(100), inner: [] }), coded(/found \[\]$/));
  assert.throws(
    () => parseConfig(schema, { name: 7 }),
    (e: Error) => !e.message.includes('\n'),
  );
});

test('the result is typed, has its defaults, and is frozen at every depth', async () => {
  const path = join(dir, 'ok.json');
  await writeFile(path, JSON.stringify({ name: 'a', items: [{ k: 'v' }] }));
  const c = await loadConfigFile(schema, path);
  assert.equal(c.inner.n, 1);
  assert.ok(
    Object.isFrozen(c) && Object.isFrozen(c.inner) && Object.isFrozen(c.items) && Object.isFrozen(c.items[0]),
  );
  assert.throws(() => {
    (c.inner as { n: number }).n = 5;
  }, TypeError);
});
