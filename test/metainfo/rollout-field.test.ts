/**
 * The rollout policy in a torrent-file++'s signed info (spec §Rollout policy): written by
 * create, read back by parse and verify, covered by the signature, refused when malformed
 * with the code of the step that catches it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MetadataError, type MetadataCode } from '../../agent/lib/common/errors.ts';
import { createTorrentPlusPlus } from '../../agent/lib/metainfo/create.ts';
import { parseTorrentPlusPlus } from '../../agent/lib/metainfo/parse.ts';
import { verifyTorrentPlusPlus } from '../../agent/lib/metainfo/verify.ts';
import { RolloutError } from '../../agent/lib/rollout/errors.ts';
import { PPM, type RolloutPolicy } from '../../agent/lib/rollout/policy.ts';
import { edit, signerEntry, type AnyDict } from '../helpers/bencode-edit.ts';
import { makeAdmin, makeTorrent, tempDir, type Admin } from '../helpers/fixtures.ts';
import { MAX_POLICY } from '../rollout/max-policy.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const policy: RolloutPolicy = {
  issued: NOW / 1000,
  target: 'hw!=rpi3, site in (glasgow,leeds)',
  waves: [
    { fraction: 50_000, start: 0 },
    { fraction: 500_000, start: 7200, gate: 950_000 },
    { fraction: PPM, start: 21_600, gate: 950_000 },
  ],
  errorThreshold: 20_000,
  grace: 1800,
  quorum: 500_000,
};

describe('rollout policy in the signed info', () => {
  let admin: Admin;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let good: Uint8Array;
  let plain: Uint8Array;
  const rollout = (t: AnyDict): AnyDict => signerEntry(t)['info']['rollout'] as AnyDict;
  const refused = (change: (t: AnyDict) => void, code: MetadataCode, re: RegExp) =>
    assert.throws(
      () => parseTorrentPlusPlus(edit(good, change)),
      (e: unknown) => e instanceof MetadataError && e.code === code && re.test(e.message),
      `expected ${code} ${re}`,
    );

  before(async () => {
    admin = await makeAdmin();
    dir = await tempDir();
    ({ bytes: plain } = await makeTorrent(dir.path, admin, { now: NOW }));
    good = await createTorrentPlusPlus((await makeTorrent(dir.path, admin)).payloadPath, {
      uri: 'app:/opt/demo',
      version: 7,
      key: admin.secret,
      now: NOW,
      rollout: policy,
    });
  });
  after(() => dir.cleanup());

  it('create signs it; parse and verify give it back unchanged; without it nothing changes', async () => {
    assert.deepEqual(parseTorrentPlusPlus(good).signatures[0]!.signedInfo.rollout, policy);
    const u = await verifyTorrentPlusPlus(good, { trusted: [admin.pub], now: NOW });
    assert.deepEqual(u.rollout, policy);
    const p = await verifyTorrentPlusPlus(plain, { trusted: [admin.pub], now: NOW });
    assert.equal(p.rollout, undefined);
    assert.equal('rollout' in parseTorrentPlusPlus(plain).signatures[0]!.signedInfo, false);
  });

  it('the policy is under the signature: changing any of it is BAD_SIGNATURE', async () => {
    for (const change of [
      (t: AnyDict) => (rollout(t)['waves'][0][0] = 60_000),
      (t: AnyDict) => (rollout(t)['target'] = Buffer.from('hw=rpi3')),
      (t: AnyDict) => delete rollout(t)['target'],
      (t: AnyDict) => (rollout(t)['error threshold'] = PPM),
      (t: AnyDict) => delete signerEntry(t)['info']['rollout'],
    ])
      await assert.rejects(
        verifyTorrentPlusPlus(edit(good, change), { trusted: [admin.pub], now: NOW }),
        (e: unknown) => e instanceof MetadataError && e.code === 'BAD_SIGNATURE',
      );
  });

  it('create refuses a bad policy before it reads the payload', async () => {
    await assert.rejects(
      createTorrentPlusPlus('/nonexistent/payload', {
        uri: 'app:/opt/demo',
        version: 7,
        key: admin.secret,
        now: NOW,
        rollout: { ...policy, waves: [] },
      }),
      (e: unknown) => e instanceof RolloutError && e.code === 'BAD_POLICY',
    );
  });

  it('refuses malformed policies at step 3 (MALFORMED, naming the field)', () => {
    const R = /signatures\.[0-9a-f]{16}\.info\.rollout/;
    refused(
      (t) => (signerEntry(t)['info']['rollout'] = 1),
      'MALFORMED',
      /info.rollout: expected a dictionary, found an integer/,
    );
    refused((t) => (rollout(t)['extra'] = 1), 'MALFORMED', /info.rollout: unknown key "extra"/);
    refused((t) => delete rollout(t)['waves'], 'MALFORMED', /rollout.waves: expected a list/);
    refused(
      (t) => delete rollout(t)['quorum'],
      'MALFORMED',
      /rollout.quorum: expected an integer, found nothing/,
    );
    refused((t) => delete rollout(t)['issued'], 'MALFORMED', /rollout.issued/);
    refused(
      (t) => (rollout(t)['waves'] = []),
      'MALFORMED',
      new RegExp(`${R.source}: BAD_POLICY: waves: expected at least one wave`),
    );
    refused(
      (t) => rollout(t)['waves'][0].push(PPM),
      'MALFORMED',
      /waves\[0\]: expected a list of 2 integers \(fraction ppm, start s\)/,
    );
    refused(
      (t) => rollout(t)['waves'][1].pop(),
      'MALFORMED',
      /waves\[1\]: expected a list of 3 integers \(fraction ppm, start s, gate ppm\)/,
    );
    refused(
      (t) => (rollout(t)['waves'][1][2] = Buffer.from('x')),
      'MALFORMED',
      /waves\[1\]: expected a list of 3 integers/,
    );
    refused(
      (t) => (rollout(t)['waves'][1][0] = 50_000),
      'MALFORMED',
      /BAD_POLICY: waves\[1\].fraction: expected more than the wave before/,
    );
    refused((t) => (rollout(t)['waves'][0][0] = 0), 'MALFORMED', /BAD_POLICY: waves\[0\].fraction/);
    refused((t) => (rollout(t)['waves'][2][2] = PPM + 1), 'MALFORMED', /BAD_POLICY: waves\[2\].gate/);
    refused((t) => (rollout(t)['error threshold'] = PPM + 1), 'MALFORMED', /BAD_POLICY: error threshold/);
    refused((t) => (rollout(t)['target'] = Buffer.from('hw==rpi3')), 'MALFORMED', /BAD_SELECTOR: column 4/);
    refused(
      (t) => (rollout(t)['target'] = Buffer.from([0xff])),
      'MALFORMED',
      /rollout.target: expected UTF-8 text/,
    );
    refused((t) => (rollout(t)['target'] = 7), 'MALFORMED', /rollout.target: expected a byte string/);
  });

  it('every policy bound holds in the file: at the bound it parses, one past it is refused', () => {
    const max = edit(good, (t) => {
      const r = rollout(t);
      r['target'] = Buffer.from(MAX_POLICY.target!);
      r['waves'] = MAX_POLICY.waves.map((w) =>
        w.gate === undefined ? [w.fraction, w.start] : [w.fraction, w.start, w.gate],
      );
    });
    assert.equal(parseTorrentPlusPlus(max).signatures[0]!.signedInfo.rollout!.waves.length, 10);
    refused(
      (t) => (rollout(t)['target'] = Buffer.from(`${MAX_POLICY.target!} `)),
      'MALFORMED',
      /rollout.target: expected at most 256 bytes, found 257/,
    );
    refused(
      (t) =>
        (rollout(t)['waves'] = Array.from({ length: 11 }, (_, i) => (i === 0 ? [i + 1, 0] : [i + 1, 0, 0]))),
      'TOO_LARGE',
      /BAD_POLICY|TOO_LARGE: waves: expected at most 10, found 11/,
    );
    refused(
      (t) => (rollout(t)['target'] = Buffer.from(`${'a=b,'.repeat(8)}a=b`)),
      'TOO_LARGE',
      /TOO_LARGE: column 32: more than 8 terms/,
    );
    // One level deeper than a wave: refused by the shape pre-check before decoding.
    refused((t) => (rollout(t)['waves'][0] = [[1], 0]), 'MALFORMED', /nested deeper than 7/);
  });
});
