/**
 * The target selector (docs/rollouts.md §Selector): which nodes a rollout is for, over their
 * tags. A conjunction of terms, joined by `,` or `and`:
 *   selector := term ( ( "," | "and" ) term )*
 *   term     := key "=" value | key "!=" value
 *             | key "in" "(" value ( "," value )* ")" | key "not" "in" "(" … ")"
 * A node without the key matches `!=` and `not in`, never `=` or `in` (Kubernetes label
 * selectors do the same). Bounds: MAX_SELECTOR_BYTES of text, MAX_TERMS terms, MAX_IN_VALUES
 * values per list (distinct); keys and values as tags.ts. No selector means every node.
 */
import { RolloutError } from './errors.ts';
import { tokenize, type Token } from './selector-lexer.ts';
import { checkTagKey, checkTagValue, type Tags } from './tags.ts';

export const MAX_SELECTOR_BYTES = 256;
export const MAX_TERMS = 8;
export const MAX_IN_VALUES = 16;

export interface Term {
  readonly key: string;
  /** `=` and `in` match a listed value; `!=` and `not in` match anything else or no key. */
  readonly negated: boolean;
  readonly values: readonly string[];
  /** Written as a list: `in (…)` / `not in (…)` rather than `=` / `!=`. */
  readonly list: boolean;
}

export type Selector = readonly Term[];

class Cursor {
  private i = 0;
  constructor(private readonly toks: Token[]) {}
  peek(): Token | undefined {
    return this.toks[this.i];
  }
  next(expected: string): Token {
    const t = this.toks[this.i++];
    if (!t) throw new RolloutError('BAD_SELECTOR', `expected ${expected}, found the end`);
    return t;
  }
  expect(kind: Token['kind'], expected: string, text?: string): Token {
    const t = this.next(expected);
    if (t.kind !== kind || (text !== undefined && t.text !== text))
      throw new RolloutError('BAD_SELECTOR', `column ${t.col}: expected ${expected}, found "${t.text}"`);
    return t;
  }
}

function parseList(c: Cursor): string[] {
  c.expect('(', '"(" after "in"');
  const values: string[] = [];
  for (;;) {
    const v = c.expect('word', 'a tag value');
    if (values.includes(v.text))
      throw new RolloutError('BAD_SELECTOR', `column ${v.col}: "${v.text}" is listed twice`);
    values.push(checkTagValue(v.text, `column ${v.col}`, 'BAD_SELECTOR'));
    if (values.length > MAX_IN_VALUES)
      throw new RolloutError('TOO_LARGE', `column ${v.col}: more than ${MAX_IN_VALUES} values in one list`);
    if (c.expect(c.peek()?.kind === ')' ? ')' : ',', '"," or ")"').kind === ')') return values;
  }
}

function parseTerm(c: Cursor): Term {
  const k = c.expect('word', 'a tag key');
  const key = checkTagKey(k.text, `column ${k.col}`, 'BAD_SELECTOR');
  const op = c.next('=, !=, in or not in');
  if (op.kind === '=' || op.kind === '!=') {
    const v = c.expect('word', 'a tag value');
    return {
      key,
      negated: op.kind === '!=',
      values: [checkTagValue(v.text, `column ${v.col}`, 'BAD_SELECTOR')],
      list: false,
    };
  }
  if (op.kind === 'word' && op.text === 'not') {
    c.expect('word', '"in" after "not"', 'in');
    return { key, negated: true, values: parseList(c), list: true };
  }
  if (op.kind === 'word' && op.text === 'in')
    return { key, negated: false, values: parseList(c), list: true };
  throw new RolloutError(
    'BAD_SELECTOR',
    `column ${op.col}: expected =, !=, in or not in, found "${op.text}"`,
  );
}

export function parseSelector(text: string): Selector {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_SELECTOR_BYTES)
    throw new RolloutError('TOO_LARGE', `selector: ${bytes} bytes, the limit is ${MAX_SELECTOR_BYTES}`);
  const c = new Cursor(tokenize(text));
  if (!c.peek()) throw new RolloutError('BAD_SELECTOR', 'expected at least one term, found nothing');
  const terms: Term[] = [parseTerm(c)];
  for (let t = c.peek(); t; t = c.peek()) {
    if (!(t.kind === ',' || (t.kind === 'word' && t.text === 'and')))
      throw new RolloutError('BAD_SELECTOR', `column ${t.col}: expected "," or "and", found "${t.text}"`);
    c.next('a term');
    if (terms.length >= MAX_TERMS)
      throw new RolloutError('TOO_LARGE', `column ${t.col}: more than ${MAX_TERMS} terms`);
    terms.push(parseTerm(c));
  }
  return terms;
}

export function matches(sel: Selector, tags: Tags): boolean {
  return sel.every((t) => {
    const v = tags.get(t.key);
    const listed = v !== undefined && t.values.includes(v);
    return t.negated ? !listed : listed;
  });
}

/** The canonical text: `k=v, k!=v, k in (a,b), k not in (a,b)`. */
export function formatSelector(sel: Selector): string {
  return sel
    .map((t) =>
      t.list
        ? `${t.key} ${t.negated ? 'not in' : 'in'} (${t.values.join(',')})`
        : `${t.key}${t.negated ? '!=' : '='}${t.values[0]}`,
    )
    .join(', ');
}
