/**
 * The `p2p-update` executable: a thin dispatcher over the library (STYLE.md rule 7).
 * Exit codes: 0 success, 1 failure (`error CODE: ...`), 2 usage mistake.
 */
import { formatError, UsageError } from '../../agent/lib/common/errors.ts';
import { packageVersion } from '../../agent/lib/common/version.ts';
import { COMMANDS } from './commands.ts';

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: p2p-update COMMAND [options]',
    '',
    'commands:',
    ...rows,
    '',
    'p2p-update COMMAND --help for details',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    console.log(packageVersion());
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS[name];
  try {
    if (!cmd) throw new UsageError(`unknown command "${name}"; run p2p-update --help`);
    return await (await cmd.load()).run(rest);
  } catch (e) {
    console.error(e instanceof UsageError ? `usage error: ${e.message}` : formatError(e));
    if (process.env['P2PU_DEBUG'] && e instanceof Error) console.error(e.stack);
    return e instanceof UsageError ? 2 : 1;
  }
}
