import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoreData } from '../../agent/manager/model.ts';
import { statusRows, statusText } from '../../agent/manager/status-view.ts';

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
