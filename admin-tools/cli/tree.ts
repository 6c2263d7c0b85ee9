/**
 * The command tree as the man page, the shell completions and the usage errors read it:
 * every command and subcommand under the program, with its path of names.
 */
import type { Command, Option } from 'commander';

export interface Entry {
  /** Names from the program down: [] for the program, ['ca', 'revoke'] for `ca revoke`. */
  readonly path: readonly string[];
  readonly cmd: Command;
}

/** The program and every command below it, depth first, in definition order. */
export function commandTree(program: Command): Entry[] {
  const out: Entry[] = [];
  const walk = (cmd: Command, path: readonly string[]): void => {
    out.push({ path, cmd });
    for (const sub of cmd.commands) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return out;
}

/** `p2p-update ca revoke` for the `revoke` under `ca`. */
export function commandLine(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The options a command shows in its help: its own plus -h/--help (and -V/--version at the top). */
export function visibleOptions(cmd: Command): readonly Option[] {
  return cmd.createHelp().visibleOptions(cmd);
}

/** What an option's value is, for completion: a directory, a file, or a word to type. */
export function valueKind(o: Option): 'dir' | 'file' | 'word' | undefined {
  const name = /<([^>]+)>/.exec(o.flags)?.[1];
  if (name === undefined) return undefined;
  if (/DIR|STATE/.test(name)) return 'dir';
  return /FILE|PREFIX|PATH|PAYLOAD|\./.test(name) ? 'file' : 'word';
}

/** The short text of a command in lists: its summary, or the first sentence of its description. */
export function summaryOf(cmd: Command): string {
  return cmd.summary() || cmd.description().split(/(?<=\.)\s/)[0]!;
}
