/**
 * Revocation notices in gossip, piece by piece: the `revoke` item on the wire, the
 * RevocationBook that checks and keeps notices, and the notices dir a running natm scans
 * (where the admin drops a notice and where heard ones are kept).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { NoticeDir } from '../../agent/lib/enrollment/notice-dir.ts';
import { decodePacket, encodePacket } from '../../agent/lib/gossip/codec.ts';
import { ClusterMembership } from '../../agent/lib/membership/cluster-membership.ts';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import { RevocationBook } from '../../agent/lib/membership/revocation-book.ts';
import { signRevocationList, signRevocationNotice } from '../../agent/lib/membership/revocation.ts';
import { RevocationState } from '../../agent/lib/membership/revocation-state.ts';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import { makeCa, NOW_S, type TestCa } from './fixtures.ts';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);

function book(ca: TestCa) {
  const revocation = new RevocationState();
  const membership = new ClusterMembership({ revocation }, { ca, cluster: ca.cluster });
  return { revocation, membership, book: new RevocationBook({ membership, revocation }) };
}

describe('revocation notices in gossip', () => {
  let ca: TestCa;
  let dir: string;
  before(async () => {
    await membershipReady();
    ca = await makeCa('lab');
    dir = await mkdtemp(join(tmpdir(), 'p2pu-notices-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a revoke item round-trips in a gossip packet; an empty or oversized one is junk', async () => {
    const notice = await signRevocationNotice({ cluster: 'lab', nodeId: A, issuedAt: NOW_S }, ca);
    const bytes = encodePacket({ body: { type: 'gossip' }, items: [{ kind: 'revoke', notice }] });
    const p = decodePacket(bytes);
    assert.ok(p);
    assert.deepEqual(p.items, [{ kind: 'revoke', notice }]);
    const empty = encodePacket({
      body: { type: 'gossip' },
      items: [{ kind: 'revoke', notice: new Uint8Array(0) }],
    });
    assert.equal(decodePacket(empty), null);
    const big = encodePacket({
      body: { type: 'gossip' },
      items: [{ kind: 'revoke', notice: new Uint8Array(600) }],
    });
    assert.equal(decodePacket(big), null);
  });

  it('the book accepts a CA-signed notice once, refuses forged, foreign and list bytes', async () => {
    const { book: b, revocation } = book(ca);
    const heard: string[] = [];
    b.onRevoked((id) => heard.push(id));
    const notice = await signRevocationNotice({ cluster: 'lab', nodeId: A, issuedAt: NOW_S }, ca);
    assert.deepEqual(b.accept(notice), [A]);
    assert.deepEqual(b.accept(notice), [], 'known: not re-gossiped');
    assert.deepEqual(heard, [A]);
    assert.ok(revocation.isRevoked(A) && b.isRevoked(A));
    assert.equal(b.notices().length, 1);
    const other = await makeCa('lab');
    assert.equal(
      b.accept(await signRevocationNotice({ cluster: 'lab', nodeId: B, issuedAt: NOW_S }, other)),
      null,
    );
    const flipped = new Uint8Array(notice);
    flipped[20]! ^= 1;
    assert.equal(b.accept(flipped), null);
    const list = await signRevocationList({ cluster: 'lab', seq: 1, issuedAt: NOW_S, ids: [B] }, ca);
    assert.equal(b.accept(list), null, 'a list is not a notice');
    assert.equal(b.isRevoked(B), false);
    assert.deepEqual(b.counters, { accepted: 1, known: 1, refused: 3 });
  });

  it('the notices dir publishes a dropped notice once, ignores junk, keeps heard notices', async () => {
    const { book: b } = book(ca);
    const clock = new FakeClock();
    const nd = new NoticeDir(
      { clock, log: silentLogger(), publish: (n) => b.accept(n) },
      { dir, scanMs: 1000 },
    );
    b.onNotice((id, n) => void nd.keep(id, n));
    await writeFile(join(dir, 'junk.revoke'), 'not a notice');
    await writeFile(join(dir, 'big.revoke'), Buffer.alloc(4096));
    await writeFile(join(dir, 'ignored.txt'), 'x');
    const notice = await signRevocationNotice({ cluster: 'lab', nodeId: A, issuedAt: NOW_S }, ca);
    await writeFile(join(dir, 'from-admin.revoke'), notice);
    await nd.start();
    assert.ok(b.isRevoked(A));
    assert.deepEqual(await nd.scan(), [], 'each file is read once');
    // A notice heard by gossip is kept as ID.revoke (and survives a restart).
    const heard = await signRevocationNotice({ cluster: 'lab', nodeId: B, issuedAt: NOW_S }, ca);
    assert.deepEqual(b.accept(heard), [B]);
    for (let i = 0; i < 40 && !(await readdir(dir)).includes(`${B}.revoke`); i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(new Uint8Array(await readFile(join(dir, `${B}.revoke`))), heard);
    nd.stop();
    const fresh = book(ca);
    const nd2 = new NoticeDir(
      { clock, log: silentLogger(), publish: (n) => fresh.book.accept(n) },
      { dir, scanMs: 1000 },
    );
    await nd2.start();
    nd2.stop();
    assert.deepEqual(fresh.revocation.revokedIds(), [A, B].sort());
    assert.ok((await readdir(dir)).includes('junk.revoke'));
  });
});
