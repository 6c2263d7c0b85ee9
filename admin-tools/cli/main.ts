/**
 * The `p2p-update` executable: a thin layer over the library (STYLE.md rule 7), parsed by
 * commander from the definitions in program.ts. Exit codes: 0 success (and --help,
 * --version), 1 failure (`error CODE: ...`), 2 usage mistake (`usage error: ...`, one line).
 */
import { CommanderError, type Command } from 'commander';
import { formatError, UsageError } from '../../agent/lib/common/errors.ts';
import { PROCESS_OUTPUT, type CliOutput } from './commands/context.ts';
import { buildProgram } from './program.ts';
import { commandLine, commandTree } from './tree.ts';

/** `help A B`: the help of `A B`, at any depth (commander's own help command takes one name). */
function helpTarget(program: Command, names: readonly string[]): Command | undefined {
  let cmd: Command | undefined = program;
  for (const name of names) cmd = cmd?.commands.find((c) => c.name() === name);
  return cmd;
}

/** Commander's message, on one line, without its "error: " prefix; an option another command has is named so. */
function usageText(e: CommanderError, program: Command, at: Command): string {
  if (e.code === 'commander.help') {
    const subs = at.commands.map((c) => c.name()).join(', ');
    return `a command is needed (${subs})`;
  }
  const flag = /unknown option '([^']+)'/.exec(e.message)?.[1];
  const owners = commandTree(program).filter((x) =>
    x.cmd.options.some((o) => o.long === flag || o.short === flag),
  );
  if (e.code === 'commander.unknownOption' && owners.length > 0)
    return `${flag} is for ${owners.map((x) => `"${x.path.join(' ')}"`).join(', ')} only`;
  return e.message
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\.$/, '');
}

/** One line, whatever the message quotes from the command line or a file. */
const oneLine = (s: string) => s.replace(/\r?\n/g, '\\n');

/** Runs `p2p-update ARGV`; returns the exit code. `io` takes the CLI's own text (tests pass theirs). */
export async function main(argv: string[], io: CliOutput = PROCESS_OUTPUT): Promise<number> {
  let code = 0;
  const program = buildProgram({ exit: (c) => (code = c), out: io.out });
  let at: Command = program;
  for (const { cmd } of commandTree(program)) cmd.hook('preSubcommand', (_parent, sub) => void (at = sub));
  // A command line commander could not read points at the help; our own refusals of a
  // value say all there is to say.
  const usageError = (message: string, hint: boolean): number => {
    io.err(`usage error: ${oneLine(message)}${hint ? `; see ${commandLine(at)} --help` : ''}\n`);
    return 2;
  };
  try {
    if (argv[0] === 'help') {
      const target = helpTarget(program, argv.slice(1));
      if (!target) return usageError(`unknown command '${argv.slice(1).join(' ')}'`, true);
      target.outputHelp();
      return 0;
    }
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError)
      return e.exitCode === 0 ? 0 : usageError(usageText(e, program, at), true);
    if (e instanceof UsageError) return usageError(e.message, false);
    io.err(`${oneLine(formatError(e))}\n`);
    if (process.env['P2PU_DEBUG'] && e instanceof Error) io.err(`${e.stack}\n`);
    return 1;
  }
}
