/**
 * `p2p-update ca init|sign|approve|reject|revoke|list --dir DIR`: the cluster's
 * certificate authority on the admin's machine (docs/security.md §CA).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CaStore } from '../agent/lib/ca/ca-store.ts';
import { loadPublicKey } from '../agent/lib/crypto/key-files.ts';
import { caFingerprint } from '../agent/lib/enrollment/ca-pin.ts';
import { EnrollError } from '../agent/lib/enrollment/errors.ts';
import { dropFailureMessage, dropNotice } from '../agent/lib/enrollment/notice-drop.ts';

const when = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
/** What nodes pin (`enroll --ca-fingerprint`, the role's p2p_update_enroll_ca_fingerprint). */
const fingerprintOf = async (dir: string) => caFingerprint((await loadPublicKey(join(dir, 'ca.pub'))).bytes);

export async function caInit(o: { dir: string; cluster: string; certDays?: number }): Promise<number> {
  const c = await CaStore.init(o.dir, {
    cluster: o.cluster,
    certDays: o.certDays === undefined ? undefined : o.certDays || 1,
  });
  console.log(
    `CA for cluster "${c.cluster}" in ${o.dir}; key id ${c.keyId}; certificates valid ${c.certDays} days`,
  );
  console.log(`fingerprint ${await fingerprintOf(o.dir)} (nodes pin it: enroll --ca-fingerprint)`);
  return 0;
}

export async function caSign(csr: string, o: { dir: string; out?: string }): Promise<number> {
  const ca = await CaStore.open(o.dir);
  const rec = await ca.submit(new Uint8Array(await readFile(csr)), { token: 'cli', sign: true });
  if (rec.status === 'pending') await ca.approve(rec.id);
  const out = o.out ?? csr.replace(/\.csr$/, '') + '.cert';
  await writeFile(out, Buffer.from(ca.request(rec.id)!.cert!, 'base64'));
  console.log(`signed node ${rec.nodeId} (owner ${rec.owner}); wrote ${out}`);
  return 0;
}

export async function caDecide(
  verdict: 'approve' | 'reject',
  id: string,
  o: { dir: string },
): Promise<number> {
  const ca = await CaStore.open(o.dir);
  const rec = verdict === 'approve' ? await ca.approve(id) : await ca.reject(id);
  console.log(`${rec.status} request ${rec.id} of node ${rec.nodeId}`);
  return 0;
}

export async function caRevoke(
  nodeId: string,
  o: { dir: string; noticesDir?: readonly string[] },
): Promise<number> {
  const ca = await CaStore.open(o.dir);
  const r = await ca.revoke(nodeId);
  console.log(
    `revoked ${nodeId}; revocation list seq ${ca.state.crlSeq}; notice for gossip: ${r.noticePath}`,
  );
  // Recorded first, then handed to natm: a dir that fails loses nothing (the CA has it).
  const dirs = o.noticesDir ?? [];
  const dropped = await dropNotice(dirs, nodeId, r.notice);
  for (const path of dropped.written)
    console.log(`notice dropped in ${path}: the natm watching that dir gossips it within its noticeScanMs`);
  if (dropped.failed.length > 0)
    throw new EnrollError('NOTICE_DIR', dropFailureMessage(nodeId, dropped.failed, r.noticePath));
  if (dirs.length === 0)
    console.log(
      "copy the notice into a running node's notices dir (or pass --notices-dir) for gossip; " +
        'otherwise nodes learn the revocation at their next CRL refresh',
    );
  return 0;
}

export async function caList(o: { dir: string; json?: boolean }): Promise<number> {
  const ca = await CaStore.open(o.dir);
  const s = ca.state;
  if (o.json) {
    const hidden = (k: string, v: unknown) => (k === 'csr' || k === 'cert' ? undefined : v);
    const fingerprint = await fingerprintOf(o.dir);
    console.log(
      JSON.stringify({ cluster: ca.cluster, keyId: ca.config.keyId, fingerprint, ...s }, hidden, 2),
    );
    return 0;
  }
  console.log(
    `cluster ${ca.cluster}, CA key ${ca.config.keyId} (${await fingerprintOf(o.dir)}), revocation list seq ${s.crlSeq}`,
  );
  for (const r of s.requests.filter((x) => x.status === 'pending'))
    console.log(`pending  ${r.nodeId}  owner=${r.owner}  request=${r.id}  since ${when(r.receivedAt)}`);
  for (const n of s.nodes.filter((x) => !ca.isRevoked(x.nodeId)))
    console.log(`enrolled ${n.nodeId}  owner=${n.owner}  expires ${when(n.expires)}`);
  for (const r of s.revoked) console.log(`revoked  ${r.nodeId}  at ${when(r.at)}`);
  return 0;
}
