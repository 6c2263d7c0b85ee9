/**
 * `p2p-update ca init|sign|approve|reject|revoke|list --dir DIR`: the cluster's
 * certificate authority on the admin's machine (docs/security.md §CA).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../agent/lib/common/errors.ts';
import { CaStore } from '../agent/lib/ca/ca-store.ts';
import { loadPublicKey } from '../agent/lib/crypto/key-files.ts';
import { caFingerprint } from '../agent/lib/enrollment/ca-pin.ts';
import { EnrollError } from '../agent/lib/enrollment/errors.ts';
import { dropFailureMessage, dropNotice } from '../agent/lib/enrollment/notice-drop.ts';
import { nonNegativeInt, optionalString, parse, required } from '../agent/lib/cli/args.ts';

const USAGE = [
  'p2p-update ca init --dir DIR --cluster NAME [--cert-days N]',
  'p2p-update ca sign REQUEST.csr --dir DIR [--out FILE.cert]',
  'p2p-update ca approve|reject REQUEST-ID --dir DIR',
  'p2p-update ca revoke NODEID --dir DIR [--notices-dir NATM_NOTICES_DIR]...',
  'p2p-update ca list --dir DIR [--json]',
].join('\n       ');

const when = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
/** What nodes pin (`enroll --ca-fingerprint`, the role's p2p_update_enroll_ca_fingerprint). */
const fingerprintOf = async (dir: string) => caFingerprint((await loadPublicKey(join(dir, 'ca.pub'))).bytes);

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const opts = {
    dir: { type: 'string' },
    cluster: { type: 'string' },
    'cert-days': { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
    'notices-dir': { type: 'string', multiple: true },
  } as const;
  const p = parse(rest, opts, USAGE, sub === 'init' || sub === 'list' ? [0, 0] : [1, 1]);
  const dir = required(p, 'dir', USAGE);
  const arg = p.positionals[0]!;
  const noticesDirs = (p.values['notices-dir'] ?? []) as unknown as string[];
  if (noticesDirs.length > 0 && sub !== 'revoke')
    throw new UsageError(`--notices-dir is for "ca revoke" only; usage: ${USAGE}`);
  if (noticesDirs.some((d) => d === ''))
    throw new UsageError(`--notices-dir needs a directory; usage: ${USAGE}`);
  switch (sub) {
    case 'init': {
      const days = optionalString(p, 'cert-days');
      const c = await CaStore.init(dir, {
        cluster: required(p, 'cluster', USAGE),
        certDays: days === undefined ? undefined : nonNegativeInt(days, 'cert-days') || 1,
      });
      console.log(
        `CA for cluster "${c.cluster}" in ${dir}; key id ${c.keyId}; certificates valid ${c.certDays} days`,
      );
      console.log(`fingerprint ${await fingerprintOf(dir)} (nodes pin it: enroll --ca-fingerprint)`);
      return 0;
    }
    case 'sign': {
      const ca = await CaStore.open(dir);
      const rec = await ca.submit(new Uint8Array(await readFile(arg)), { token: 'cli', sign: true });
      if (rec.status === 'pending') await ca.approve(rec.id);
      const out = optionalString(p, 'out') ?? arg.replace(/\.csr$/, '') + '.cert';
      await writeFile(out, Buffer.from(ca.request(rec.id)!.cert!, 'base64'));
      console.log(`signed node ${rec.nodeId} (owner ${rec.owner}); wrote ${out}`);
      return 0;
    }
    case 'approve':
    case 'reject': {
      const ca = await CaStore.open(dir);
      const rec = sub === 'approve' ? await ca.approve(arg) : await ca.reject(arg);
      console.log(`${rec.status} request ${rec.id} of node ${rec.nodeId}`);
      return 0;
    }
    case 'revoke': {
      const ca = await CaStore.open(dir);
      const r = await ca.revoke(arg);
      console.log(
        `revoked ${arg}; revocation list seq ${ca.state.crlSeq}; notice for gossip: ${r.noticePath}`,
      );
      // Recorded first, then handed to natm: a dir that fails loses nothing (the CA has it).
      const dropped = await dropNotice(noticesDirs, arg, r.notice);
      for (const path of dropped.written)
        console.log(
          `notice dropped in ${path}: the natm watching that dir gossips it within its noticeScanMs`,
        );
      if (dropped.failed.length > 0)
        throw new EnrollError('NOTICE_DIR', dropFailureMessage(arg, dropped.failed, r.noticePath));
      if (noticesDirs.length === 0)
        console.log(
          "copy the notice into a running node's notices dir (or pass --notices-dir) for gossip; " +
            'otherwise nodes learn the revocation at their next CRL refresh',
        );
      return 0;
    }
    case 'list': {
      const ca = await CaStore.open(dir);
      const s = ca.state;
      if (p.values['json']) {
        console.log(
          JSON.stringify(
            { cluster: ca.cluster, keyId: ca.config.keyId, fingerprint: await fingerprintOf(dir), ...s },
            (k, v) => (k === 'csr' || k === 'cert' ? undefined : v),
            2,
          ),
        );
        return 0;
      }
      console.log(
        `cluster ${ca.cluster}, CA key ${ca.config.keyId} (${await fingerprintOf(dir)}), revocation list seq ${s.crlSeq}`,
      );
      for (const r of s.requests.filter((x) => x.status === 'pending'))
        console.log(`pending  ${r.nodeId}  owner=${r.owner}  request=${r.id}  since ${when(r.receivedAt)}`);
      for (const n of s.nodes.filter((x) => !ca.isRevoked(x.nodeId)))
        console.log(`enrolled ${n.nodeId}  owner=${n.owner}  expires ${when(n.expires)}`);
      for (const r of s.revoked) console.log(`revoked  ${r.nodeId}  at ${when(r.at)}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown ca subcommand "${sub ?? ''}"; usage: ${USAGE}`);
  }
}
