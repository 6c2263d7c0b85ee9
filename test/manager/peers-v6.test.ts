/**
 * Peer lists dual-stack (issue 19 item 5): natm's `peers` may name IPv6 members (canonical
 * text only), and the manager's tracker answers them as BEP 7 `peers6` (18 bytes each) next
 * to IPv4's `peers`. Hostile: non-canonical, zoned, mapped or oversized addresses in a
 * `peers` message are refused as a whole.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import bencode from 'bencode';
import { decodeNatmMessage } from '../../agent/lib/ipc/contract.ts';
import { announceReply, compactPeers } from '../../agent/lib/tracker/compact.ts';

const IH = '00ff10203f25264170809a0b0c0d0e0f10111213';

test('compact peers6: 16 address bytes then the port; IPv4 stays in peers', () => {
  const peers = [
    { ip: '10.1.0.2', port: 51413 },
    { ip: 'fd00:1::2', port: 6881 },
    { ip: 'FD00:1::3', port: 6881 }, // not canonical: skipped
    { ip: 'fd00:1::4', port: 0 },
  ];
  assert.equal(
    Buffer.from(compactPeers(peers, 6)).toString('hex'),
    'fd000001000000000000000000000002' + '1ae1',
  );
  assert.equal(Buffer.from(compactPeers(peers)).toString('hex'), '0a010002c8d5');
  const d = bencode.decode(announceReply(peers, 30)) as Record<string, unknown>;
  assert.equal(d['incomplete'], 2);
  assert.equal(Buffer.from(d['peers6'] as Uint8Array).length, 18);
  const v4only = bencode.decode(announceReply([peers[0]!], 30)) as Record<string, unknown>;
  assert.equal('peers6' in v4only, false, 'no peers6 key without IPv6 peers');
});

test('natm `peers` with IPv6: canonical addresses taken; any other spelling refuses the message', () => {
  const msg = (ip: string) => ({
    type: 'peers',
    infoHash: IH,
    peers: [
      { ip: '10.1.0.2', port: 51413 },
      { ip, port: 6881 },
    ],
  });
  assert.deepEqual(decodeNatmMessage(msg('fd00:1::2')), {
    type: 'peers',
    infoHash: IH,
    peers: [
      { ip: '10.1.0.2', port: 51413 },
      { ip: 'fd00:1::2', port: 6881 },
    ],
  });
  for (const bad of [
    'FD00:1::2',
    'fd00:1:0:0:0:0:0:2',
    'fe80::1%eth0',
    '::ffff:10.1.0.2',
    'fd00::1::2',
    `fd00${':1'.repeat(40)}`,
    '10.1.0.256',
  ])
    assert.equal(decodeNatmMessage(msg(bad)), null, bad);
});
