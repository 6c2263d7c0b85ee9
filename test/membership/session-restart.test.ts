/**
 * Sessions across a peer's restart (SecureLinks): a peer that restarts with the same
 * identity but no session state gets a new session at once from a fresh, authenticated
 * handshake; the session it replaces is no longer used for sending (no wait for a path or
 * session timeout). Attack: an on-path attacker replays every packet of the old handshake
 * and old DATA afterwards: nothing is delivered and the live session is not torn down.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import { RevocationState } from '../../agent/lib/membership/revocation-state.ts';
import { SecureLinks } from '../../agent/lib/membership/secure-links.ts';
import { makeCa, makeNode, NOW, random, type TestCa, type TestNode } from './fixtures.ts';

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

describe('a peer restarted with the same identity', () => {
  let ca: TestCa;
  let a: TestNode;
  let b: TestNode;
  before(async () => {
    await membershipReady();
    ca = await makeCa('lab');
    a = await makeNode(ca);
    b = await makeNode(ca);
  });
  const links = (n: TestNode) =>
    new SecureLinks(
      { clock: { now: () => NOW }, random, revocation: new RevocationState() },
      { identity: n.identity, ca, cluster: 'lab' },
    );

  /** Shuttles packets between two links (path = the other's node id) until quiet; what each got. */
  function run(
    x: SecureLinks,
    xId: string,
    y: SecureLinks,
    yId: string,
    first: Uint8Array[],
    log?: Uint8Array[],
  ) {
    const got: Record<string, string[]> = { [xId]: [], [yId]: [] };
    let queue = first.map((p) => ({ to: y, toId: yId, fromId: xId, p }));
    for (let k = 0; k < 20 && queue.length; k++) {
      const next: typeof queue = [];
      for (const { to, toId, fromId, p } of queue) {
        if (toId === a.nodeId) log?.push(p);
        const r = to.receive(fromId, p);
        got[toId]!.push(...r.deliver.map((d) => str(d.payload)));
        const back = to === x ? { to: y, toId: yId } : { to: x, toId: xId };
        next.push(...r.send.map((q) => ({ ...back, fromId: toId, p: q })));
      }
      queue = next;
    }
    return got;
  }

  it('gets a new session at once from its fresh handshake; replays of the old one change nothing', () => {
    const A = links(a);
    const B = links(b);
    const old: Uint8Array[] = []; // every packet B sent to A: handshake and DATA
    let got = run(B, b.nodeId, A, a.nodeId, B.send(a.nodeId, text('hello')), old);
    assert.deepEqual(got[a.nodeId], ['hello']);
    got = run(B, b.nodeId, A, a.nodeId, B.send(a.nodeId, text('more')), old);
    assert.equal(A.peerOn(b.nodeId), b.nodeId);

    // b restarts: same certificate and keys, no session state.
    const B2 = links(b);
    const stale = A.send(b.nodeId, text('to the old b'));
    assert.deepEqual(
      stale.map((p) => B2.receive(a.nodeId, p).deliver.length),
      [0],
      'the restarted b cannot open the old session',
    );
    // Its first packet to a is a fresh handshake (as SecureOverlay's connect does every 5 s).
    got = run(B2, b.nodeId, A, a.nodeId, B2.send(a.nodeId, text('back')));
    assert.deepEqual(got[a.nodeId], ['back'], 'a took the new handshake at once');
    got = run(A, a.nodeId, B2, b.nodeId, A.send(b.nodeId, text('welcome')));
    assert.deepEqual(got[b.nodeId], ['welcome'], "a sends on the new session at once, not the old one's");

    // Attack: replay the old handshake and the old DATA to a.
    assert.ok(old.length >= 4, `recorded ${old.length} old packets`);
    let delivered = 0;
    for (const p of [...old, ...old]) delivered += A.receive(b.nodeId, p).deliver.length;
    assert.equal(delivered, 0, 'replayed packets deliver nothing');
    assert.equal(A.peerOn(b.nodeId), b.nodeId);
    got = run(A, a.nodeId, B2, b.nodeId, A.send(b.nodeId, text('still')));
    assert.deepEqual(got[b.nodeId], ['still'], 'the live session survived the replays');
    got = run(B2, b.nodeId, A, a.nodeId, B2.send(a.nodeId, text('and back')));
    assert.deepEqual(got[a.nodeId], ['and back']);
  });
});
