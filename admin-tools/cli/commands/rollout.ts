/** `p2p-update rollout pause|resume|abort|status`: the admin's control of a staged rollout (docs/rollouts.md). */
import { Argument, type Command } from 'commander';
import { PACKAGE_PATHS } from '../../../agent/lib/common/paths.ts';
import type { ControlAction } from '../../../agent/lib/rollout/control.ts';
import { collect, nonNegativeInt } from '../values.ts';
import type { CliContext } from './context.ts';

const WHAT: Record<ControlAction, [string, string]> = {
  pause: ['stop installs of an update on nodes that have not installed it', 'Pause'],
  resume: ['let a paused rollout go on', 'Resume'],
  abort: ['stop a rollout for good (with --rollback: roll it back too)', 'Abort'],
};

function version(text: string): number {
  return nonNegativeInt('VERSION')(text);
}

export function addRolloutCommands(program: Command, ctx: CliContext): void {
  program.commandsGroup('Rollouts:');
  const rollout = program
    .command('rollout')
    .summary("pause, resume or abort an update's rollout; show its waves")
    .description(
      "The admin's control of a staged rollout (docs/rollouts.md): signed control messages, spread like updates; and what any node sees of a rollout.",
    );
  const run = async (action: ControlAction, uri: string, v: number, o: object) =>
    ctx.exit(
      await (
        await import('../../../agent/manager/cli/rollout-control.ts')
      ).rolloutControl(action, uri, v, {
        ...(o as { key: string[]; config: string }),
      }),
    );
  for (const action of ['pause', 'resume', 'abort'] as const) {
    const [summary, verb] = WHAT[action];
    const cmd = rollout
      .command(action)
      .summary(summary)
      .description(
        `${verb} the rollout of URI at VERSION: sign a control message with each --key (an admin key of the nodes' root of trust; a root with threshold k needs k) and publish it at this node, from where gossip and anti-entropy take it to every node. Newest seq wins; an abort is final for that version. Paused or aborted, a node that has not installed the update does not install it (it still downloads and seeds).`,
      )
      .argument('<URI>', 'the update URI')
      .addArgument(new Argument('<VERSION>', 'the update version').argParser(version))
      .requiredOption('--key <PREFIX.key>', 'an admin private key (repeat for k of n)', collect('--key'))
      .option('--seq <N>', 'the sequence number (default: max(held + 1, Unix ms))', nonNegativeInt('--seq'))
      .option('--out <FILE.control>', 'only write the signed message (publish it with `p2p-update publish`)')
      .option('--config <FILE>', 'the manager config', PACKAGE_PATHS.managerConfig)
      .option('--wait <SECONDS>', "wait this long for the manager's verdict", nonNegativeInt('--wait'));
    if (action === 'abort') cmd.option('--rollback', 'nodes that applied this version roll it back');
    cmd.action((uri: string, v: number, o: object) => run(action, uri, v, o));
  }
  rollout
    .command('status')
    .summary("show an update's rollout per wave, as this node sees it")
    .description(
      "Per wave: targeted, downloaded, applied, failed, rolled back and not seen nodes; the gate (open, closed, waiting) and why it is not open (paused, aborted, halted by the error threshold, too early, success ratio below the gate); the admin's control state. Read from this node's store, its control messages and natm's fleet view. VERSION defaults to the version this node holds.",
    )
    .argument('<URI>', 'the update URI')
    .addArgument(new Argument('[VERSION]', 'the update version').argParser(version))
    .option('--config <FILE>', 'the manager config', PACKAGE_PATHS.managerConfig)
    .option('--socket <PATH>', "natm's IPC socket (default: the config's natmSocket)")
    .option('--json', 'print the report as JSON')
    .action(
      async (uri: string, v: number | undefined, o: { config: string; json?: boolean; socket?: string }) =>
        ctx.exit(
          await (await import('../../../agent/manager/cli/rollout-status.ts')).rolloutStatus(uri, v, o),
        ),
    );
}
