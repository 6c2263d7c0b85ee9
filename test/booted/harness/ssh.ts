/**
 * The controller's SSH identity for one run: a key pair made per run (never reused), and
 * a known_hosts file naming each container's own host key, so ssh and Ansible check the
 * host they reach (StrictHostKeyChecking=yes) instead of trusting the first answer.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from '../../pkg/trixie-root.ts';

export class SshIdentity {
  private readonly hosts = new Map<string, string>();

  private constructor(
    /** Private key file. */
    readonly keyFile: string,
    readonly publicKey: string,
    readonly knownHostsFile: string,
  ) {}

  static async generate(dir: string): Promise<SshIdentity> {
    const keyFile = join(dir, 'id_ed25519');
    const made = await sh('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      'p2pu-booted',
      '-f',
      keyFile,
    ]);
    if (made.code !== 0) throw new Error(`ssh-keygen: ${made.stderr}`);
    const id = new SshIdentity(
      keyFile,
      readFileSync(`${keyFile}.pub`, 'utf8').trim(),
      join(dir, 'known_hosts'),
    );
    writeFileSync(id.knownHostsFile, '');
    return id;
  }

  /** Records `ip`'s host key line ("ssh-ed25519 AAAA... comment") in known_hosts. */
  trust(ip: string, hostKey: string): void {
    this.hosts.set(ip, hostKey.split(' ').slice(0, 2).join(' '));
    writeFileSync(this.knownHostsFile, [...this.hosts].map(([h, k]) => `${h} ${k}\n`).join(''));
  }

  /** ssh options for this identity (for ssh argv or ansible_ssh_common_args). */
  options(): string[] {
    return [
      ...['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes'],
      ...['-o', `UserKnownHostsFile=${this.knownHostsFile}`, '-o', 'IdentitiesOnly=yes'],
      ...['-o', 'ConnectTimeout=10', '-i', this.keyFile],
    ];
  }
}
