/** Small pure parts of the speed levers: daemon traits, poll pacing, the tiny torrent, peer rows. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { decodeStrict, encode, isDict } from '../../../agent/lib/metainfo/bencode-strict.ts';
import { daemonTraits, versionOf } from '../../../agent/lib/transmission/daemon-traits.ts';
import { asSwarmView } from '../../../agent/lib/transmission/swarm-view.ts';
import { TINY_BYTES, TINY_NAME, tinyTorrent } from '../../../agent/lib/transmission/tiny-torrent.ts';
import { shouldFlush } from '../../../agent/manager/step-payload.ts';
import { pollDelay } from '../../../agent/manager/swarm/poll-pace.ts';

test('daemon traits: 3.00, 4.0 and 4.1 as session-get names them', () => {
  const t300 = daemonTraits('3.00 (bb6b5a062e)', 16);
  assert.deepEqual(
    [
      t300.trackerList,
      t300.firstReannounceGateS,
      t300.editAnnounces,
      t300.fastAdd,
      t300.cancelRateInterest,
      t300.restartHelpsPeers,
    ],
    [false, 120, true, false, true, true],
  );
  const t40 = daemonTraits('4.0.6 (38c164933e)', 17);
  assert.deepEqual([t40.trackerList, t40.firstReannounceGateS, t40.fastAdd], [true, 120, true]);
  const beta2 = daemonTraits('4.1.0-beta.2 (ac5c9e082d)', 18); // Debian 13's package
  assert.deepEqual([beta2.trackerList, beta2.firstReannounceGateS, beta2.fastAdd], [true, 120, true]);
  assert.equal(daemonTraits('4.1.0-beta.3 (x)', 18).firstReannounceGateS, 0, 'the fix came with beta.3');
  assert.equal(daemonTraits('4.1.1', 18).firstReannounceGateS, 0);
  const t41 = daemonTraits('4.1.0 (…)', 18);
  assert.deepEqual(
    [
      t41.trackerList,
      t41.firstReannounceGateS,
      t41.editAnnounces,
      t41.fastAdd,
      t41.cancelRateInterest,
      t41.restartHelpsPeers,
    ],
    [true, 0, false, true, false, false],
  );
  assert.deepEqual(versionOf('junk'), [0, 0, 0, 0, 0]);
  assert.deepEqual(versionOf('3.00 (bb6b5a062e)'), [3, 0, 0, 1, 0]);
  assert.deepEqual(versionOf('4.1.0-beta.2 (ac5c9e082d)'), [4, 1, 0, 0, 2]);
  assert.equal(daemonTraits('junk', 18).firstReannounceGateS, 0, 'rpc-version alone decides when unreadable');
});

test('flush before the payload check: "auto" restarts only where it helps the next hop (3.00), else as set', () => {
  const t300 = daemonTraits('3.00 (bb6b5a062e)', 16);
  const t41 = daemonTraits('4.1.0-beta.2 (ac5c9e082d)', 18);
  assert.deepEqual(
    [shouldFlush('auto', t300), shouldFlush('auto', t41), shouldFlush('auto', null)],
    [true, false, true],
  );
  assert.deepEqual([shouldFlush(true, t41), shouldFlush(false, t300)], [true, false]);
});

test('poll pacing: fast only near the end (last 5 %, or under 2 s at the current rate), and off at 0', () => {
  const p = { pollMs: 1000, nearEndMs: 100 };
  assert.equal(pollDelay({ percentDone: 0.5, leftUntilDone: 5e6, rateDownload: 1e6 }, p), 1000);
  assert.equal(pollDelay({ percentDone: 0.5, leftUntilDone: 1.5e6, rateDownload: 1e6 }, p), 100);
  assert.equal(pollDelay({ percentDone: 0.96, leftUntilDone: 5e6, rateDownload: 0 }, p), 100);
  assert.equal(pollDelay({ percentDone: 0.96, leftUntilDone: 5e6 }, { pollMs: 1000, nearEndMs: 0 }), 1000);
  assert.equal(pollDelay({ percentDone: 0.1, leftUntilDone: 9e6 }, p), 1000, 'no rate: by fraction only');
  // Right after a stall the daemon's averaged rate lags: the bytes seen since the last look count.
  const resumed = { percentDone: 0.6, leftUntilDone: 3e6, rateDownload: 0.5e6 };
  assert.equal(pollDelay(resumed, p), 1000, "the daemon's rate alone: 6 s left");
  assert.equal(pollDelay(resumed, p, { leftUntilDone: 5e6, ms: 1000 }), 100, '2 MB/s seen: 1.5 s left');
  assert.equal(pollDelay(resumed, p, { leftUntilDone: 3.2e6, ms: 1000 }), 1000, 'slow since: 6 s left');
  assert.equal(pollDelay(resumed, p, { leftUntilDone: 5e6, ms: 0 }), 1000, 'no time between looks: ignored');
});

test('the tiny torrent: private, trackerless, one piece over its own bytes, info-hash over the info dict', () => {
  const data = Buffer.alloc(TINY_BYTES, 7);
  const t = tinyTorrent(data);
  const d = decodeStrict(t.metainfo);
  assert.ok(isDict(d) && isDict(d['info']));
  assert.deepEqual(Object.keys(d), ['info'], 'no announce, no announce-list');
  const info = d['info'];
  assert.equal(info['private'], 1);
  assert.equal(Buffer.from(info['name'] as Uint8Array).toString(), TINY_NAME);
  assert.equal(info['length'], TINY_BYTES);
  assert.deepEqual(Buffer.from(info['pieces'] as Uint8Array), createHash('sha1').update(data).digest());
  assert.equal(t.infoHash, createHash('sha1').update(encode(info)).digest('hex'));
  assert.notEqual(
    tinyTorrent(Buffer.alloc(TINY_BYTES, 8)).infoHash,
    t.infoHash,
    'per-node bytes, per-node hash',
  );
  assert.throws(() => tinyTorrent(Buffer.alloc(3)), RangeError);
});

test('peer rows: parsed from torrent-get, unreadable rows skipped, a bad torrent row is null', () => {
  const v = asSwarmView({
    hashString: 'h',
    percentDone: 0.5,
    status: 4,
    sizeWhenDone: 10,
    uploadedEver: 3,
    uploadLimited: true,
    peers: [
      {
        address: '10.1.0.2',
        port: 51413,
        clientIsChoked: false,
        clientIsInterested: true,
        peerIsChoked: true,
        peerIsInterested: false,
        progress: 0.25,
      },
      { address: '10.1.0.3', port: 1, progress: 'x' },
      null,
    ],
  });
  assert.equal(v?.peers.length, 1);
  assert.equal(v?.peers[0]?.key, '10.1.0.2:51413');
  assert.equal(v?.uploadLimited, true);
  assert.equal(asSwarmView({ hashString: 'h' }), null);
  assert.equal(asSwarmView('x'), null);
});
