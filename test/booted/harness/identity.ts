/**
 * What makes a container one machine among copies of the same base, written into its root
 * before its first boot and kept across power-cycles: machine-id, hostname, its own SSH
 * host key (the harness's known_hosts names it), and the keys allowed to log in as root.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from '../../pkg/trixie-root.ts';

export interface IdentityInit {
  readonly hostname: string;
  /** OpenSSH public key lines for /root/.ssh/authorized_keys. */
  readonly authorizedKeys: readonly string[];
}

/** Writes the identity; returns the SSH host public key line ("ssh-ed25519 AAAA... host"). */
export async function writeIdentity(root: string, init: IdentityInit): Promise<string> {
  writeFileSync(join(root, 'etc/machine-id'), `${randomBytes(16).toString('hex')}\n`);
  writeFileSync(join(root, 'etc/hostname'), `${init.hostname}\n`);
  writeFileSync(
    join(root, 'etc/hosts'),
    `127.0.0.1\tlocalhost\n127.0.1.1\t${init.hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`,
  );
  const hostKey = join(root, 'etc/ssh/ssh_host_ed25519_key');
  if (!existsSync(hostKey)) {
    const made = await sh('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      init.hostname,
      '-f',
      hostKey,
    ]);
    if (made.code !== 0) throw new Error(`ssh-keygen: ${made.stderr}`);
  }
  const sshDir = join(root, 'root/.ssh');
  mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  chmodSync(sshDir, 0o700);
  writeFileSync(join(sshDir, 'authorized_keys'), init.authorizedKeys.map((k) => `${k.trim()}\n`).join(''), {
    mode: 0o600,
  });
  return readFileSync(`${hostKey}.pub`, 'utf8').trim();
}
