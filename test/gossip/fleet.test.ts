import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimCluster } from '../../agent/lib/gossip/sim/cluster.ts';
import { membersView, formatMembers } from '../../agent/lib/gossip/members-view.ts';
import { membersReply, queryMembers } from '../../agent/lib/gossip/members-ipc.ts';
import { members as membersCli } from '../../admin-tools/members.ts';

function fleet(): SimCluster {
  const c = new SimCluster({ n: 20, seed: 31, gossip: { agentVersion: '0.1.0' } });
  c.clock.advance(2000);
  c.ids.forEach((id, i) =>
    c.node(id).setState({
      applied: { 'app://fw': 1 + (i % 3) },
      current: i === 4 ? { uri: 'app://fw', version: 4, state: 'downloading', progress: 40 } : null,
    }),
  );
  c.node('n4').local.setTags('hw=rpi4,ring=canary');
  c.clock.advance(10_000);
  return c;
}

test('every node publishes its state record; any node lists every member with its versions', () => {
  const c = fleet();
  const rows = membersView(c.node('n9'), c.clock.now());
  assert.equal(rows.length, 20);
  for (const r of rows) {
    const i = Number(r.id.slice(1));
    assert.equal(r.status, 'alive');
    assert.deepEqual(r.applied, { 'app://fw': 1 + (i % 3) }, r.id);
    assert.equal(r.agentVersion, '0.1.0');
    assert.ok(r.lastSeen > 0);
    assert.equal(r.path, r.self ? null : 'direct');
  }
  assert.deepEqual(rows.find((r) => r.id === 'n4')?.current, {
    uri: 'app://fw',
    version: 4,
    state: 'downloading',
    progress: 40,
  });
  // A newer record replaces the old one everywhere; an older seq never does.
  c.node('n3').setState({ applied: { 'app://fw': 4 }, current: null });
  c.clock.advance(10_000);
  assert.deepEqual({ ...c.node('n17').fleet.get('n3')?.applied }, { 'app://fw': 4 });
  const text = formatMembers(rows, c.clock.now());
  assert.match(text, /^ID\s+STATUS\s+PATH/);
  assert.match(text, /n9 \(self\)\s+alive/);
  assert.match(text, /app:\/\/fw@4 downloading 40%/);
  // Tags travel in the record: every node lists n4's, in text and in the JSON rows.
  assert.equal(rows.find((r) => r.id === 'n4')?.tags, 'hw=rpi4,ring=canary');
  assert.equal(rows.find((r) => r.id === 'n5')?.tags, '');
  assert.match(text, /^ID\s+STATUS\s+PATH\s+ADDRESS\s+LAST SEEN\s+CONN\s+CLOCK\s+AGENT\s+TAGS\s+VERSIONS/);
  assert.match(text, /\nn4 .*hw=rpi4,ring=canary\s+app:\/\/fw@2/);
  // Failed and rolled-back versions travel in the record too (FAILED column, JSON fields).
  c.node('n6').setState({
    applied: { 'app://fw': 1 },
    current: null,
    failed: { 'app://fw': 3, 'app://x': 5 },
    rolledBack: { 'app://fw': 3 },
  });
  c.clock.advance(10_000);
  const r6 = membersView(c.node('n9'), c.clock.now()).find((r) => r.id === 'n6')!;
  assert.deepEqual(
    [{ ...r6.failed }, { ...r6.rolledBack }],
    [{ 'app://fw': 3, 'app://x': 5 }, { 'app://fw': 3 }],
  );
  const text6 = formatMembers(membersView(c.node('n9'), c.clock.now()), c.clock.now());
  assert.match(text6, /\sFAILED\n/);
  assert.match(text6, /\nn6 .*app:\/\/fw@3 rolled back,app:\/\/x@5 failed\n/);
  c.stop();
});

test('a crashed node shows as dead in the fleet view, with its last versions', () => {
  const c = fleet();
  c.crash('n2');
  c.clock.advance(30_000);
  const r = membersView(c.node('n0'), c.clock.now()).find((x) => x.id === 'n2')!;
  assert.equal(r.status, 'dead');
  assert.deepEqual(r.applied, { 'app://fw': 3 });
  c.stop();
});

test('`p2p-update members --json` asks natm over its unix socket and prints every member', async () => {
  const c = fleet();
  const dir = mkdtempSync(join(tmpdir(), 'gossip-ipc-'));
  const path = join(dir, 'natm.sock');
  const server = createServer((s) => {
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      if (!buf.includes('\n')) return;
      const req = JSON.parse(buf.slice(0, buf.indexOf('\n'))) as { type: string };
      if (req.type === 'members')
        s.write(
          `{"type":"peers","infoHash":"x","peers":[]}\n${JSON.stringify(membersReply(c.node('n5'), c.clock.now()))}\n`,
        );
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
  try {
    const reply = await queryMembers(path);
    assert.equal(reply.nodeId, 'n5');
    assert.equal(reply.members.length, 20);
    const out: string[] = [];
    const log = console.log;
    console.log = (s: string) => void out.push(s);
    try {
      assert.equal(await membersCli({ socket: path, json: true }), 0);
    } finally {
      console.log = log;
    }
    const printed = JSON.parse(out.join('\n')) as { id: string; applied: Record<string, number> }[];
    assert.equal(printed.length, 20);
    assert.deepEqual(printed.find((m) => m.id === 'n7')?.applied, { 'app://fw': 2 });
    await assert.rejects(queryMembers(join(dir, 'missing.sock')), { code: 'IPC_UNAVAILABLE' });
    // natm's stats socket style: one status object on connect, members embedded.
    const statsPath = join(dir, 'stats.sock');
    const stats = createServer((s) =>
      s.end(
        `${JSON.stringify({ id: 'n5', counters: {}, members: membersReply(c.node('n5'), 1).members })}\n`,
      ),
    );
    await new Promise<void>((r) => stats.listen(statsPath, r));
    try {
      const viaStats = await queryMembers(statsPath);
      assert.equal(viaStats.nodeId, 'n5');
      assert.equal(viaStats.members.length, 20);
    } finally {
      stats.close();
    }
    const mute = createServer((s) => s.end('{"type":"hello-ack","nodeId":"x"}\n'));
    const mutePath = join(dir, 'mute.sock');
    await new Promise<void>((r) => mute.listen(mutePath, r));
    try {
      await assert.rejects(queryMembers(mutePath), { code: 'IPC_BAD_REPLY' });
    } finally {
      mute.close();
    }
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
    c.stop();
  }
});

test('a state record too big for a packet is trimmed to fit; unencodable fields are dropped', () => {
  const c = new SimCluster({ n: 3, seed: 32 });
  c.clock.advance(2000);
  const applied: Record<string, number> = {};
  for (let i = 0; i < 40; i++) applied[`app://${'x'.repeat(100)}/${i}`] = i;
  const r = c.node('n0').setState({
    applied,
    current: { uri: 'u'.repeat(300), version: 1, state: 'downloading', progress: 5 },
  });
  assert.ok(Object.keys(r.applied).length > 0 && Object.keys(r.applied).length < 16);
  assert.equal(r.current, null, 'a URI over 255 bytes cannot be encoded');
  c.clock.advance(5000);
  assert.equal(c.node('n2').fleet.get('n0')?.seq, r.seq, 'it still spreads');
  assert.equal(
    c.node('n0').relay('ab'.repeat(32), new Uint8Array(5), { uri: 'u'.repeat(300), version: 1 }),
    false,
  );
  c.stop();
});

test('the fleet view says why: conditions and clock offset a node reports, nodes gone, nodes enrolled but never heard', async () => {
  const c = new SimCluster({ n: 5, seed: 33, gossip: { deadRetentionMs: 60_000 } });
  c.clock.advance(2000);
  c.node('n1').local.setHealth({ conditions: ['no_rendezvous', 'clock_skew'], clockOffsetMs: 86_400_000 });
  c.clock.advance(5000);
  const n1 = membersView(c.node('n0'), c.clock.now()).find((x) => x.id === 'n1')!;
  assert.deepEqual(n1.conditions, ['no_rendezvous', 'clock_skew']);
  assert.equal(n1.clockOffsetMs, 86_400_000);
  const text = formatMembers(membersView(c.node('n0'), c.clock.now()), c.clock.now());
  assert.match(text, /\bCONN\s+CLOCK\b/);
  assert.match(text, /\nn1\s+alive\s+\S+\s+\S+\s+\S+ ago\s+no_rendezvous,clock_skew\s+\+86400s/);
  assert.match(
    text,
    /\nn2\s+alive\s+\S+\s+\S+\s+\S+ ago\s+-\s+0s/,
    'no record: no conditions; clock as measured here',
  );

  // n2 crashes; after dead retention it leaves the member table, but not the view.
  c.crash('n2');
  const lastHeard = c.node('n0').heard.get('n2')!;
  c.clock.advance(5 * 60_000);
  assert.equal(c.node('n0').membership.table.get('n2'), undefined, 'pruned from the table');
  const rows = membersView(c.node('n0'), c.clock.now());
  const n2 = rows.find((x) => x.id === 'n2')!;
  assert.equal(n2.status, 'gone');
  assert.equal(n2.lastSeen, lastHeard);
  assert.match(formatMembers(rows, c.clock.now()), /\nn2\s+gone\s+\S+\s+\S+\s+5m ago/);

  // --enrolled: the CA's nodes never heard from are listed as unheard; a revoked one is not.
  const dir = mkdtempSync(join(tmpdir(), 'gossip-enrolled-'));
  const path = join(dir, 'natm.sock');
  const nodes = ['n0', 'n3', 'ghost', 'stolen'].map((nodeId) => ({ nodeId }));
  writeFileSync(join(dir, 'state.json'), JSON.stringify({ nodes, revoked: [{ nodeId: 'stolen', at: 1 }] }));
  const server = createServer((s) => s.end(`${JSON.stringify(membersReply(c.node('n0'), c.clock.now()))}\n`));
  await new Promise<void>((r) => server.listen(path, r));
  const out: string[] = [];
  const log = console.log;
  console.log = (s: string) => void out.push(s);
  try {
    assert.equal(await membersCli({ socket: path, enrolled: dir }), 0);
    assert.equal(await membersCli({ socket: path, enrolled: dir, json: true }), 0);
  } finally {
    console.log = log;
    server.close();
    rmSync(dir, { recursive: true, force: true });
    c.stop();
  }
  assert.match(out[0]!, /\nghost\s+unheard\s+-\s+-\s+never\s+-\s+-/);
  assert.doesNotMatch(out[0]!, /stolen/);
  const json = JSON.parse(out[1]!) as { id: string; status: string }[];
  assert.deepEqual(
    json.map((r) => `${r.id}:${r.status}`),
    ['ghost:unheard', 'n0:alive', 'n1:alive', 'n2:gone', 'n3:alive', 'n4:alive'],
  );
});
