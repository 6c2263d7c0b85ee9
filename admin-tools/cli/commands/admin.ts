/** The admin's commands for updates: keygen, create, verify, show (each loaded when it runs); sign and root: root.ts. */
import type { Command } from 'commander';
import { collect, nonNegativeInt, parseWhen, resourceUri } from '../values.ts';
import type { CliContext } from './context.ts';
import { addRootCommands } from './root.ts';

export function addAdminCommands(program: Command, ctx: CliContext): void {
  program.commandsGroup('Sign and check updates (admin):');
  program
    .command('keygen')
    .summary('make an admin Ed25519 key pair')
    .description(
      'Write PREFIX.key (Ed25519 private key, PKCS#8 PEM, mode 0600, never overwritten) and PREFIX.pub (SubjectPublicKeyInfo PEM).',
    )
    .requiredOption('--out <PREFIX>', 'path prefix of the two key files')
    .action(async (o) => ctx.exit(await (await import('../../keygen.ts')).keygen(o)));
  program
    .command('create')
    .summary('turn an update file or directory into a signed torrent-file++')
    .description(
      "Sign PAYLOAD into a torrent-file++: BitTorrent metainfo with an Ed25519 signature over the resource URI, a strictly increasing version, the payload's length and SHA-256. A directory becomes a multi-file torrent whose signed manifest lists each file's relative path, length and SHA-256 (at most 64 files, 8 levels, no links or special files, no empty file or directory; never inline); the deployer gets it in P2PU_DIR. Private (BEP 27: peers only from the node's tracker, no DHT/PEX/LPD) unless --public.",
    )
    .argument('<PAYLOAD>', 'the update file, or a directory')
    .requiredOption(
      '--uri <URI>',
      'the resource it updates (scheme:resource, e.g. app:/opt/demo)',
      resourceUri,
    )
    .requiredOption(
      '--version <N>',
      'its version: higher than any accepted before',
      nonNegativeInt('--version'),
    )
    .requiredOption(
      '--key <PREFIX.key>',
      'an update private key (repeat: each signs; a root with threshold k needs k)',
      collect('--key'),
    )
    .requiredOption('--out <FILE.torrent>', 'where to write the torrent-file++')
    .option('--expires <WHEN>', 'a date (2027-01-31), a duration (30d, 12h) or Unix seconds', (t) =>
      parseWhen(t, Date.now()),
    )
    .option(
      '--piece-length <BYTES>',
      'BitTorrent piece length (default: chosen from the size)',
      nonNegativeInt('--piece-length'),
    )
    .option('--name <NAME>', "the payload's name in the torrent (default: the file or directory name)")
    .option('--public', 'allow DHT, PEX and LPD peers')
    .option(
      '--no-inline',
      'never carry the payload inside the torrent-file++ (by default one of at most 64 KiB, e.g. a script, travels with the notification)',
    )
    .optionsGroup('Staged rollout (docs/rollouts.md; any of these signs a rollout policy):')
    .option(
      '--target <SELECTOR>',
      'nodes whose tags match, e.g. "ring=canary", "site in (a,b), hw!=rpi3" (default: all)',
    )
    .option(
      '--waves <F@START[:GATE],...>',
      'cumulative fraction @ start after issue [: min success ratio of earlier waves], e.g. 0.05@0,0.5@2h:0.95,1@6h (default 1@0)',
    )
    .option(
      '--error-threshold <R>',
      'halt when failed + rolled back exceed this share of a wave (default 0.05)',
    )
    .option(
      '--grace <DURATION>',
      'after a wave starts, silent earlier-wave nodes stop counting (default 30m)',
    )
    .option('--quorum <R>', 'after grace, share of earlier-wave nodes that must be heard from (default 0.5)')
    .option('--rollout <FILE.json>', 'the policy as JSON (target, waves, errorThreshold, grace, quorum)')
    .action(async (payload, o) => ctx.exit(await (await import('../../create.ts')).create(payload, o)));
  program
    .command('verify')
    .summary('check a torrent-file++ (and its payload) against a root of trust or admin keys')
    .description(
      'With --root, the chain is walked from its first root and the torrent checked against the newest: k of its update keys, its expiry, and the version ceilings that need no node record. With --pub, any one of the keys. Exit 0 with a summary, or 1 with `error CODE: explanation`, CODE one of MALFORMED, TOO_LARGE, UNKNOWN_SIGNER, BAD_SIGNATURE, THRESHOLD, EXPIRED, ROOT_EXPIRED, FAST_FORWARD, PAYLOAD_MISMATCH.',
    )
    .argument('<FILE.torrent>', 'the torrent-file++')
    .option('--root <FILE.root>', 'the root chain to check against (p2p-update root)')
    .option(
      '--pub <PREFIX.pub>',
      'a trusted admin public key, instead of --root (repeat for more)',
      collect('--pub'),
    )
    .option(
      '--payload <PAYLOAD>',
      'also check this file (or directory: every file against the signed manifest, nothing extra, no link) against the signed length and SHA-256',
    )
    .option('--json', 'print the result as JSON')
    .action(async (file, o) => ctx.exit(await (await import('../../verify.ts')).verify(file, o)));
  program
    .command('show')
    .summary('print what a torrent-file++ holds')
    .description(
      "Print the metainfo and signed fields of a torrent-file++, without checking the signature; a directory payload's files with their length and SHA-256.",
    )
    .argument('<FILE.torrent>', 'the torrent-file++')
    .option('--json', 'print it as JSON')
    .action(async (file, o) => ctx.exit(await (await import('../../show.ts')).show(file, o)));
  addRootCommands(program, ctx);
}
