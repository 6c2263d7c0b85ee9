/** Node tags (docs/rollouts.md §Tags): accepted forms and every bound, at the limit and one past it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RolloutError, type RolloutCode } from '../../agent/lib/rollout/errors.ts';
import {
  formatTags,
  MAX_TAGS,
  MAX_TAGS_BYTES,
  parseTagString,
  parseTags,
} from '../../agent/lib/rollout/tags.ts';

const refused = (list: string[], code: RolloutCode, re: RegExp) =>
  assert.throws(
    () => parseTags(list),
    (e: unknown) => e instanceof RolloutError && e.code === code && re.test(e.message),
  );

describe('node tags', () => {
  it('parses key=value pairs; formats them sorted; the string form round-trips', () => {
    const t = parseTags(['site=glasgow', 'ring=canary', 'hw=rpi4']);
    assert.equal(t.get('ring'), 'canary');
    assert.equal(formatTags(t), 'hw=rpi4,ring=canary,site=glasgow');
    assert.deepEqual(parseTagString(formatTags(t)), t);
    assert.equal(parseTagString('').size, 0);
  });

  it('refuses malformed pairs, bad characters and duplicate keys', () => {
    refused(['ring'], 'BAD_TAGS', /tags\[0\]: expected key=value/);
    refused(['=canary'], 'BAD_TAGS', /tag key/);
    refused(['ring='], 'BAD_TAGS', /tag value/);
    refused(['Ring=canary'], 'BAD_TAGS', /tag key/);
    refused(['ring=can ary'], 'BAD_TAGS', /tag value/);
    refused(['ring=a=b'], 'BAD_TAGS', /tag value/);
    refused(['ring=a,b'], 'BAD_TAGS', /tag value/);
    refused(['ring=canary', 'ring=beta'], 'BAD_TAGS', /tags\[1\]: key "ring" is given twice/);
  });

  it(`bounds: ${MAX_TAGS} tags, key 16, value 32, ${MAX_TAGS_BYTES} bytes in all`, () => {
    const many = (n: number, v = 'v') => Array.from({ length: n }, (_, i) => `k${i}=${v}`);
    assert.equal(parseTags(many(MAX_TAGS)).size, MAX_TAGS);
    refused(many(MAX_TAGS + 1), 'TOO_LARGE', new RegExp(`at most ${MAX_TAGS}, found ${MAX_TAGS + 1}`));
    assert.equal(parseTags([`${'k'.repeat(16)}=${'v'.repeat(32)}`]).size, 1);
    refused([`${'k'.repeat(17)}=v`], 'BAD_TAGS', /tag key of 1–16/);
    refused([`k=${'v'.repeat(33)}`], 'BAD_TAGS', /tag value of 1–32/);
    // k0=… to k7=…: 8 × (3 + v) + 7 commas; v = 28 gives 255 bytes, v = 29 gives 263.
    assert.equal(formatTags(parseTags(many(MAX_TAGS, 'v'.repeat(28)))).length, MAX_TAGS_BYTES);
    refused(
      many(MAX_TAGS, 'v'.repeat(29)),
      'TOO_LARGE',
      new RegExp(`263 bytes as k=v,k=v, the limit is ${MAX_TAGS_BYTES}`),
    );
    assert.throws(() => parseTagString('k'.repeat(MAX_TAGS_BYTES + 1)), /TOO_LARGE|limit/);
  });
});
