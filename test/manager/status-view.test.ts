import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoreData } from '../../agent/manager/model.ts';
import { statusRows, statusText } from '../../agent/manager/status-view.ts';
import { connectivityText, TLS_NOTE } from '../../agent/manager/status-connectivity.ts';
import type { ConnectivityView } from '../../agent/lib/gossip/health.ts';

const d = {
  schema: 1,
  refusals: [
    { at: 0, code: 'ROLLBACK', reason: 'version 1 is below 2', source: 'inbox', uri: 'app:/b', version: 1 },
  ],
  uris: {
    'app:/b': {
      highestAccepted: 2,
      applied: 1,
      appliedAt: 5,
      current: {
        version: 2,
        infoHash: 'a'.repeat(40),
        name: 'n',
        length: 1,
        sha256: '',
        state: 'downloading',
        at: { verified: 0, downloading: 1000 },
        progress: 0.4567,
        lastError: 'UNREACHABLE: torrent-get: cannot reach\nmore',
        deployAttempts: 0,
        nextAttemptAt: null,
        deployPid: null,
      },
    },
    'app:/a': { highestAccepted: 1, applied: 1, appliedAt: 1, current: null },
  },
} as unknown as StoreData;

test('status rows: per URI applied, highest, state, progress %, last error; sorted by URI', () => {
  assert.deepEqual(statusRows(d), [
    {
      uri: 'app:/a',
      applied: 1,
      highest: 1,
      state: null,
      version: null,
      progress: null,
      lastError: null,
      deployAttempts: 0,
      since: null,
      gate: null,
      failed: null,
      rolledBack: null,
    },
    {
      uri: 'app:/b',
      applied: 1,
      highest: 2,
      state: 'downloading',
      version: 2,
      progress: 45.7,
      lastError: 'UNREACHABLE: torrent-get: cannot reach\nmore',
      deployAttempts: 0,
      since: '1970-01-01T00:00:01.000Z',
      gate: null,
      failed: null,
      rolledBack: null,
    },
  ]);
  assert.deepEqual(statusRows(null), []);
});

test('status text: one block per URI, first line of the last error, recent refusals', () => {
  const t = statusText(d);
  assert.match(
    t,
    /app:\/b\n {4}applied 1, highest accepted 2; v2 downloading 45.7% since 1970-01-01T00:00:01.000Z/,
  );
  assert.match(t, /last error: UNREACHABLE: torrent-get: cannot reach$/m);
  assert.match(t, /recent refusals:\n.*ROLLBACK app:\/b 1: version 1 is below 2/);
  assert.equal(statusText(null), 'no updates yet');
});

test('status text escapes control characters from untrusted refusal reasons', () => {
  const evil = {
    ...d,
    refusals: [
      {
        at: 0,
        code: 'MALFORMED',
        reason: 'info.name: expected a plain file name, found "\u001b]0;pwned\u0007\u001b[2J"\nfake line',
        source: 'natm',
      },
    ],
  } as unknown as StoreData;
  const text = statusText(evil);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f]/);
  assert.match(text, /found "\\x1b\]0;pwned\\x07\\x1b\[2J"\\x0afake line/);
});

test('status shows where the payload is: downloadDir/<infohash>/<name>, or <name> for older records', () => {
  const rows = statusRows(d, '/dl');
  assert.equal(rows[0]!.file, null);
  assert.equal(rows[1]!.file, '/dl/n', 'a record without ownDir: the old shared place');
  const cur = d.uris['app:/b']!.current!;
  const own = { ...d, uris: { 'app:/b': { ...d.uris['app:/b']!, current: { ...cur, ownDir: true } } } };
  assert.equal(statusRows(own, '/dl')[0]!.file, `/dl/${'a'.repeat(40)}/n`);
  assert.match(statusText(own, '/dl'), new RegExp(`\\n {4}file: /dl/${'a'.repeat(40)}/n`));
});

test('status shows what a deploy held back by its rollout gate waits for (only while deploying)', () => {
  const cur = d.uris['app:/b']!.current!;
  const line =
    'waiting for wave 2 gate (40/42 succeeded): earlier waves: 40 of 42 applied (95.2381%), gate 98%';
  const at = (state: string) =>
    ({
      ...d,
      uris: { 'app:/b': { ...d.uris['app:/b']!, current: { ...cur, state, gate: line } } },
    }) as unknown as StoreData;
  assert.equal(statusRows(at('deploying'))[0]!.gate, line);
  assert.match(
    statusText(at('deploying')),
    /\n {4}rollout: waiting for wave 2 gate \(40\/42 succeeded\): earlier waves/,
  );
  assert.equal(statusRows(at('applied'))[0]!.gate, null);
  assert.doesNotMatch(statusText(at('applied')), /rollout:/);
});

test('connectivity text: natm degraded (rendezvous unreachable, clock a day ahead), ok, unknown, and garbage', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');
  const view = {
    state: 'degraded',
    conditions: ['no_rendezvous', 'clock_skew'],
    rendezvous: { configured: 1, alive: 0, lastContact: now - 3 * 3600_000 },
    external: null,
    paths: { direct: 0, punched: 0, bridged: 1, relayed: 0, none: 2 },
    clock: { offsetMs: 86_400_000, peers: 3, skewed: true, boundMs: 60_000 },
  } as unknown as ConnectivityView;
  assert.deepEqual(connectivityText({ connectivity: view, error: null }, now), [
    'connectivity: degraded: no working rendezvous, clock skew against peers',
    '    rendezvous: 0 of 1 answering; last contact 3h ago',
    '    external endpoint: unknown',
    '    paths: 0 direct, 0 punched, 1 bridged, 0 relayed, 2 without a path',
    '    clock: +86400s against the median of 3 peers (bound +60s): SKEWED',
  ]);
  const ok = {
    ...view,
    conditions: [],
    rendezvous: { configured: 1, alive: 1, lastContact: now - 2000 },
    external: { address: '198.18.0.7', port: 4100 },
    clock: { offsetMs: null, peers: 0, skewed: false, boundMs: 60_000 },
  } as unknown as ConnectivityView;
  const lines = connectivityText({ connectivity: ok, error: null }, now);
  assert.equal(lines[0], 'connectivity: ok');
  assert.equal(lines[1], '    rendezvous: 1 of 1 answering; last contact 2s ago');
  assert.equal(lines[2], '    external endpoint: 198.18.0.7:4100');
  assert.equal(lines[4], '    clock: no peer has told its time yet');
  const fallback = {
    ...ok,
    conditions: ['relayed_only', 'stream_fallback'],
    transport: 'tls',
  } as ConnectivityView;
  assert.deepEqual(connectivityText({ connectivity: fallback, error: null }, now).slice(0, 3), [
    'connectivity: degraded: only relayed paths, UDP blocked: rendezvous over a stream fallback',
    '    rendezvous: 1 of 1 answering over a TLS stream (UDP blocked: fallback in use); last contact 2s ago',
    TLS_NOTE,
  ]);
  assert.match(TLS_NOTE, /only to 443, no peer beyond this LAN can send bytes/);
  const tcp = connectivityText({ connectivity: { ...fallback, transport: 'tcp' }, error: null }, now);
  assert.equal(tcp.includes(TLS_NOTE), false, 'on TCP the BitTorrent ports are reachable as far as we know');
  assert.deepEqual(connectivityText({ connectivity: null, error: 'cannot reach natm at /x: ENOENT' }, now), [
    'connectivity: unknown (cannot reach natm at /x: ENOENT)',
  ]);
  const junk = { conditions: ['\u001b[2J', 'no_external'], rendezvous: 5 } as unknown as ConnectivityView;
  const j = connectivityText({ connectivity: junk, error: null }, now);
  assert.equal(j[0], 'connectivity: degraded: no external endpoint', 'unknown conditions are not printed');
  assert.equal(j[1], '    rendezvous: ? of ? answering; last contact never');
});
