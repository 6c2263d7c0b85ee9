/**
 * Tokens of the target selector grammar (docs/rollouts.md §Selector): words (tag keys,
 * tag values and the keywords `and`, `in`, `not`), `=`, `!=`, `,`, `(`, `)`; spaces and
 * tabs between tokens. Anything else is BAD_SELECTOR naming the column (1-based).
 */
import { RolloutError } from './errors.ts';

export type TokenKind = 'word' | '=' | '!=' | ',' | '(' | ')';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 1-based column of the token's first character. */
  readonly col: number;
}

const WORD_CHAR = /[A-Za-z0-9._-]/;

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '!' && text[i + 1] === '=') {
      out.push({ kind: '!=', text: '!=', col: i + 1 });
      i += 2;
    } else if (c === '=' || c === ',' || c === '(' || c === ')') {
      out.push({ kind: c, text: c, col: i + 1 });
      i++;
    } else if (WORD_CHAR.test(c)) {
      const start = i;
      while (i < text.length && WORD_CHAR.test(text[i]!)) i++;
      out.push({ kind: 'word', text: text.slice(start, i), col: start + 1 });
    } else {
      throw new RolloutError(
        'BAD_SELECTOR',
        `column ${i + 1}: unexpected character ${JSON.stringify(c)} (allowed: tag keys and values, = != , ( ) and, in, not)`,
      );
    }
  }
  return out;
}
