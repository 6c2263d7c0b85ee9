/** Membership commands: the CA (ca ...), a node's enrollment, the enrollment server. */
import type { Command } from 'commander';
import { UsageError } from '../../../agent/lib/common/errors.ts';
import { caFingerprint, collect, duration, httpUrl, nonNegativeInt } from '../values.ts';
import type { CliContext } from './context.ts';

const ca = () => import('../../ca.ts');

function addCaCommands(program: Command, ctx: CliContext): void {
  const group = program
    .command('ca')
    .summary("the cluster's certificate authority: init, sign, approve, reject, revoke, list")
    .description(
      "The cluster's certificate authority on the admin's machine (docs/security.md §CA and enrollment). The CA dir holds ca.key (0600), ca.pub, ca.json, state.json, crl.bin and notices/.",
    );
  const dir = '--dir <DIR>';
  const dirHelp = 'the CA directory';
  group
    .command('init')
    .summary('make the CA: key, ca.json, state.json, crl.bin')
    .description('Make the cluster CA in DIR: its key, config, state and an empty signed revocation list.')
    .requiredOption(dir, dirHelp)
    .requiredOption('--cluster <NAME>', "the cluster's name (the nodes' namespace)")
    .option('--cert-days <N>', 'certificate lifetime in days (default 365)', nonNegativeInt('--cert-days'))
    .action(async (o) => ctx.exit(await (await ca()).caInit(o)));
  group
    .command('sign')
    .summary('sign a certificate request offline')
    .description('Sign REQUEST.csr (from a node, carried by hand) and write the certificate.')
    .argument('<REQUEST.csr>', 'the request')
    .requiredOption(dir, dirHelp)
    .option('--out <FILE.cert>', 'where to write the certificate (default: REQUEST.cert)')
    .action(async (csr, o) => ctx.exit(await (await ca()).caSign(csr, o)));
  for (const verdict of ['approve', 'reject'] as const)
    group
      .command(verdict)
      .summary(`${verdict} a pending enrollment request`)
      .description(
        `${verdict === 'approve' ? 'Sign' : 'Refuse'} the pending request REQUEST-ID (see ca list).`,
      )
      .argument('<REQUEST-ID>', 'the request id')
      .requiredOption(dir, dirHelp)
      .action(async (id, o) => ctx.exit(await (await ca()).caDecide(verdict, id, o)));
  group
    .command('revoke')
    .summary('revoke a node: new revocation list and a notice for gossip')
    .description(
      "Revoke NODEID: a new signed revocation list and notices/NODEID.revoke; with --notices-dir, the notice is also dropped in a natm's notices dir, which gossips it cluster-wide within seconds.",
    )
    .argument('<NODEID>', 'the node id')
    .requiredOption(dir, dirHelp)
    .option(
      '--notices-dir <DIR>',
      "a natm's notices dir to drop the notice in (repeatable)",
      collect('--notices-dir'),
    )
    .action(async (id, o) => ctx.exit(await (await ca()).caRevoke(id, o)));
  group
    .command('list')
    .summary('list pending requests, enrolled and revoked nodes')
    .description('List pending requests, enrolled nodes and revoked nodes.')
    .requiredOption(dir, dirHelp)
    .option('--json', 'print the CA state as JSON (without certificates and requests)')
    .action(async (o) => ctx.exit(await (await ca()).caList(o)));
}

export function addMembershipCommands(program: Command, ctx: CliContext): void {
  program.commandsGroup('Membership (certificates):');
  addCaCommands(program, ctx);
  program
    .command('enroll')
    .summary("request and fetch this node's certificate")
    .description(
      "Make this node's keys, request a certificate, wait for it and save it in the state dir (node.key, kx.key, node.cert, ca.pub, crl.bin). --refresh-crl only fetches the revocation list again; --renew renews the certificate (same keys and node id); --show prints the identity the dir holds as one JSON line, checked as natm checks it, and contacts no server.",
    )
    .requiredOption('--dir <STATE>', "the node's identity dir (natm's identityDir)")
    .option('--server <URL>', 'the enrollment server', httpUrl('--server'))
    .option('--token <TOKEN>', 'the enrollment token')
    .option(
      '--token-file <FILE>',
      'read the token from the first line of FILE (- = stdin), off the command line',
    )
    .option('--owner <NAME>', 'the owner named in the certificate (default: the host name)')
    .option('--ca-key-id <ID>', "pin the CA's key id instead of trusting it on first contact")
    .option(
      '--ca-fingerprint <SHA256:...>',
      'pin the CA key by its fingerprint (ca init, ca list print it): another CA is refused WRONG_CA before any request; without a pin the CA is trusted on first contact',
      caFingerprint('--ca-fingerprint'),
    )
    .option(
      '--insecure',
      'allow a plain http:// server that is not this host (the token then crosses the network in clear)',
    )
    .option(
      '--poll-interval <DURATION>',
      'how often to ask for the certificate',
      duration('--poll-interval'),
      5000,
    )
    .option('--timeout <DURATION>', 'give up after this long (0: never)', duration('--timeout'), 0)
    .option('--refresh-crl', 'only fetch the signed revocation list again')
    .option('--renew', 'renew the certificate held (same keys and node id, new expiry)')
    .option('--show', 'print the identity held, as one JSON line')
    .option('--json', 'with --show: JSON (it always is)')
    .action(async (o) => ctx.exit(await (await import('../../enroll.ts')).enrollCommand(o)));
  const server = () => import('../../../agent/enroll-server/cli.ts');
  const es = program
    .command('enroll-server')
    .summary('enrollment service with the admin web page')
    .description(
      'Serve enrollment (HTTP API for `p2p-update enroll`) and the admin page under /admin, until SIGINT or SIGTERM. Config: docs/config/enroll-server.md.',
    )
    // Not a commander requiredOption: those are required of every subcommand too.
    .option('--config <FILE>', 'the enrollment server config (JSON; required)')
    .action(async (o: { config?: string }) => {
      if (o.config === undefined) throw new UsageError('--config is required');
      ctx.exit(await (await server()).runEnrollServer({ config: o.config }));
    });
  es.command('hash-password')
    .summary('print the adminPasswordHash of a password read on stdin')
    .description(
      'Read the admin password (8 characters or more) on stdin and print its scrypt hash for adminPasswordHash.',
    )
    .action(async () => ctx.exit(await (await server()).hashPasswordCommand()));
}
