/**
 * Can the live Figure 2 demo run here? It needs root (network namespaces, nftables)
 * and a few Debian tools; the full story also needs the agent commands (manager, natm,
 * rendezvous) in this build. Answers in one line.
 */
import { execFileSync } from 'node:child_process';
import { commandNames } from '../../admin-tools/cli/program.ts';

const COMMANDS = commandNames();

const TOOLS = ['ip', 'nft', 'conntrack', 'transmission-daemon', 'socat'];
export const AGENT_COMMANDS = [
  'manager',
  'deploy-executor',
  'natm',
  'rendezvous',
  'status',
  'members',
  'ca',
  'enroll',
  'enroll-server',
];

function has(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** null when the topology can be built; else what is missing, in one line. */
export function topologyBlocker(): string | null {
  if (process.getuid?.() !== 0)
    return 'the live Figure 2 demo needs root for network namespaces and nftables: run ./scripts/demo.sh as root (or with sudo)';
  const missing = TOOLS.filter((t) => !has(t));
  return missing.length ? `the live demo needs ${missing.join(', ')}: run scripts/setup.sh` : null;
}

export function missingAgentCommands(): string[] {
  return AGENT_COMMANDS.filter((c) => !COMMANDS.has(c));
}
