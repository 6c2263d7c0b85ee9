/** Command-line parsing of `p2p-update root` (node:util parseArgs; the commands are in root.ts). */
import { UsageError } from '../agent/lib/common/errors.ts';
import {
  nonNegativeInt,
  optionalString,
  parse,
  parseWhen,
  required,
  type Parsed,
} from '../agent/lib/cli/args.ts';
import { rootInit, rootRotate, rootShow, rootSign, type RootOptions } from './root.ts';
import { parseRule } from './root-values.ts';

const USAGE = [
  'p2p-update root init --root-key R.pub... [--root-threshold K] --update-key U.pub... [--threshold K]',
  '                       [--expires WHEN] [--rule PREFIX=jump:N,max:N,ahead:DURATION]... --out FILE.root',
  'p2p-update root sign FILE.root --key K.key...',
  'p2p-update root rotate FILE.root [--root-key ...] [--root-threshold K] [--update-key ...] [--threshold K]',
  '                       [--expires WHEN] [--rule ...]',
  'p2p-update root show FILE.root [--json]',
].join('\n       ');

const OPTIONS = {
  'root-key': { type: 'string', multiple: true },
  'root-threshold': { type: 'string' },
  'update-key': { type: 'string', multiple: true },
  threshold: { type: 'string' },
  expires: { type: 'string' },
  rule: { type: 'string', multiple: true },
  key: { type: 'string', multiple: true },
  out: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const list = (p: Parsed, name: string) => (p.values[name] as unknown as string[] | undefined) ?? [];

function rootOptions(p: Parsed): RootOptions {
  const int = (name: string) => {
    const t = optionalString(p, name);
    return t === undefined ? undefined : nonNegativeInt(t, name);
  };
  const expires = optionalString(p, 'expires');
  const rules = list(p, 'rule');
  return {
    rootKey: list(p, 'root-key'),
    updateKey: list(p, 'update-key'),
    ...(int('root-threshold') === undefined ? {} : { rootThreshold: int('root-threshold') }),
    ...(int('threshold') === undefined ? {} : { threshold: int('threshold') }),
    ...(expires === undefined ? {} : { expires: parseWhen(expires, Date.now()) }),
    ...(rules.length === 0 ? {} : { rule: rules.map(parseRule) }),
  };
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const p = parse(rest, OPTIONS, USAGE, sub === 'init' ? [0, 0] : [1, 1]);
  const file = p.positionals[0]!;
  switch (sub) {
    case 'init':
      return rootInit({ ...rootOptions(p), out: required(p, 'out', USAGE) });
    case 'sign':
      if (list(p, 'key').length === 0) throw new UsageError(`--key is required; usage: ${USAGE}`);
      return rootSign(file, { key: list(p, 'key') });
    case 'rotate':
      return rootRotate(file, rootOptions(p));
    case 'show':
      return rootShow(file, { json: p.values['json'] === true });
    default:
      throw new UsageError(`usage: ${USAGE}`);
  }
}
