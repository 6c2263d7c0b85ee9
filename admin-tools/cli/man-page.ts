/**
 * The p2p-update(1) man page in roff, generated from the command tree (tree.ts) at
 * package build (packaging/man-page.ts), so it lists every command, subcommand and
 * option the installed version has.
 */
import type { Argument, Command, Option } from 'commander';
import { MAN_PAGE_TAIL } from './man-page-tail.ts';
import { optionText } from './program.ts';
import { commandLine, commandTree, visibleOptions } from './tree.ts';

/** Text safe in roff: backslashes escaped, hyphens as minus signs, no line starting a request. */
export function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/gm, '\\&$1');
}

const argText = (a: Argument) => (a.required ? `<${a.name()}>` : `[${a.name()}]`) + (a.variadic ? '...' : '');

function synopsis(cmd: Command): string {
  const opts = visibleOptions(cmd).filter((o) => o.long !== '--help');
  const parts = [commandLine(cmd), ...cmd.registeredArguments.map(argText)];
  if (cmd.commands.length > 0) parts.push(`{${cmd.commands.map((c) => c.name()).join('|')}}`);
  if (opts.length > 0) parts.push('[options]');
  return parts.join(' ');
}

function optionItem(o: Option): string {
  return `.TP\n.B ${roff(o.flags)}\n${roff(optionText(o))}`;
}

function section(cmd: Command): string {
  const lines = [`.SS "${roff(synopsis(cmd))}"`, roff(cmd.description())];
  for (const a of cmd.registeredArguments)
    lines.push(
      `.TP\n.I ${roff(a.name())}\n${roff(a.description)}${a.argChoices ? roff(`: ${a.argChoices.join(', ')}`) : ''}`,
    );
  lines.push(
    ...visibleOptions(cmd)
      .filter((o) => o.long !== '--help')
      .map(optionItem),
  );
  return lines.join('\n');
}

export function manPage(program: Command, opts: { date: string; version: string }): string {
  const commands = commandTree(program).filter((e) => e.path.length > 0);
  return `.\\" Generated from the command definitions (admin-tools/cli/program.ts); do not edit.
.TH P2P\\-UPDATE 1 "${opts.date}" "p2p\\-update ${roff(opts.version)}" "User Commands"
.SH NAME
p2p\\-update \\- signed software updates for edge devices, delivered peer to peer
.SH SYNOPSIS
.B p2p\\-update
.I COMMAND
.RI [ options ]
.br
.B p2p\\-update help
.RI [ COMMAND " [" SUB ]]
.br
.B p2p\\-update \\-\\-version
.SH DESCRIPTION
.B p2p\\-update
signs, checks and delivers updates as torrent\\-file++ files: BitTorrent metainfo with
an Ed25519 signature over the resource URI and a strictly increasing version. Every
command and subcommand answers
.B \\-\\-help
(or
.BR \\-h ),
as does
.BR "p2p\\-update help" " COMMAND [SUB]."
Commands that print state take
.BR \\-\\-json .
.SH COMMANDS
${commands.map((e) => section(e.cmd)).join('\n')}
${MAN_PAGE_TAIL}`;
}
