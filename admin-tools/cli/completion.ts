/**
 * `p2p-update completion bash|zsh`: the completion scripts, generated from the command
 * tree (tree.ts), so a command or option defined in program.ts is completed without
 * another edit. Values: directories for options whose value is a DIR, the declared
 * choices of an argument, file names otherwise.
 */
import type { Command } from 'commander';
import { UsageError } from '../../agent/lib/common/errors.ts';
import { bashScript } from './completion-bash.ts';
import { zshScript } from './completion-zsh.ts';

export function completionScript(program: Command, shell: string): string {
  if (shell === 'bash') return bashScript(program);
  if (shell === 'zsh') return zshScript(program);
  throw new UsageError(`no completion for shell "${shell}" (bash or zsh)`);
}
