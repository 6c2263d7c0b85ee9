/** Commands that run on a node: the daemons (natm, rendezvous, manager) and their tools. */
import type { Command } from 'commander';
import { PACKAGE_PATHS } from '../../../agent/lib/common/paths.ts';
import { nonNegativeInt } from '../values.ts';
import type { CliContext } from './context.ts';

export function addNodeCommands(program: Command, ctx: CliContext): void {
  program.commandsGroup('On a node:');
  const config = ['--config <FILE>', 'the manager config', PACKAGE_PATHS.managerConfig] as const;
  program
    .command('manager')
    .summary('run the node manager daemon')
    .description(
      'Run the manager daemon until SIGTERM or SIGINT: watch the inbox, check and download updates through transmission-daemon, deploy them. Exit 0 after a clean stop, 1 on a start-up or fatal store error. Config: docs/config/manager.md.',
    )
    .option(...config)
    .action(async (o) =>
      ctx.exit(await (await import('../../../agent/manager/cli/manager.ts')).runManager(o)),
    );
  program
    .command('deploy-executor')
    .summary('run the root-side deploy executor (the only part that deploys)')
    .description(
      'Run the deploy executor until SIGTERM or SIGINT: the manager asks it to deploy, and it re-checks each update itself (signature against its own keys, payload hash on its own copy, version above its own record, deployer from its own config) before it runs the deployer with the user and sandbox that deployer names. Socket-activated (p2p-update-deploy.socket), it exits after limits.idleExitMs without work. Config: docs/config/deploy.md.',
    )
    .option('--config <FILE>', 'the deploy executor config', PACKAGE_PATHS.deployConfig)
    .action(async (o) =>
      ctx.exit(await (await import('../../../agent/deploy-executor/cli.ts')).runDeployExecutor(o)),
    );
  program
    .command('publish')
    .summary(
      "drop a torrent-file++ (and payload), a root chain or a rollout control message into this node's inbox",
    )
    .description(
      "Check FILE.torrent against the node's trusted root (and the payload against its signed length and SHA-256), then drop both into the node's inbox; a root chain (FILE.root, `p2p-update root`) is walked from the node's root as the manager will, and dropped as X.root: the manager persists and relays it; a rollout control message (FILE.control, `p2p-update rollout ... --out`) is checked against the root's update keys and dropped as X.control. With --wait, wait for the manager's verdict (exit 1 if refused or none came).",
    )
    .argument('<FILE.torrent|FILE.root|FILE.control>', 'the torrent-file++, root chain or control message')
    .option(
      '--payload <FILE|DIR>',
      'the payload (a file or a directory), on the node that brings it into the fleet',
    )
    .option(...config)
    .option('--wait <SECONDS>', "wait this long for the manager's verdict", nonNegativeInt('--wait'))
    .action(async (file, o) =>
      ctx.exit(await (await import('../../../agent/manager/cli/publish.ts')).publish(file, o)),
    );
  program
    .command('status')
    .summary("show this node's updates and versions")
    .description(
      "Per URI: applied and highest accepted version, state, progress, time in state, payload, last error, deploy attempts; then recent refusals. Read from the manager's store (no daemon needed).",
    )
    .option(...config)
    .option('--json', 'print {uris: [...], refusals: [...]}')
    .action(async (o) => ctx.exit(await (await import('../../../agent/manager/cli/status.ts')).status(o)));
  program
    .command('members')
    .summary("list the fleet as this node's natm sees it")
    .description(
      "Every member of the fleet as this node's natm sees it: id, status (alive/suspect/dead; gone: heard from before, no longer a member; unheard: enrolled, never heard from), path type, addresses, last seen, connectivity (the conditions its natm reports: ok, no_rendezvous, no_external, relayed_only, clock_skew), clock offset against its peers, agent version and applied versions (docs/protocol/gossip.md).",
    )
    .option('--socket <PATH>', `natm's status socket (default ${PACKAGE_PATHS.natmStatsSocket})`)
    .option('--config <FILE>', "natm's config, for its statsSocket")
    .option('--enrolled <CA_DIR>', 'also list the nodes enrolled at this CA that were never heard from')
    .option('--json', 'print the members as JSON')
    .action(async (o) => ctx.exit(await (await import('../../members.ts')).members(o)));
  addOverlayCommands(program, ctx);
}

function addOverlayCommands(program: Command, ctx: CliContext): void {
  program.commandsGroup('Overlay (NAT traversal):');
  program
    .command('natm')
    .summary('run the NAT traversal process of a node')
    .description(
      "Run natm until SIGINT or SIGTERM; SIGHUP re-reads the config's clusterKeys. Config: docs/config/natm.md; protocol: docs/protocol/natm.md.",
    )
    .requiredOption('--config <FILE>', 'the natm config (JSON)')
    .action(async (o) => ctx.exit(await (await import('../../../agent/natm/cli.ts')).runNatm(o)));
  program
    .command('rendezvous')
    .summary('run a rendezvous server (STUN, session table, relay)')
    .description(
      'Run a public rendezvous server until SIGINT or SIGTERM: STUN, session table, introductions, relay. --listen alone starts a STUN-only server; with --config it overrides listen. Config: docs/config/rendezvous.md.',
    )
    .option('--config <FILE>', 'the rendezvous config (JSON)')
    .option('--listen <HOST:PORT>', 'UDP address to bind')
    .action(async (o) => ctx.exit(await (await import('../../../agent/rendezvous/cli.ts')).runRendezvous(o)));
  program
    .command('natm-stats')
    .summary('print the counters of a running natm or rendezvous')
    .description(
      'Print the status of a running natm or rendezvous (counters, peers, paths) as JSON, read from its statsSocket.',
    )
    .option('--socket <PATH>', 'its status socket')
    .option('--config <FILE>', 'its config, for statsSocket')
    .option('--json', 'JSON (it always is)')
    .action(async (o) => ctx.exit(await (await import('../../../agent/natm/stats-cli.ts')).natmStats(o)));
  program
    .command('natm-keygen')
    .summary('print a new random cluster key (base64)')
    .description('Print a new random 32-byte cluster key, base64, for clusterKeys.')
    .action(async () => ctx.exit(await (await import('../../../agent/natm/keygen-cli.ts')).natmKeygen()));
}
