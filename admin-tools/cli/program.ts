/**
 * The `p2p-update` program: every command and subcommand defined once with commander
 * (commands/*.ts). The man page, the shell completions and the usage errors are read from
 * this tree. A command's implementation is imported only when it runs, so --version and
 * --help load nothing but commander.
 */
import { Argument, Command, Help, type Option } from 'commander';
import { packageVersion } from '../../agent/lib/common/version.ts';
import { addAdminCommands } from './commands/admin.ts';
import { PROCESS_OUTPUT, type CliContext } from './commands/context.ts';
import { addMembershipCommands } from './commands/membership.ts';
import { addNodeCommands } from './commands/node.ts';
import { addRolloutCommands } from './commands/rollout.ts';

export const DESCRIPTION =
  'Signed software updates for edge devices, delivered peer to peer: `p2p-update help COMMAND` describes one command.';

/** commander's option text, and "(required)" after an option that must be given. */
export function optionText(o: Option): string {
  const text = Help.prototype.optionDescription.call(new Help(), o);
  return o.mandatory ? `${text} (required)` : text;
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('p2p-update')
    .description(DESCRIPTION)
    .usage('COMMAND [options]')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .configureHelp({ optionDescription: optionText })
    .enablePositionalOptions()
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: ctx.out ?? PROCESS_OUTPUT.out,
      // Errors are printed by main.ts as one line; help shown for an error is not printed.
      writeErr: () => undefined,
      outputError: () => undefined,
    });
  addAdminCommands(program, ctx);
  addMembershipCommands(program, ctx);
  addNodeCommands(program, ctx);
  addRolloutCommands(program, ctx);
  program.commandsGroup('Shell:');
  program
    .command('completion')
    .summary('print the bash or zsh completion script')
    .description(
      'Print the completion script for SHELL, generated from these command definitions. The Debian package installs both; by hand: `p2p-update completion bash > /etc/bash_completion.d/p2p-update`.',
    )
    .addArgument(new Argument('<SHELL>', 'the shell').choices(['bash', 'zsh']))
    .action(async (shell: string) => {
      const { completionScript } = await import('./completion.ts');
      (ctx.out ?? PROCESS_OUTPUT.out)(completionScript(program, shell));
      ctx.exit(0);
    });
  // Last, so that the subcommands keep commander's own `help [command]`.
  return program.helpCommand('help [COMMAND] [SUB]', 'show help for a command or subcommand');
}

/** The names of the top-level commands (for the benches and the demo's preflight). */
export function commandNames(): Set<string> {
  return new Set(buildProgram({ exit: () => undefined }).commands.map((c) => c.name()));
}
