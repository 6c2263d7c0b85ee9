/**
 * secureNatm (what natm runs with identityDir): the CRL refresher fetches the enrollment
 * server's list, saves it as crl.bin, and never replaces it with an older one; config
 * checks for the new natm keys.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { statePaths } from '../../agent/lib/enrollment/node-keys.ts';
import { secureNatm } from '../../agent/natm/membership/secure-natm.ts';
import { natmConfig } from '../../agent/natm/config.ts';
import type { OverlayLink } from '../../agent/lib/net/overlay-link.ts';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import { enrolledDir } from './enrolled-dir.ts';

describe('secureNatm', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'p2pu-secure-natm-'));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('refreshes the CRL from the enrollment server, saves it, never goes back to an older one', async () => {
    await CaStore.init(join(tmp, 'ca'), { cluster: 'loop' });
    const ca = await CaStore.open(join(tmp, 'ca'));
    const dir = join(tmp, 'node');
    const keys = await enrolledDir(ca, dir, { cluster: 'loop', owner: 'n' });
    const old = ca.crl;
    const victim = 'f'.repeat(32);
    const { crl: newer } = await ca.revoke(victim);
    const served = [newer, old];
    const urls: string[] = [];
    const fakeFetch = (async (url: string) => {
      urls.push(url);
      return new Response(Buffer.from(served.shift()!));
    }) as unknown as typeof fetch;
    const link: OverlayLink = {
      selfId: keys.nodeId,
      send: () => false,
      onMessage: () => {},
      peers: () => [],
      onPeerChange: () => {},
    };
    const clock = new FakeClock(Date.now());
    const sec = await secureNatm(
      link,
      {
        identityDir: dir,
        noticeScanMs: 1000,
        enrollServer: 'http://enroll.test:8443',
        crlRefreshMs: 60_000,
        connectMs: 5000,
      },
      { clock, logger: silentLogger(), fetch: fakeFetch },
    );
    assert.deepEqual(await sec.crl!.refresh(), [victim]);
    assert.equal(urls[0], 'http://enroll.test:8443/crl');
    assert.ok(sec.membership.isRevoked(victim));
    for (let i = 0; i < 40 && (await readFile(statePaths(dir).crl).catch(() => null)) === null; i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(new Uint8Array(await readFile(statePaths(dir).crl)), newer);
    const seq = sec.stats()['crlSeq'];
    assert.deepEqual(await sec.crl!.refresh(), [], 'the older list is refused');
    assert.equal(sec.stats()['crlSeq'], seq);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      new Uint8Array(await readFile(statePaths(dir).crl)),
      newer,
      'crl.bin kept the newer list',
    );
    assert.ok(sec.membership.isRevoked(victim));
    sec.stop();
  });

  it('natm config: enrollServer must be an http(s) URL and needs identityDir', () => {
    const base = { id: 'n1', clusterKeys: ['k'], rendezvous: ['127.0.0.1:3478'] };
    assert.throws(() => natmConfig({ ...base, enrollServer: 'http://e:1' }), { code: 'CONFIG' });
    assert.throws(() => natmConfig({ ...base, identityDir: '/x', enrollServer: 'ftp://e' }), {
      code: 'CONFIG',
    });
    const cfg = natmConfig({ ...base, identityDir: '/x', enrollServer: 'https://e:8443' });
    assert.equal(cfg.crlRefreshMs, 24 * 3_600_000);
    assert.equal(cfg.noticeScanMs, 5000);
  });
});
