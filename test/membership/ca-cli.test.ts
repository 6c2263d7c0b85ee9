/** The `ca` and `enroll-server hash-password` commands as real processes. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyCertificate } from '../../agent/lib/membership/certificate.ts';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import { makeRequest } from '../../agent/lib/membership/request.ts';
import { openRevocationList, openRevocationNotice } from '../../agent/lib/membership/revocation.ts';
import { parsePublicKeyPem } from '../../agent/lib/crypto/keys.ts';
import { makeCa, makeNode, NOW_S } from './fixtures.ts';

const BIN = new URL('../../bin/p2p-update', import.meta.url).pathname;
const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input });

describe('p2p-update ca', () => {
  let tmp: string;
  before(async () => {
    await membershipReady();
    tmp = await mkdtemp(join(tmpdir(), 'p2pu-ca-cli-'));
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  it('init, sign a request file, revoke, list; the outputs verify', async () => {
    const dir = join(tmp, 'ca');
    const init = cli(['ca', 'init', '--dir', dir, '--cluster', 'plant-7', '--cert-days', '30']);
    assert.equal(init.status, 0, init.stderr);
    assert.equal(((await stat(join(dir, 'ca.key'))).mode & 0o777).toString(8), '600');
    assert.equal(cli(['ca', 'init', '--dir', dir, '--cluster', 'x']).status, 1, 'refuses to overwrite a CA');
    const pub = parsePublicKeyPem(await readFile(join(dir, 'ca.pub'), 'utf8'));
    const authority = { keyId: pub.keyId, publicKey: pub.bytes };

    const n = await makeNode(await makeCa('plant-7'));
    const csr = await makeRequest(
      {
        cluster: 'plant-7',
        owner: 'ops',
        signKey: n.sign.publicKey,
        kxKey: n.kx.publicKey,
        createdAt: NOW_S,
      },
      n.sign.privateKey,
    );
    await writeFile(join(tmp, 'n.csr'), csr);
    const sign = cli(['ca', 'sign', join(tmp, 'n.csr'), '--dir', dir]);
    assert.equal(sign.status, 0, sign.stderr);
    const cert = verifyCertificate(new Uint8Array(await readFile(join(tmp, 'n.cert'))), {
      ca: authority,
      cluster: 'plant-7',
      now: Date.now(),
    });
    assert.equal(cert.nodeId, n.nodeId);
    assert.ok(cert.expires - cert.issuedAt === 30 * 86400);

    const rev = cli(['ca', 'revoke', n.nodeId, '--dir', dir]);
    assert.equal(rev.status, 0, rev.stderr);
    const list = openRevocationList(
      new Uint8Array(await readFile(join(dir, 'crl.bin'))),
      authority,
      'plant-7',
    );
    assert.deepEqual([list.seq, list.ids], [2, [n.nodeId]]);
    const notice = await readFile(join(dir, 'notices', `${n.nodeId}.revoke`));
    assert.equal(openRevocationNotice(new Uint8Array(notice), authority, 'plant-7').nodeId, n.nodeId);

    const ls = cli(['ca', 'list', '--dir', dir]);
    assert.match(ls.stdout, new RegExp(`revoked\\s+${n.nodeId}`));
    assert.doesNotMatch(ls.stdout, /enrolled/);
    assert.equal(
      cli(['ca', 'sign', join(tmp, 'n.csr'), '--dir', dir]).stderr.trim(),
      `error REVOKED: node ${n.nodeId} is revoked`,
    );
  });

  it('usage mistakes exit 2 with one line; bad input exits 1 with a code', () => {
    const r = cli(['ca', 'revoke', '--dir', join(tmp, 'ca')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^usage error: /);
    assert.equal(cli(['ca', 'frobnicate', '--dir', 'x']).status, 2);
    const bad = cli(['ca', 'revoke', 'not-an-id', '--dir', join(tmp, 'ca')]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /error BAD_REQUEST: "not-an-id" is not a node id/);
    assert.match(cli(['ca', 'list', '--dir', join(tmp, 'nope')]).stderr, /error CA_MISSING/);
  });

  it('enroll-server hash-password prints a scrypt hash', () => {
    const r = cli(['enroll-server', 'hash-password'], 'a-long-password\n');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+\n$/);
    assert.equal(cli(['enroll-server', 'hash-password'], 'short\n').status, 2);
  });
});
