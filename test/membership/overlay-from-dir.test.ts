import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { secureOverlayFromDir } from '../../agent/natm/membership/secure-overlay-from-dir.ts';
import type { OverlayLink } from '../../agent/lib/net/overlay-link.ts';
import { enrolledDir } from './enrolled-dir.ts';

describe('secureOverlayFromDir', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'p2pu-overlay-dir-'));
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  const link = (selfId: string): OverlayLink => ({
    selfId,
    send: () => true,
    onMessage: () => {},
    peers: () => [],
    onPeerChange: () => {},
  });

  it('wraps a link with the enrolled identity; refuses a natm id that is not the certificate id', async () => {
    await CaStore.init(join(tmp, 'ca'), { cluster: 'lab' });
    const ca = await CaStore.open(join(tmp, 'ca'));
    const dir = join(tmp, 'node');
    const keys = await enrolledDir(ca, dir, { cluster: 'lab', owner: 'o' });
    const clock = { now: () => Date.now() };
    await assert.rejects(secureOverlayFromDir(link('someone-else'), dir, clock), { code: 'CONFIG' });
    await assert.rejects(secureOverlayFromDir(link(keys.nodeId), join(tmp, 'empty'), clock), {
      code: 'NOT_FOUND',
    });
    const r = await secureOverlayFromDir(link(keys.nodeId), dir, clock);
    assert.equal(r.overlay.selfId, keys.nodeId);
    assert.equal(r.cert.cluster, 'lab');
    const { notice } = await ca.revoke(keys.nodeId);
    assert.deepEqual(r.membership.acceptNotice(notice), { ok: true, revoked: [keys.nodeId] });
    assert.equal(r.overlay.send('a'.repeat(32), Buffer.from('x')), true, 'others are still reachable');
    assert.equal(r.overlay.send(keys.nodeId, Buffer.from('x')), false, 'the revoked id is not');
  });
});
