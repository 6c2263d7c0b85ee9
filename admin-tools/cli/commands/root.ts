/** The root of trust's commands (root init|sign|rotate|show) and `sign` (co-sign an update). */
import type { Command } from 'commander';
import type { VersionRule } from '../../../agent/lib/trust/model.ts';
import { parseRule } from '../../root-values.ts';
import { collect, nonNegativeInt, parseWhen } from '../values.ts';
import type { CliContext } from './context.ts';

const root = () => import('../../root.ts');

/** The options init and rotate share: the keys, thresholds, expiry and version rules of a root. */
function rootBodyOptions(c: Command): Command {
  return c
    .option('--root-key <R.pub>', 'a root key: k of them sign the next root (repeat)', collect('--root-key'))
    .option(
      '--root-threshold <K>',
      'how many root keys must sign (default: a majority)',
      nonNegativeInt('--root-threshold'),
    )
    .option(
      '--update-key <U.pub>',
      'an update key: k of them sign an update (repeat)',
      collect('--update-key'),
    )
    .option(
      '--threshold <K>',
      'how many update keys must sign an update (default: a majority)',
      nonNegativeInt('--threshold'),
    )
    .option(
      '--expires <WHEN>',
      'a date (2027-01-31), a duration (30d) or Unix seconds (default: a year)',
      (t) => parseWhen(t, Date.now()),
    )
    .option(
      '--rule <PREFIX=jump:N,max:N,ahead:DURATION>',
      'a version ceiling for the URIs starting with PREFIX (repeat; default "=jump:1000,max:4294967295")',
      (t: string, prev: VersionRule[] = []) => [...prev, parseRule(t)],
    );
}

export function addRootCommands(program: Command, ctx: CliContext): void {
  program
    .command('sign')
    .summary('add signatures to a torrent-file++ (same infohash)')
    .description(
      "Add each --key's signature to FILE.torrent (in place unless --out). The infohash does not change, so a second admin can co-sign what a first one created: a root with an update threshold of k takes an update only with k distinct update keys' signatures.",
    )
    .argument('<FILE.torrent>', 'the torrent-file++')
    .requiredOption('--key <PREFIX.key>', 'an update private key (repeat)', collect('--key'))
    .option('--out <OUT.torrent>', 'write here instead of in place')
    .action(async (file, o) => ctx.exit(await (await import('../../sign.ts')).sign(file, o)));
  const group = program
    .command('root')
    .summary('the root of trust: init, sign, rotate, show')
    .description(
      "The fleet's root of trust (docs/protocol/root.md, ADR 0003): update keys and how many must sign an update, root keys and how many must sign the next root, version ceilings against fast-forward. FILE.root is the chain of every root, oldest first: install it as a node's anchor (`root` in manager.json and deploy.json), publish a rotated one like an update (`p2p-update publish FILE.root`).",
    );
  rootBodyOptions(
    group
      .command('init')
      .summary('write root version 1, unsigned')
      .description('Write a chain of one unsigned root (version 1) to --out; then `root sign` it.'),
  )
    .requiredOption('--out <FILE.root>', 'where to write the chain (never overwritten)')
    .action(async (o) => ctx.exit(await (await root()).rootInit(o)));
  group
    .command('sign')
    .summary("add signatures to the chain's newest root")
    .description(
      "Sign the newest root of FILE.root with each --key (root keys: k of the previous root's and k of its own after a rotation).",
    )
    .argument('<FILE.root>', 'the root chain')
    .requiredOption('--key <PREFIX.key>', 'a root private key (repeat)', collect('--key'))
    .action(async (file, o) => ctx.exit(await (await root()).rootSign(file, o)));
  rootBodyOptions(
    group
      .command('rotate')
      .summary('append the next root (changed keys, thresholds, expiry or rules)')
      .description(
        'Append root version N+1 to FILE.root, unsigned, with what the options change (the rest as in version N); it needs k of the old root keys and k of its own (`root sign`).',
      )
      .argument('<FILE.root>', 'the root chain'),
  ).action(async (file, o) => ctx.exit(await (await root()).rootRotate(file, o)));
  group
    .command('show')
    .summary('print the chain; exit 1 unless it verifies')
    .description(
      'Print every root of FILE.root and whether the chain verifies from its first root (exit 0) or not (exit 1).',
    )
    .argument('<FILE.root>', 'the root chain')
    .option('--json', 'print it as JSON')
    .action(async (file, o) => ctx.exit(await (await root()).rootShow(file, o)));
}
