/**
 * Certificate renewal in running natm nodes (secureNatm, what natm runs with identityDir)
 * on a simulated network (in-memory hub, fake clock) with a real enrollment server on
 * 127.0.0.1 whose CA follows the same fake clock. Certificates live one day:
 * - nodes with `enrollServer` renew by themselves once two thirds of the lifetime is gone,
 *   swap the certificate in without a restart and re-handshake, so peers hold the new one;
 * - a node without a server picks up a certificate an admin renewed on disk
 *   (`enroll --renew`); here its re-handshakes are lost, so its peers' sessions end at the
 *   old expiry and the next handshake carries the renewed certificate;
 * - past the old expiry all of them still talk; the node that did not renew is cut off.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { encodePublicKeyPem } from '../../agent/lib/crypto/keys.ts';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { validateConfig } from '../../agent/enroll-server/config.ts';
import { ensureNodeKeys, statePaths } from '../../agent/lib/enrollment/node-keys.ts';
import { hashPassword } from '../../agent/enroll-server/password.ts';
import { renewCertificate } from '../../agent/lib/enrollment/renew-client.ts';
import { secureNatm, type SecureNatm } from '../../agent/natm/membership/secure-natm.ts';
import { EnrollServer } from '../../agent/enroll-server/server.ts';
import { decodeCertificate } from '../../agent/lib/membership/certificate.ts';
import { makeRequest } from '../../agent/lib/membership/request.ts';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import { Hub } from './sim-hub.ts';

const HOUR = 3_600_000;
const text = (s: string) => new TextEncoder().encode(s);

interface Node {
  readonly name: string;
  readonly id: string;
  readonly dir: string;
  readonly sec: SecureNatm;
  readonly heard: string[];
}

describe('natm renews its certificate and keeps talking past the old expiry', { timeout: 60_000 }, () => {
  let tmp: string;
  let server: EnrollServer;
  let ca: CaStore;
  const clock = new FakeClock(Date.UTC(2026, 10, 22, 12));
  const hub = new Hub();
  const nodes: Node[] = [];
  const byName = (n: string) => nodes.find((x) => x.name === n)!;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'p2pu-renew-sim-'));
    await CaStore.init(join(tmp, 'ca'), { cluster: 'sim', certDays: 1 });
    ca = await CaStore.open(join(tmp, 'ca'), clock);
    const cfg = validateConfig({
      caDir: join(tmp, 'ca'),
      listen: { host: '127.0.0.1', port: 0 },
      tokens: [{ token: 'unused-token-0123456789' }],
      adminPasswordHash: await hashPassword('pw', 2 ** 12),
    });
    server = new EnrollServer({ ca, log: silentLogger() }, cfg);
    await server.start();
  });
  after(async () => {
    for (const n of nodes) n.sec.stop();
    await server.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  async function start(name: string, renews: boolean | string): Promise<Node> {
    const dir = join(tmp, name);
    const keys = await ensureNodeKeys(dir);
    const csr = await makeRequest(
      {
        cluster: 'sim',
        owner: name,
        signKey: keys.sign.publicKey.bytes,
        kxKey: keys.kx.publicKey,
        createdAt: Math.floor(clock.now() / 1000),
      },
      keys.sign.sodiumKey,
    );
    const rec = await ca.submit(csr, { token: 't', sign: true });
    await writeFile(statePaths(dir).cert, Buffer.from(rec.cert!, 'base64'));
    await writeFile(statePaths(dir).caPub, encodePublicKeyPem(ca.authority.publicKey));
    const sec = await secureNatm(
      hub.link(keys.nodeId),
      {
        identityDir: dir,
        noticeScanMs: HOUR, // node.cert and the renewal are checked on this tick
        enrollServer: typeof renews === 'string' ? renews : renews ? server.url : undefined,
        crlRefreshMs: 24 * HOUR,
        connectMs: 10 * 60_000,
      },
      { clock, logger: silentLogger() },
    );
    const node: Node = { name, id: keys.nodeId, dir, sec, heard: [] };
    sec.overlay.onMessage((peer, p) =>
      node.heard.push(`${nodes.find((x) => x.id === peer)?.name}:${new TextDecoder().decode(p)}`),
    );
    await sec.start({ publishRevocation: () => null });
    nodes.push(node);
    return node;
  }

  /** Every node sends `tag` to every other; returns what each heard of it. */
  function allToAll(tag: string): Map<string, string[]> {
    for (const a of nodes) for (const b of nodes) if (a !== b) a.sec.overlay.send(b.id, text(tag));
    hub.run();
    return new Map(nodes.map((n) => [n.name, n.heard.filter((h) => h.endsWith(`:${tag}`)).sort()]));
  }

  it('renews near expiry, swaps without a restart; the node that did not renew is cut off', async () => {
    for (const [name, renews] of [
      ['a', true],
      ['b', true],
      ['r', true],
      ['disk', false],
      ['stale', false],
    ] as const)
      await start(name, renews);
    hub.run();
    const names = nodes.map((n) => n.name);
    const everyoneElse = (me: string, tag: string) =>
      names
        .filter((n) => n !== me)
        .map((n) => `${n}:${tag}`)
        .sort();
    const t0 = allToAll('t0');
    for (const n of names) assert.deepEqual(t0.get(n), everyoneElse(n, 't0'), `${n} at t0`);
    const oldExpiry = decodeCertificate(await readFile(statePaths(byName('r').dir).cert)).expires;
    const [a, r, disk, stale] = ['a', 'r', 'disk', 'stale'].map(byName) as [Node, Node, Node, Node];

    // 15 h in: not yet due (due at 16 h, a third of 24 h before expiry).
    clock.advance(15 * HOUR);
    await Promise.all(nodes.map((n) => n.sec.renewer.check()));
    assert.equal(r.sec.renewer.counters.renewed, 0, 'not renewed before it is due');

    // 17 h in: the nodes with a server renew on their own; an admin renews `disk` on disk,
    // and its re-handshakes are lost.
    clock.advance(2 * HOUR);
    await Promise.all(nodes.map((n) => n.sec.renewer.check()));
    hub.run();
    for (const n of ['a', 'b', 'r']) {
      const x = byName(n);
      assert.equal(x.sec.renewer.counters.renewed, 1, `${n} renewed`);
      assert.equal(x.sec.overlay.counters.get('cert_swapped'), 1, `${n} swapped`);
    }
    const renewedR = decodeCertificate(await readFile(statePaths(r.dir).cert));
    assert.equal(renewedR.nodeId, r.id);
    assert.equal(renewedR.expires, oldExpiry + 17 * 3600, 'one day from the renewal');
    assert.equal(r.sec.overlay.links.certificate.expires, renewedR.expires, 'in use without a restart');
    assert.equal(ca.state.nodes.find((x) => x.nodeId === r.id)!.expires, renewedR.expires);
    assert.equal(
      a.sec.overlay.links.peerCertificate(r.id)?.expires,
      renewedR.expires,
      'peers already hold the renewed certificate (re-handshake)',
    );

    await renewCertificate({ fetch, clock }, { server: server.url, dir: disk.dir }); // `enroll --renew`
    hub.drop = (p) => p.from === disk.id;
    await disk.sec.renewer.check();
    hub.run();
    hub.drop = () => false;
    assert.equal(disk.sec.renewer.counters.loadedFromDisk, 1, 'disk: node.cert changed on disk, swapped in');
    assert.equal(disk.sec.overlay.counters.get('cert_swapped'), 1);
    assert.equal(
      a.sec.overlay.links.peerCertificate(disk.id)?.expires,
      oldExpiry,
      "disk's re-handshake was lost: a still holds its old certificate",
    );
    assert.equal(stale.sec.renewer.counters.renewed + stale.sec.renewer.counters.loadedFromDisk, 0);
    const t17 = allToAll('t17');
    for (const n of names) assert.deepEqual(t17.get(n), everyoneElse(n, 't17'), `${n} at 17 h`);

    // 25 h in: past the old expiry. The connect tick (every 10 min) re-handshakes where a
    // session ended; `disk` now presents its renewed certificate.
    clock.advance(8 * HOUR);
    hub.run();
    assert.ok(clock.now() > oldExpiry * 1000);
    assert.ok(
      (a.sec.overlay.links.peerCertificate(disk.id)?.expires ?? 0) > oldExpiry,
      'a session with the renewed certificate of disk',
    );
    const t25 = allToAll('t25');
    const alive = ['a', 'b', 'r', 'disk'];
    for (const n of alive) {
      assert.deepEqual(
        t25.get(n),
        alive
          .filter((m) => m !== n)
          .map((m) => `${m}:t25`)
          .sort(),
        `${n} hears the renewed ones, not stale`,
      );
      assert.ok(byName(n).sec.overlay.isProven(r.id) || n === 'r');
      assert.equal(byName(n).sec.overlay.isProven(stale.id), false, `${n} no longer admits stale`);
    }
    assert.deepEqual(t25.get('stale'), [], 'the node that did not renew hears nobody');
    assert.equal(a.sec.renewer.counters.renewFailed, 0);
  });

  it('a failed renewal keeps the certificate in use and node.cert, and is retried after 10 minutes', async () => {
    const off = await start('offline', 'http://127.0.0.1:9'); // nothing listens there
    const held = await readFile(statePaths(off.dir).cert);
    clock.advance(17 * HOUR);
    await off.sec.renewer.check();
    assert.equal(off.sec.renewer.counters.renewFailed, 1);
    await off.sec.renewer.check();
    assert.equal(off.sec.renewer.counters.renewFailed, 1, 'not retried at once');
    clock.advance(10 * 60_000);
    await off.sec.renewer.check();
    assert.equal(off.sec.renewer.counters.renewFailed, 2, 'retried after retryMs');
    assert.deepEqual(off.sec.overlay.links.identity.cert, new Uint8Array(held));
    assert.deepEqual(await readFile(statePaths(off.dir).cert), held);
    assert.equal(off.sec.overlay.counters.get('cert_swapped'), undefined);
  });
});
