/**
 * The `p2p-update` executable: a thin layer over the library (STYLE.md rule 7), parsed by
 * commander from the definitions in program.ts. Exit codes: 0 success (and --help,
 * --version), 1 failure (`error CODE: ...`), 2 usage mistake (`usage error: ...`, one line).
 */
import { CommanderError, type Command } from 'commander';
import { formatError, UsageError } from '../../agent/lib/common/errors.ts';
import { buildProgram } from './program.ts';
import { commandLine, commandTree } from './tree.ts';

/** `help A B`: the help of `A B`, at any depth (commander's own help command takes one name). */
function helpTarget(program: Command, names: readonly string[]): Command {
  let cmd = program;
  for (const name of names) {
    const sub = cmd.commands.find((c) => c.name() === name);
    if (!sub)
      throw new UsageError(`unknown command '${[...names.slice(0, names.indexOf(name)), name].join(' ')}'`);
    cmd = sub;
  }
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

function usageError(message: string, at: Command): number {
  console.error(`usage error: ${message}; see ${commandLine(at)} --help`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram({ exit: (c) => (code = c) });
  let at: Command = program;
  for (const { cmd } of commandTree(program)) cmd.hook('preSubcommand', (_parent, sub) => void (at = sub));
  try {
    if (argv[0] === 'help') {
      helpTarget(program, argv.slice(1)).outputHelp();
      return 0;
    }
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : usageError(usageText(e, program, at), at);
    if (e instanceof UsageError) return usageError(e.message, at);
    console.error(formatError(e));
    if (process.env['P2PU_DEBUG'] && e instanceof Error) console.error(e.stack);
    return 1;
  }
}
