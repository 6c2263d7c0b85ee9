/**
 * ansible-playbook against containers of a bed, over SSH as a user runs it: from the bed's
 * hub namespace (`ip netns exec`), as root@<LAN address> with the run's key and strict
 * host-key checking against the bed's known_hosts. Ansible's own state (HOME, temp dirs,
 * SSH control sockets) lives in the run directory; control-master ssh processes it leaves
 * run in the hub and go with the bed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sh, type RunResult } from '../../pkg/trixie-root.ts';
import type { Bed } from './bed.ts';

/** Inventory groups: group name → container names. */
export type Groups = Readonly<Record<string, readonly string[]>>;
/** host_vars: container name → its variables. */
export type HostVars = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

export class AnsibleRunner {
  private constructor(
    readonly bed: Bed,
    readonly dir: string,
  ) {}

  static create(bed: Bed, groups: Groups, hostVars: HostVars = {}): AnsibleRunner {
    const dir = join(bed.runDir, 'ansible');
    mkdirSync(join(dir, 'tmp'), { recursive: true });
    mkdirSync(join(dir, 'host_vars'));
    for (const [host, vars] of Object.entries(hostVars)) {
      writeFileSync(join(dir, 'host_vars', `${host}.json`), JSON.stringify(vars, null, 2));
    }
    const lines: string[] = [];
    for (const [group, hosts] of Object.entries(groups)) {
      lines.push(`[${group}]`, ...hosts.map((h) => `${h} ansible_host=${bed.ip(h)}`), '');
    }
    const common = bed.ssh.options().join(' ');
    lines.push(
      '[all:vars]',
      'ansible_user=root',
      'ansible_python_interpreter=/usr/bin/python3',
      `ansible_ssh_common_args='${common}'`,
      '',
    );
    writeFileSync(join(dir, 'inventory.ini'), lines.join('\n'));
    return new AnsibleRunner(bed, dir);
  }

  /** Runs `playbook` with extra vars (each a JSON object, given with -e). */
  playbook(playbook: string, vars: readonly Record<string, unknown>[]): Promise<RunResult> {
    const env = {
      PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: this.dir,
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_FORCE_COLOR: '0',
      ANSIBLE_RETRY_FILES_ENABLED: '0',
      ANSIBLE_PIPELINING: '1',
      ANSIBLE_HOST_KEY_CHECKING: '1',
      ANSIBLE_LOCAL_TEMP: join(this.dir, 'tmp'),
      ANSIBLE_SSH_CONTROL_PATH_DIR: join(this.dir, 'cp'),
    };
    const extra = vars.flatMap((v) => ['-e', JSON.stringify(v)]);
    return sh(
      'ip',
      [
        'netns',
        'exec',
        this.bed.lan.hubNs,
        'ansible-playbook',
        '-i',
        join(this.dir, 'inventory.ini'),
        ...extra,
        playbook,
      ],
      { env, timeoutMs: 900_000 },
    );
  }
}
