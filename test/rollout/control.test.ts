/**
 * Control messages (docs/rollouts.md §Control messages): the signed format, one test per
 * attack on the verifier, and the reducer (newest wins, abort is final).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import bencode from 'bencode';
import { encode } from '../../agent/lib/metainfo/bencode-strict.ts';
import { signDetached } from '../../agent/lib/metainfo/signature.ts';
import {
  controlKey,
  MAX_CONTROL_BYTES,
  signControl,
  type ControlMessage,
} from '../../agent/lib/rollout/control.ts';
import { initialControl, reduceControl } from '../../agent/lib/rollout/control-state.ts';
import { openControl } from '../../agent/lib/rollout/control-verify.ts';
import { RolloutError, type RolloutCode } from '../../agent/lib/rollout/errors.ts';
import { makeAdmin, type Admin } from '../helpers/fixtures.ts';

const msg = (m: Partial<ControlMessage> = {}): ControlMessage => ({
  uri: 'app:/opt/demo',
  version: 7,
  seq: 5,
  action: 'pause',
  rollback: false,
  issued: 1_800_000_000,
  ...m,
});
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDict = Record<string, any>;
const edit = (raw: Uint8Array, f: (t: AnyDict) => void) => {
  const t = bencode.decode(raw) as AnyDict;
  f(t);
  return bencode.encode(t) as Uint8Array;
};

describe('control messages: format and verification', () => {
  let admin: Admin;
  let admin2: Admin;
  let mallory: Admin;
  const refused = async (raw: Uint8Array, code: RolloutCode, re: RegExp, trusted = [admin], threshold = 1) =>
    assert.rejects(
      openControl(raw, { trusted: trusted.map((a) => a.pub), threshold }),
      (e: unknown) => e instanceof RolloutError && e.code === code && re.test(e.message),
    );
  before(async () => {
    [admin, admin2, mallory] = await Promise.all([makeAdmin(), makeAdmin(), makeAdmin()]);
  });

  it('round-trips pause, resume, abort and abort --rollback', async () => {
    for (const m of [
      msg(),
      msg({ action: 'resume' }),
      msg({ action: 'abort' }),
      msg({ action: 'abort', rollback: true }),
    ]) {
      const raw = await signControl(m, [admin.secret]);
      assert.deepEqual(await openControl(raw, { trusted: [admin.pub] }), m);
      assert.ok(raw.length < 400, `${raw.length} bytes`);
    }
  });

  it('the layout is the documented one', async () => {
    const t = bencode.decode(
      await signControl(msg({ action: 'abort', rollback: true }), [admin.secret]),
    ) as AnyDict;
    assert.deepEqual(Object.keys(t), ['control', 'signatures']);
    assert.deepEqual(Object.keys(t['control']), [
      'action',
      'issued',
      'rollback',
      'seq',
      'type',
      'uri',
      'version',
    ]);
    assert.equal(Buffer.from(t['control']['type']).toString(), 'p2pu-rollout-control');
    assert.deepEqual(Object.keys(t['signatures']), [admin.pub.keyId]);
  });

  it('refuses a message signed by an untrusted key (UNKNOWN_SIGNER)', async () => {
    await refused(
      await signControl(msg(), [mallory.secret]),
      'UNKNOWN_SIGNER',
      /0 trusted admin key\(s\), 1 needed/,
    );
  });

  it('refuses a forged signature under a trusted kid, and an altered body (BAD_SIGNATURE)', async () => {
    const raw = await signControl(msg(), [admin.secret]);
    const forged = edit(raw, (t) => {
      t['signatures'][admin.pub.keyId] = Buffer.alloc(64, 7);
    });
    await refused(forged, 'BAD_SIGNATURE', /does not match/);
    for (const change of [
      (t: AnyDict) => (t['control']['action'] = Buffer.from('resume')),
      (t: AnyDict) => (t['control']['seq'] = 6),
      (t: AnyDict) => (t['control']['version'] = 8),
      (t: AnyDict) => (t['control']['uri'] = Buffer.from('app:/opt/other')),
    ])
      await refused(edit(raw, change), 'BAD_SIGNATURE', /does not match/);
    // A valid pause re-labelled abort --rollback.
    await refused(
      edit(raw, (t) => {
        t['control']['action'] = Buffer.from('abort');
        t['control']['rollback'] = 1;
      }),
      'BAD_SIGNATURE',
      /does not match/,
    );
  });

  it('a signature over the control dict without the context label does not verify (no cross-protocol reuse)', async () => {
    const raw = await signControl(msg(), [admin.secret]);
    const t = bencode.decode(raw) as AnyDict;
    const bare = await signDetached(encode(t['control']), admin.secret.sodiumKey);
    await refused(
      edit(raw, (x) => (x['signatures'][admin.pub.keyId] = Buffer.from(bare))),
      'BAD_SIGNATURE',
      /does not match/,
    );
  });

  it('every trusted signature must verify; untrusted extra signers are ignored; k of n', async () => {
    const two = await signControl(msg(), [admin.secret, admin2.secret]);
    assert.equal((await openControl(two, { trusted: [admin.pub, admin2.pub], threshold: 2 })).seq, 5);
    const withMallory = await signControl(msg(), [admin.secret, mallory.secret]);
    assert.equal((await openControl(withMallory, { trusted: [admin.pub] })).seq, 5);
    await refused(
      await signControl(msg(), [admin.secret]),
      'UNKNOWN_SIGNER',
      /1 trusted admin key\(s\), 2 needed/,
      [admin, admin2],
      2,
    );
    const oneBad = edit(two, (t) => (t['signatures'][admin2.pub.keyId] = Buffer.alloc(64)));
    await refused(oneBad, 'BAD_SIGNATURE', new RegExp(admin2.pub.keyId), [admin, admin2]);
  });

  it('refuses malformed messages before any signature check (BAD_CONTROL)', async () => {
    const raw = await signControl(msg(), [admin.secret]);
    const cases: [(t: AnyDict) => void, RegExp][] = [
      [(t) => (t['extra'] = 1), /unknown key "extra"/],
      [(t) => (t['control']['extra'] = 1), /control.extra: unknown key/],
      [(t) => (t['control']['type'] = Buffer.from('p2pu-other')), /control.type/],
      [
        (t) => (t['control']['action'] = Buffer.from('open')),
        /control.action: expected pause, resume or abort/,
      ],
      [(t) => (t['control']['rollback'] = 1), /rollback: only "rollback: 1" on an abort/],
      [(t) => (t['control']['seq'] = 0), /control.seq: expected an integer ≥ 1/],
      [(t) => (t['control']['version'] = -1), /control.version/],
      [(t) => (t['control']['uri'] = Buffer.from('not a uri')), /control.uri/],
      [(t) => (t['control']['uri'] = Buffer.from(`app:/${'x'.repeat(248)} y`)), /control.uri/],
      [(t) => (t['control']['uri'] = Buffer.from([0x61, 0x3a, 0xff])), /control.uri: expected UTF-8/],
      [(t) => delete t['control']['issued'], /control.issued/],
      [(t) => (t['control'] = []), /control: expected a dictionary/],
      [(t) => (t['signatures'] = {}), /expected 1 to 8 signers, found 0/],
      [(t) => (t['signatures'] = { nothex: Buffer.alloc(64) }), /signatures: expected <16 hex digits>/],
      [(t) => (t['signatures'][admin.pub.keyId] = Buffer.alloc(63)), /signatures: expected/],
    ];
    for (const [change, re] of cases) await refused(edit(raw, change), 'BAD_CONTROL', re);
    await refused(Buffer.from('le'), 'BAD_CONTROL', /expected a dictionary/);
    await refused(Buffer.from('d7:control'), 'BAD_CONTROL', /not valid bencode/);
    // Non-canonical: keys out of order.
    await refused(Buffer.from('d10:signaturesde7:controldee'), 'BAD_CONTROL', /canonical/);
    // Deeper than a control message can be.
    await refused(Buffer.from('d7:controld1:ad1:bleeee'), 'BAD_CONTROL', /nested deeper than 2/);
  });

  it(`refuses anything over ${MAX_CONTROL_BYTES} bytes, and more than 8 signers, before decoding them`, async () => {
    const raw = await signControl(msg(), [admin.secret]);
    const big = edit(
      raw,
      (t) =>
        (t['signatures'] = Object.fromEntries(
          Array.from({ length: 9 }, (_, i) => [i.toString(16).padStart(16, '0'), Buffer.alloc(64)]),
        )),
    );
    await refused(big, 'TOO_LARGE', /a dictionary with more than 8 entries/);
    await refused(
      edit(raw, (t) => (t['control']['uri'] = Buffer.from(`app:/${'x'.repeat(252)}`))),
      'TOO_LARGE',
      /a string of more than 256 bytes/,
    );
    await refused(
      new Uint8Array(MAX_CONTROL_BYTES + 1),
      'TOO_LARGE',
      new RegExp(`${MAX_CONTROL_BYTES + 1} bytes, the limit is ${MAX_CONTROL_BYTES}`),
    );
    const eight = await signControl(
      msg(),
      await Promise.all(Array.from({ length: 7 }, makeAdmin)).then((a) => [
        admin.secret,
        ...a.map((x) => x.secret),
      ]),
    );
    assert.ok(eight.length <= MAX_CONTROL_BYTES, `8 signers: ${eight.length} bytes`);
    assert.equal((await openControl(eight, { trusted: [admin.pub] })).seq, 5);
  });

  it('controlKey is one bounded notification URI per update', () => {
    assert.match(controlKey('app:/opt/demo', 7), /^p2p-update:rollout-control:[0-9a-f]{32}$/);
    assert.notEqual(controlKey('app:/opt/demo', 7), controlKey('app:/opt/demo', 8));
    assert.equal(controlKey(`app:/${'x'.repeat(251)}`, 2 ** 53 - 1).length, 59);
  });
});

describe('control state reducer', () => {
  const s0 = initialControl('app:/opt/demo', 7);

  it('newest seq wins: pause, resume, pause', () => {
    let s = reduceControl(s0, msg({ seq: 1, action: 'pause' }));
    assert.deepEqual(s, { ...s0, seq: 1, state: 'paused' });
    s = reduceControl(s, msg({ seq: 2, action: 'resume' }));
    assert.equal(s.state, 'running');
    s = reduceControl(s, msg({ seq: 3, action: 'pause' }));
    assert.deepEqual(s, { ...s0, seq: 3, state: 'paused' });
  });

  it('a replayed or older message changes nothing (the same object comes back)', () => {
    const s = reduceControl(s0, msg({ seq: 9, action: 'pause' }));
    assert.equal(reduceControl(s, msg({ seq: 9, action: 'resume' })), s);
    assert.equal(reduceControl(s, msg({ seq: 8, action: 'resume' })), s);
  });

  it('a message for another update changes nothing', () => {
    assert.equal(reduceControl(s0, msg({ version: 8, seq: 50 })), s0);
    assert.equal(reduceControl(s0, msg({ uri: 'app:/opt/other', seq: 50 })), s0);
  });

  it('abort is final: neither an old nor a newer resume or pause undoes it', () => {
    const a = reduceControl(s0, msg({ seq: 10, action: 'abort' }));
    assert.deepEqual(a, { ...s0, seq: 10, state: 'aborted', rollback: false });
    for (const m of [
      msg({ seq: 4, action: 'resume' }),
      msg({ seq: 11, action: 'resume' }),
      msg({ seq: 12, action: 'pause' }),
    ])
      assert.equal(reduceControl(a, m), a);
  });

  it('a newer abort --rollback adds the rollback to a plain abort; nothing takes it away', () => {
    const a = reduceControl(s0, msg({ seq: 10, action: 'abort' }));
    assert.equal(reduceControl(a, msg({ seq: 9, action: 'abort', rollback: true })), a, 'older: ignored');
    const r = reduceControl(a, msg({ seq: 11, action: 'abort', rollback: true }));
    assert.deepEqual(r, { ...s0, seq: 11, state: 'aborted', rollback: true });
    assert.equal(reduceControl(r, msg({ seq: 12, action: 'abort' })), r);
    assert.equal(reduceControl(r, msg({ seq: 13, action: 'resume' })), r);
  });
});
