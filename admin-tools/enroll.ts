/**
 * `p2p-update enroll --server URL --token T --dir STATE [--owner NAME] [--ca-key-id ID]
 *   [--poll-interval 5s] [--timeout 0]`: make this node's keys, request a certificate,
 * wait for it and save it in STATE (node.key, kx.key, node.cert, ca.pub, crl.bin).
 * `p2p-update enroll --refresh-crl --server URL --dir STATE` only fetches the signed
 * revocation list again (for a timer); an older list never replaces the one held.
 */
import { hostname } from 'node:os';
import { systemClock } from '../agent/common/clock.ts';
import { enroll, refreshCrlFile } from '../agent/enroll/client.ts';
import { readTrust } from '../agent/enroll/node-identity.ts';
import { statePaths } from '../agent/enroll/node-keys.ts';
import { optionalString, parse, required } from './cli/args.ts';
import { UsageError } from '../agent/common/errors.ts';

const USAGE =
  'p2p-update enroll --server URL --token TOKEN --dir STATE [--owner NAME] [--ca-key-id ID] [--poll-interval 5s] [--timeout 0]\n' +
  '       p2p-update enroll --refresh-crl --server URL --dir STATE';

function duration(text: string, name: string): number {
  const m = /^(\d{1,9})(ms|s|m|h)?$/.exec(text);
  if (!m) throw new UsageError(`--${name}: expected a duration like 500ms, 5s, 10m or 1h, got "${text}"`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
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
      'poll-interval': { type: 'string' },
      timeout: { type: 'string' },
      'refresh-crl': { type: 'boolean' },
    },
    USAGE,
  );
  const server = required(p, 'server', USAGE);
  if (!/^https?:\/\//.test(server)) throw new UsageError(`--server must be an http(s) URL, got "${server}"`);
  const dir = required(p, 'dir', USAGE);
  if (p.values['refresh-crl']) {
    const { ca, cluster } = await readTrust(dir);
    const seq = await refreshCrlFile({ fetch }, server, dir, ca, cluster);
    console.log(`revocation list seq ${seq} held in ${statePaths(dir).crl}`);
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
      token: required(p, 'token', USAGE),
      dir,
      owner,
      caKeyId: optionalString(p, 'ca-key-id'),
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
