/** The target selector grammar (docs/rollouts.md §Selector): what it accepts, means, and refuses at every bound. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RolloutError, type RolloutCode } from '../../agent/lib/rollout/errors.ts';
import {
  formatSelector,
  matches,
  MAX_IN_VALUES,
  MAX_SELECTOR_BYTES,
  MAX_TERMS,
  parseSelector,
} from '../../agent/lib/rollout/selector.ts';
import { parseTags } from '../../agent/lib/rollout/tags.ts';

const refused = (text: string, code: RolloutCode, re: RegExp) =>
  assert.throws(
    () => parseSelector(text),
    (e: unknown) => e instanceof RolloutError && e.code === code && re.test(e.message),
    `${JSON.stringify(text)} should be ${code} ${re}`,
  );
const node = (...tags: string[]) => parseTags(tags);
const sel = (t: string) => parseSelector(t);

describe('selector: grammar', () => {
  it('accepts =, !=, in, not in, joined by "," or "and", with or without spaces', () => {
    const s = sel('ring=canary and site in (glasgow, leeds),hw != rpi3, os not in(a,b)');
    assert.deepEqual(s, [
      { key: 'ring', negated: false, values: ['canary'], list: false },
      { key: 'site', negated: false, values: ['glasgow', 'leeds'], list: true },
      { key: 'hw', negated: true, values: ['rpi3'], list: false },
      { key: 'os', negated: true, values: ['a', 'b'], list: true },
    ]);
    assert.equal(formatSelector(s), 'ring=canary, site in (glasgow,leeds), hw!=rpi3, os not in (a,b)');
    assert.deepEqual(sel(formatSelector(s)), s, 'the canonical text parses to the same selector');
  });

  it('keywords are only keywords where the grammar expects them', () => {
    assert.deepEqual(sel('in=and, and in (not)'), [
      { key: 'in', negated: false, values: ['and'], list: false },
      { key: 'and', negated: false, values: ['not'], list: true },
    ]);
  });

  it('refuses broken syntax with BAD_SELECTOR naming the column', () => {
    refused('', 'BAD_SELECTOR', /at least one term/);
    refused('   ', 'BAD_SELECTOR', /at least one term/);
    refused('ring', 'BAD_SELECTOR', /expected =, !=, in or not in, found the end/);
    refused('ring=', 'BAD_SELECTOR', /expected a tag value, found the end/);
    refused('ring==canary', 'BAD_SELECTOR', /column 6: expected a tag value, found "="/);
    refused('ring=canary site=a', 'BAD_SELECTOR', /column 13: expected "," or "and", found "site"/);
    refused('ring=canary,', 'BAD_SELECTOR', /expected a tag key, found the end/);
    refused('ring=canary or site=a', 'BAD_SELECTOR', /column 13: expected "," or "and"/);
    refused('site in a', 'BAD_SELECTOR', /column 9: expected "\(" after "in"/);
    refused('site in ()', 'BAD_SELECTOR', /column 10: expected a tag value, found "\)"/);
    refused('site in (a,)', 'BAD_SELECTOR', /column 12: expected a tag value/);
    refused('site in (a b)', 'BAD_SELECTOR', /column 12: expected "," or "\)"/);
    refused('site in (a', 'BAD_SELECTOR', /expected "," or "\)", found the end/);
    refused('site not (a)', 'BAD_SELECTOR', /expected "in" after "not"/);
    refused('site in (a,a)', 'BAD_SELECTOR', /column 12: "a" is listed twice/);
    refused('ring=canary; rm -rf /', 'BAD_SELECTOR', /column 12: unexpected character ";"/);
    refused('ring="canary"', 'BAD_SELECTOR', /column 6: unexpected character/);
    refused('ring=can\u00e4ry', 'BAD_SELECTOR', /unexpected character/);
    refused('Ring=canary', 'BAD_SELECTOR', /column 1: expected a tag key .* found "Ring"/);
    refused('1ring=canary', 'BAD_SELECTOR', /tag key/);
    refused('(ring=canary)', 'BAD_SELECTOR', /expected a tag key, found "\("/);
  });
});

describe('selector: bounds, each at the limit and one past it', () => {
  it(`text: ${MAX_SELECTOR_BYTES} bytes`, () => {
    const at = `k=${'v'.repeat(28)}`; // 30 bytes per term
    const ok = Array.from({ length: MAX_TERMS }, () => at).join(',');
    assert.ok(ok.length <= MAX_SELECTOR_BYTES);
    const padded = ok + ' '.repeat(MAX_SELECTOR_BYTES - ok.length);
    assert.equal(sel(padded).length, MAX_TERMS);
    refused(
      `${padded} `,
      'TOO_LARGE',
      new RegExp(`${MAX_SELECTOR_BYTES + 1} bytes, the limit is ${MAX_SELECTOR_BYTES}`),
    );
  });

  it(`terms: ${MAX_TERMS}`, () => {
    const terms = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=v`).join(' and ');
    assert.equal(sel(terms(MAX_TERMS)).length, MAX_TERMS);
    refused(terms(MAX_TERMS + 1), 'TOO_LARGE', new RegExp(`more than ${MAX_TERMS} terms`));
  });

  it(`values in one list: ${MAX_IN_VALUES}, distinct`, () => {
    const list = (n: number) => `site in (${Array.from({ length: n }, (_, i) => `s${i}`).join(',')})`;
    assert.equal(sel(list(MAX_IN_VALUES))[0]!.values.length, MAX_IN_VALUES);
    refused(list(MAX_IN_VALUES + 1), 'TOO_LARGE', new RegExp(`more than ${MAX_IN_VALUES} values`));
  });

  it('keys 1–16 characters, values 1–32, in the tag charset', () => {
    assert.equal(sel(`${'k'.repeat(16)}=${'v'.repeat(32)}`).length, 1);
    refused(`${'k'.repeat(17)}=v`, 'BAD_SELECTOR', /tag key of 1–16/);
    refused(`k=${'v'.repeat(33)}`, 'BAD_SELECTOR', /tag value of 1–32/);
    refused(`k in (a,${'v'.repeat(33)})`, 'BAD_SELECTOR', /tag value of 1–32/);
    assert.equal(sel('k_-9=A.b_c-9').length, 1);
  });
});

describe('selector: meaning', () => {
  it('= and in need the key; != and not in also match a node without it', () => {
    const n = node('ring=canary', 'hw=rpi4');
    const bare = node();
    assert.equal(matches(sel('ring=canary'), n), true);
    assert.equal(matches(sel('ring=canary'), bare), false);
    assert.equal(matches(sel('ring!=canary'), n), false);
    assert.equal(matches(sel('ring!=canary'), bare), true);
    assert.equal(matches(sel('hw in (rpi3,rpi4)'), n), true);
    assert.equal(matches(sel('hw in (rpi3,rpi4)'), bare), false);
    assert.equal(matches(sel('hw not in (rpi3,rpi4)'), n), false);
    assert.equal(matches(sel('hw not in (rpi3,rpi4)'), bare), true);
  });

  it('a conjunction: every term must match; values are case-sensitive', () => {
    const n = node('ring=canary', 'site=glasgow', 'hw=rpi4');
    assert.equal(matches(sel('ring=canary, site in (glasgow,leeds), hw!=rpi3'), n), true);
    assert.equal(matches(sel('ring=canary, site in (leeds)'), n), false);
    assert.equal(matches(sel('site=Glasgow'), n), false);
    assert.equal(matches(sel('hw!=rpi3 and hw!=rpi4'), n), false);
  });
});
