/**
 * The transmission-show reader on what both Debian releases really print for the same
 * kind of file (recorded: 3.00 on Debian 12, 4.1.0-beta.2 on Debian 13), so each
 * distribution's run also checks the other's layout.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseShownSize, parseTransmissionShow, showsBytes } from '../helpers/transmission-show.ts';

const HASH = 'd30adc4a7eada987c39e295c5ddf6251207d1440';

const debian12 = `Name: update-1.2.tar
File: /tmp/p2pu-test-x/u.torrent

GENERAL

  Name: update-1.2.tar
  Hash: ${HASH}
  Created by: p2p-update
  Created on: Thu Dec  3 10:18:52 2026
  Piece Count: 43
  Piece Size: 16.00 KiB
  Total Size: 700.0 kB
  Privacy: Private torrent

TRACKERS

FILES

  update-1.2.tar (700.0 kB)

`;

const debian13 = `Name: update-1.2.tar
File: /tmp/p2pu-test-x/u.torrent

GENERAL

  Name: update-1.2.tar
  Hash v1: ${HASH}
  Created by: p2p-update
  Created on: Thu Dec 03 10:23:42 2026

  Piece Count: 43
  Piece Size: 16 KiB
  Total Size: 700 kB
  Privacy: Private torrent

TRACKERS

FILES

  update-1.2.tar (700 kB)

`;

describe('transmission-show output, read by meaning', () => {
  for (const [release, text] of [
    ['3.00 (Debian 12)', debian12],
    ['4.1 (Debian 13)', debian13],
  ] as const) {
    it(`${release}: info-hash, privacy, sizes and files`, () => {
      const t = parseTransmissionShow(text);
      assert.equal(t.infoHash, HASH);
      assert.equal(t.privacy, 'private');
      assert.equal(t.general.get('name'), 'update-1.2.tar');
      assert.equal(t.general.get('piece count'), '43');
      assert.ok(showsBytes(parseShownSize(t.general.get('piece size')!), 16_384));
      assert.ok(showsBytes(t.totalSize, 700_000));
      assert.deepEqual(
        t.files.map((f) => f.path),
        ['update-1.2.tar'],
      );
      assert.ok(showsBytes(t.files[0]!.size, 700_000));
      assert.ok(!showsBytes(t.files[0]!.size, 701_000), 'a size off by more than the rounding');
    });
  }

  it('a public torrent', () => {
    const t = parseTransmissionShow(debian13.replace('Private torrent', 'Public torrent'));
    assert.equal(t.privacy, 'public');
  });

  it('a hybrid v1+v2 file: the v1 hash, not the v2 one', () => {
    const v2 = 'ab'.repeat(32);
    const t = parseTransmissionShow(debian13.replace(/( {2}Hash v1: .*\n)/, `$1  Hash v2: ${v2}\n`));
    assert.equal(t.infoHash, HASH);
  });

  it('the printed precision bounds a size', () => {
    assert.deepEqual(parseShownSize('700 kB'), { bytes: 700_000, slack: 500 });
    assert.deepEqual(parseShownSize('700.0 kB'), { bytes: 700_000, slack: 50 });
    assert.deepEqual(parseShownSize('16.00 KiB'), { bytes: 16_384, slack: 5.12 });
    assert.equal(parseShownSize('12 bytes').bytes, 12);
    assert.ok(showsBytes(parseShownSize('700 kB'), 700_499));
    assert.ok(!showsBytes(parseShownSize('700.0 kB'), 700_499));
  });

  it('refuses output without a v1 hash, privacy, total size, or with a bad size', () => {
    assert.throws(() => parseTransmissionShow(debian13.replace(/ {2}Hash v1: .*\n/, '')), /info-hash/);
    assert.throws(() => parseTransmissionShow(debian12.replace(HASH, HASH.slice(2))), /info-hash/);
    assert.throws(() => parseTransmissionShow(debian12.replace(/ {2}Privacy: .*\n/, '')), /privacy/);
    assert.throws(() => parseTransmissionShow(debian12.replace(/ {2}Total Size: .*\n/, '')), /total size/);
    assert.throws(() => parseTransmissionShow(debian12.replace('(700.0 kB)', '700.0 kB')), /not a file line/);
    assert.throws(() => parseTransmissionShow(debian12.replace('(700.0 kB)', '(lots)')), /not a size/);
    assert.throws(() => parseShownSize('700 parsecs'), /not a size/);
  });
});
