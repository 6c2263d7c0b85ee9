/**
 * `p2p-update enroll --server URL --token T --dir STATE [--owner NAME] [--ca-fingerprint SHA256:...]
 *   [--insecure] [--poll-interval 5s] [--timeout 0]`: make this node's keys, request a certificate,
 * wait for it and save it in STATE (node.key, kx.key, node.cert, ca.pub, crl.bin).
 * `--ca-fingerprint` pins the CA key (printed by `ca init` and `ca list`): any other is
 * refused WRONG_CA; without it the CA is trusted on first use (and pinned in ca.pub).
 * An http:// server that is not this host is refused INSECURE_URL unless `--insecure`.
 * `p2p-update enroll --refresh-crl --server URL --dir STATE` only fetches the signed
 * revocation list again (for a timer); an older list never replaces the one held.
 * `p2p-update enroll --renew --server URL --dir STATE` renews the certificate in STATE (same
 * keys and node id, new expiry); on failure node.cert stays as it was.
 * `p2p-update enroll --show --dir STATE` prints, as one JSON line, the identity STATE holds
 * (node id, cluster, owner, expiry, CA key id), checked as natm checks it at start-up;
 * it contacts no server. `--token-file FILE` (`-` = stdin) keeps the token off the
 * command line.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { systemClock } from '../agent/lib/common/clock.ts';
import { caFingerprint, checkServerUrl, parseFingerprint } from '../agent/lib/enrollment/ca-pin.ts';
import { enroll, refreshCrlFile } from '../agent/lib/enrollment/client.ts';
import { loadNodeIdentity, readTrust } from '../agent/lib/enrollment/node-identity.ts';
import { statePaths } from '../agent/lib/enrollment/node-keys.ts';
import { renewCertificate } from '../agent/lib/enrollment/renew-client.ts';
import { optionalString, parse, required, type Parsed } from '../agent/lib/cli/args.ts';
import { UsageError } from '../agent/lib/common/errors.ts';

const USAGE =
  'p2p-update enroll --server URL (--token TOKEN | --token-file FILE|-) --dir STATE [--owner NAME]\n' +
  '                  [--ca-fingerprint SHA256:...] [--insecure] [--poll-interval 5s] [--timeout 0]\n' +
  '       p2p-update enroll --refresh-crl --server URL --dir STATE [--insecure]\n' +
  '       p2p-update enroll --renew --server URL --dir STATE [--insecure]\n' +
  '       p2p-update enroll --show --dir STATE';

function duration(text: string, name: string): number {
  const m = /^(\d{1,9})(ms|s|m|h)?$/.exec(text);
  if (!m) throw new UsageError(`--${name}: expected a duration like 500ms, 5s, 10m or 1h, got "${text}"`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

/** --token, or the first line of --token-file (`-`: stdin), so the token need not be in argv. */
async function token(p: Parsed): Promise<string> {
  const file = optionalString(p, 'token-file');
  if (file === undefined) return required(p, 'token', USAGE);
  if (optionalString(p, 'token') !== undefined)
    throw new UsageError(`give --token or --token-file, not both; usage: ${USAGE}`);
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (cause) {
    throw new UsageError(`--token-file ${file}: ${(cause as Error).message}`, { cause });
  }
  const t = text.split(/\r?\n/)[0]!;
  if (t === '') throw new UsageError(`--token-file ${file}: no token in it`);
  return t;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function run(argv: string[]): Promise<number> {
  const p = parse(
    argv,
    {
      server: { type: 'string' },
      token: { type: 'string' },
      dir: { type: 'string' },
      owner: { type: 'string' },
      'ca-key-id': { type: 'string' },
      'ca-fingerprint': { type: 'string' },
      insecure: { type: 'boolean' },
      'poll-interval': { type: 'string' },
      timeout: { type: 'string' },
      'refresh-crl': { type: 'boolean' },
      renew: { type: 'boolean' },
      show: { type: 'boolean' },
      'token-file': { type: 'string' },
    },
    USAGE,
  );
  if (p.values['show']) {
    const { cert } = await loadNodeIdentity(required(p, 'dir', USAGE), systemClock.now());
    console.log(
      JSON.stringify({
        nodeId: cert.nodeId,
        cluster: cert.cluster,
        owner: cert.owner,
        expires: new Date(cert.expires * 1000).toISOString(),
        caKeyId: cert.caKeyId,
        caFingerprint: caFingerprint((await readTrust(required(p, 'dir', USAGE))).ca.publicKey),
      }),
    );
    return 0;
  }
  const server = required(p, 'server', USAGE);
  if (!/^https?:\/\//.test(server)) throw new UsageError(`--server must be an http(s) URL, got "${server}"`);
  checkServerUrl(server, p.values['insecure'] === true);
  const fpText = optionalString(p, 'ca-fingerprint');
  if (fpText !== undefined && !/^SHA256:[A-Za-z0-9+/]{43}$/.test(fpText))
    throw new UsageError(
      `--ca-fingerprint: expected SHA256: and 43 base64 characters (p2p-update ca list), got "${fpText}"`,
    );
  const fp = fpText === undefined ? undefined : parseFingerprint(fpText);
  const dir = required(p, 'dir', USAGE);
  if (p.values['refresh-crl'] && p.values['renew'])
    throw new UsageError(`give --refresh-crl or --renew, not both; usage: ${USAGE}`);
  if (p.values['refresh-crl']) {
    const { ca, cluster } = await readTrust(dir);
    const seq = await refreshCrlFile({ fetch }, server, dir, ca, cluster);
    console.log(`revocation list seq ${seq} held in ${statePaths(dir).crl}`);
    return 0;
  }
  if (p.values['renew']) {
    const r = await renewCertificate({ fetch, clock: systemClock }, { server, dir });
    const iso = (s: number) => new Date(s * 1000).toISOString();
    console.log(
      `renewed: node ${r.cert.nodeId}, certificate ${statePaths(dir).cert} valid until ${iso(r.cert.expires)} (was ${iso(r.previous.expires)})`,
    );
    return 0;
  }
  const owner =
    optionalString(p, 'owner') ??
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
      token: await token(p),
      dir,
      owner,
      caKeyId: optionalString(p, 'ca-key-id'),
      ...(fp === undefined ? {} : { caFingerprint: fp }),
      pollMs: duration(optionalString(p, 'poll-interval') ?? '5s', 'poll-interval'),
      timeoutMs: duration(optionalString(p, 'timeout') ?? '0', 'timeout'),
    },
  );
  const exp = new Date(cert.expires * 1000).toISOString();
  console.log(
    `enrolled: node ${cert.nodeId} in cluster ${cert.cluster}, certificate ${statePaths(dir).cert} valid until ${exp}`,
  );
  return 0;
}
