/**
 * `p2p-update enroll --server URL --token T --dir STATE [--owner NAME] [--ca-fingerprint SHA256:...]
 *   [--insecure] [--poll-interval 5s] [--timeout 0]`: make this node's keys, request a certificate,
 * wait for it and save it in STATE (node.key, kx.key, node.cert, ca.pub, crl.bin).
 * `--ca-fingerprint` pins the CA key (printed by `ca init` and `ca list`): any other is
 * refused WRONG_CA; without it the CA is trusted on first use (and pinned in ca.pub).
 * An http:// server that is not this host is refused INSECURE_URL unless `--insecure`.
 * `--refresh-crl` only fetches the signed revocation list again (for a timer); an older
 * list never replaces the one held. `--renew` renews the certificate in STATE (same keys
 * and node id, new expiry); on failure node.cert stays as it was. `--show` prints, as one
 * JSON line, the identity STATE holds (node id, cluster, owner, expiry, CA key id), checked
 * as natm checks it at start-up; it contacts no server. `--token-file FILE` (`-` = stdin)
 * keeps the token off the command line.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { systemClock } from '../agent/lib/common/clock.ts';
import { UsageError } from '../agent/lib/common/errors.ts';
import { caFingerprint, checkServerUrl, parseFingerprint } from '../agent/lib/enrollment/ca-pin.ts';
import { enroll, refreshCrlFile } from '../agent/lib/enrollment/client.ts';
import { loadNodeIdentity, readTrust } from '../agent/lib/enrollment/node-identity.ts';
import { statePaths } from '../agent/lib/enrollment/node-keys.ts';
import { renewCertificate } from '../agent/lib/enrollment/renew-client.ts';

export interface EnrollOptions {
  readonly dir: string;
  readonly server?: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly owner?: string;
  readonly caKeyId?: string;
  /** SHA256:... of the CA public key (ca init, ca list). */
  readonly caFingerprint?: string;
  /** Allow http:// to a server that is not this host. */
  readonly insecure?: boolean;
  /** Milliseconds. */
  readonly pollInterval: number;
  readonly timeout: number;
  readonly refreshCrl?: boolean;
  readonly renew?: boolean;
  readonly show?: boolean;
  readonly json?: boolean;
}

/** --token, or the first line of --token-file (`-`: stdin), so the token need not be in argv. */
async function token(o: EnrollOptions): Promise<string> {
  if (o.tokenFile === undefined) {
    if (o.token === undefined) throw new UsageError('--token or --token-file is required');
    return o.token;
  }
  if (o.token !== undefined) throw new UsageError('give --token or --token-file, not both');
  let text: string;
  try {
    text = o.tokenFile === '-' ? await readStdin() : await readFile(o.tokenFile, 'utf8');
  } catch (cause) {
    throw new UsageError(`--token-file ${o.tokenFile}: ${(cause as Error).message}`, { cause });
  }
  const t = text.split(/\r?\n/)[0]!;
  if (t === '') throw new UsageError(`--token-file ${o.tokenFile}: no token in it`);
  return t;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const iso = (s: number) => new Date(s * 1000).toISOString();

/** --show: one JSON line (with or without --json: it is for scripts either way). */
async function showIdentity(dir: string): Promise<number> {
  const { cert } = await loadNodeIdentity(dir, systemClock.now());
  const { nodeId, cluster, owner, caKeyId } = cert;
  const fingerprint = caFingerprint((await readTrust(dir)).ca.publicKey);
  console.log(
    JSON.stringify({
      nodeId,
      cluster,
      owner,
      expires: iso(cert.expires),
      caKeyId,
      caFingerprint: fingerprint,
    }),
  );
  return 0;
}

export async function enrollCommand(o: EnrollOptions): Promise<number> {
  if (o.show) return showIdentity(o.dir);
  if (o.server === undefined) throw new UsageError('--server is required (except with --show)');
  const { server, dir } = o;
  checkServerUrl(server, o.insecure === true);
  const fp = o.caFingerprint === undefined ? undefined : parseFingerprint(o.caFingerprint);
  if (o.refreshCrl && o.renew) throw new UsageError('give --refresh-crl or --renew, not both');
  if (o.refreshCrl) {
    const { ca, cluster } = await readTrust(dir);
    const seq = await refreshCrlFile({ fetch }, server, dir, ca, cluster);
    console.log(`revocation list seq ${seq} held in ${statePaths(dir).crl}`);
    return 0;
  }
  if (o.renew) {
    const r = await renewCertificate({ fetch, clock: systemClock }, { server, dir });
    console.log(
      `renewed: node ${r.cert.nodeId}, certificate ${statePaths(dir).cert} valid until ${iso(r.cert.expires)} (was ${iso(r.previous.expires)})`,
    );
    return 0;
  }
  const owner =
    o.owner ??
    hostname()
      .replace(/[^\w.@+-]/g, '-')
      .slice(0, 128);
  const cert = await enroll(
    {
      fetch,
      clock: systemClock,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      onStatus: (m) => console.log(m),
    },
    {
      server,
      token: await token(o),
      dir,
      owner,
      caKeyId: o.caKeyId,
      ...(fp === undefined ? {} : { caFingerprint: fp }),
      pollMs: o.pollInterval,
      timeoutMs: o.timeout,
    },
  );
  console.log(
    `enrolled: node ${cert.nodeId} in cluster ${cert.cluster}, certificate ${statePaths(dir).cert} valid until ${iso(cert.expires)}`,
  );
  return 0;
}
