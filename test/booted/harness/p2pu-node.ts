/**
 * p2p-update on a booted container, set up the way an operator does it: the .deb installed
 * with apt, the root of trust added, the node enrolled as natm's user, natm.json given the
 * node's id and where the overlay is (nothing else edited); updates published with the
 * CLI; `p2p-update status --json`; what the shipped example deploy script wrote.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { waitUntil } from '../../e2e/harness/wait.ts';
import type { Container } from './container.ts';
import type { Signed } from './releases.ts';

export const UNITS = {
  natm: 'p2p-update-natm.service',
  manager: 'p2p-update-manager.service',
  rendezvous: 'p2p-update-rendezvous.service',
  executor: 'p2p-update-deploy.service',
} as const;
export type Daemon = keyof typeof UNITS;

/** The user each daemon runs as (its group is the same name). */
export const USERS: Readonly<Record<Daemon, string>> = {
  natm: 'p2p-update-natm',
  manager: 'p2p-update',
  rendezvous: 'p2p-update-rdv',
  executor: 'root',
};

export const IDENTITY_DIR = '/var/lib/p2p-update-natm/identity';
/** Where the shipped app:/ deployer (example-marker.sh) writes: marker, payload, deploy.log. */
export const DEMO_DIR = '/var/lib/p2p-update-demo';

/** `apt-get install ./p2p-update_*.deb`; returns how long it took (ms). */
export async function installDeb(c: Container, deb: string): Promise<number> {
  await c.writeFile(`/root/${basename(deb)}`, readFileSync(deb));
  const t0 = Date.now();
  const r = await c.bash(
    `cd /root && apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends ./${basename(deb)}`,
    { timeoutMs: 300_000 },
  );
  if (r.code !== 0) throw new Error(`${c.name}: apt-get install failed:\n${r.stdout}\n${r.stderr}`);
  return Date.now() - t0;
}

/** The root of trust (a signed root chain) where the shipped manager.json and deploy.json trust it. */
export async function addRoot(c: Container, chain: Buffer): Promise<void> {
  await c.writeFile('/etc/p2p-update/fleet.root', chain, '0640');
  await c.must(['chown', 'root:p2p-update', '/etc/p2p-update/fleet.root']);
}

/**
 * `p2p-update enroll` as natm's user; returns the node id. The server is plain HTTP on the
 * bed's hub (off the node): --insecure, with the CA pinned by its fingerprint.
 */
export async function enroll(
  c: Container,
  server: string,
  token: string,
  caFingerprint: string,
): Promise<string> {
  const out = await c.must([
    ...['runuser', '-u', USERS.natm, '--', 'p2p-update', 'enroll', '--server', server],
    ...['--token', token, '--dir', IDENTITY_DIR, '--owner', c.name, '--timeout', '60s'],
    ...['--ca-fingerprint', caFingerprint, '--insecure'],
  ]);
  const id = /enrolled: node ([0-9a-f]{32}) /.exec(out)?.[1];
  if (!id) throw new Error(`${c.name}: no node id in: ${out}`);
  return id;
}

/** Reads a JSON file inside, applies `edit`, writes it back keeping its owner and mode. */
export async function editJson(
  c: Container,
  path: string,
  edit: (o: Record<string, unknown>) => Record<string, unknown>,
): Promise<void> {
  const [mode, owner] = (await c.must(['stat', '-c', '%a %U:%G', path])).trim().split(' ');
  const text = JSON.stringify(edit(JSON.parse(await c.readFile(path)) as Record<string, unknown>), null, 2);
  await c.writeFile(path, `${text}\n`, `0${mode}`);
  await c.must(['chown', owner!, path]);
}

/** The hand edits natm.json needs: the node's id and how it reaches the overlay. */
export function editNatm(c: Container, edits: Record<string, unknown>): Promise<void> {
  return editJson(c, '/etc/p2p-update/natm.json', (o) => ({ ...o, ...edits }));
}

/** `p2p-update publish` of a signed update (with its payload) on this node, as root. */
export async function publish(c: Container, s: Signed): Promise<void> {
  const dir = `/root/publish/v${s.version}-${s.infoHash.slice(0, 8)}`;
  await c.must(['mkdir', '-p', dir]);
  await c.writeFile(`${dir}/${s.name}`, readFileSync(s.payload));
  await c.writeFile(`${dir}/${s.name}.torrent`, readFileSync(s.torrent));
  await c.must(['p2p-update', 'publish', `${dir}/${s.name}.torrent`, '--payload', `${dir}/${s.name}`]);
}

export interface UriStatus {
  readonly uri: string;
  readonly applied: number | null;
  readonly highest: number;
  readonly state: string | null;
  readonly version: number | null;
  readonly progress: number | null;
  readonly lastError: string | null;
}

/** `p2p-update status --json`, the row of `uri` (undefined before it is known). */
export async function uriStatus(c: Container, uri: string): Promise<UriStatus | undefined> {
  const s = JSON.parse(await c.must(['p2p-update', 'status', '--json'])) as { uris: UriStatus[] };
  return s.uris.find((r) => r.uri === uri);
}

/** Waits until the manager says `uri` is applied at `version`; returns when (ms since t0). */
export async function waitApplied(
  c: Container,
  uri: string,
  version: number,
  timeoutMs: number,
  t0 = Date.now(),
): Promise<number> {
  let last: UriStatus | undefined;
  await waitUntil(
    () => `${c.name}: ${uri} v${version} applied (last: ${JSON.stringify(last)})`,
    async () => {
      last = await uriStatus(c, uri).catch(() => undefined);
      return last?.applied === version;
    },
    timeoutMs,
    500,
  );
  return Date.now() - t0;
}

/** The lines of the example deploy script's append-only log ("begin URI V", "applied URI V"). */
export async function deployLog(c: Container, dir = DEMO_DIR): Promise<string[]> {
  const r = await c.exec(['cat', `${dir}/deploy.log`]);
  return r.code === 0 ? r.stdout.split('\n').filter(Boolean) : [];
}
