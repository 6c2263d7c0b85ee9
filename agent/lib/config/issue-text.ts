/**
 * One line per refused config: the first zod issue (an unknown key first, since it often
 * explains a missing one) as `config KEY.PATH: expected WORDS, found VALUE`, or
 * `config KEY.PATH: unknown key (allowed here: ...)`. The words come from fields.ts.
 */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** `transmission.url`, `trustedKeys[0]`, `deployers["app:/"].type`; "(top level)" for []. */
export function pathText(path: readonly PropertyKey[], bracketLast = false): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((k, i) => {
      if (typeof k === 'number') return `[${k}]`;
      const s = String(k);
      if (IDENT.test(s) && !(bracketLast && i === path.length - 1)) return i === 0 ? s : `.${s}`;
      return `[${JSON.stringify(s)}]`;
    })
    .join('');
}

export function found(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

export function issueText(issues: readonly Issue[]): string {
  const iss = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
  if (!iss) return 'config: refused';
  if (iss.code === 'unrecognized_keys')
    return `config ${pathText([...iss.path, iss.keys[0]!])}: unknown key (${iss.message})`;
  if (iss.code === 'invalid_key') {
    const words = iss.issues[0]?.message ?? iss.message;
    return `config ${pathText(iss.path, true)}: expected ${words}, found ${found(iss.input)}`;
  }
  // A key that must not be there (fields.ts moved()): the words say where it went.
  if (iss.code === 'invalid_type' && iss.expected === 'never')
    return `config ${pathText(iss.path)}: ${iss.message}`;
  // A discriminated union names the discriminator in its path but reports the whole object.
  const disc = (iss as { discriminator?: string }).discriminator;
  const input = disc === undefined ? iss.input : (iss.input as Record<string, unknown> | undefined)?.[disc];
  const tail = 'input' in iss ? `, found ${found(input)}` : '';
  return `config ${pathText(iss.path)}: expected ${iss.message}${tail}`;
}

/** Words for any check a schema left without its own (fields.ts gives most of them). */
export const fallbackWords: z.core.$ZodErrorMap = (iss) => {
  if (iss.code === 'invalid_type') return `a value of type ${iss.expected}`;
  if (iss.code === 'too_small') return `at least ${String(iss.minimum)}`;
  if (iss.code === 'too_big') return `at most ${String(iss.maximum)}`;
  return undefined;
};
