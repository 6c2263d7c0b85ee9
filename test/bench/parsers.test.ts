/** The benchmark's pure parsers and builders: /proc, curl output, timelines, the star plan, tc and nginx config. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCurlTimes } from '../../bench/central/fetch-all.ts';
import { nginxConfig } from '../../bench/central/nginx.ts';
import {
  cpuPercent,
  descendants,
  parseRollup,
  parseStat,
  parseStatusMemory,
} from '../../bench/footprint/proc-stat.ts';
import { runHead } from '../../bench/lib/host-info.ts';
import { tbfArgs } from '../../bench/net/shaping.ts';
import { starPlan } from '../../bench/net/star-plan.ts';
import { peerLists } from '../../bench/propagation/bt-swarm.ts';
import { Timeline } from '../../bench/propagation/timeline.ts';

describe('/proc parsing', () => {
  it('reads ppid and utime+stime after a comm holding spaces and parentheses', () => {
    const stat = '4242 (node (x) y) S 17 4242 17 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 11 0 1234 999 888';
    assert.deepEqual(parseStat(stat), { pid: 4242, ppid: 17, cpuTicks: 325 });
    assert.throws(() => parseStat('garbage'));
  });

  it('reads VmRSS and VmHWM in bytes, 0 when absent', () => {
    const status = 'Name:\tnode\nVmHWM:\t  81234 kB\nVmRSS:\t   70000 kB\nThreads:\t11\n';
    assert.deepEqual(parseStatusMemory(status), { rss: 70000 * 1024, hwm: 81234 * 1024 });
    assert.deepEqual(parseStatusMemory('Name:\tkthreadd\n'), { rss: 0, hwm: 0 });
  });

  it('reads Pss (not Pss_Anon), private and shared pages from smaps_rollup in bytes, 0 when absent', () => {
    const rollup =
      '55d0a0000000-7ffd00000000 ---p 00000000 00:00 0 [rollup]\nRss:  70000 kB\nPss:  41234 kB\nPss_Anon:  30000 kB\n';
    const full = `${rollup}Shared_Clean:  43000 kB\nShared_Dirty:  1000 kB\nPrivate_Clean:  700 kB\nPrivate_Dirty:  20000 kB\n`;
    assert.deepEqual(parseRollup(full), { pss: 41234 * 1024, private: 20700 * 1024, shared: 44000 * 1024 });
    assert.deepEqual(parseRollup('Rss: 1 kB\n'), { pss: 0, private: 0, shared: 0 });
  });

  it('finds a process tree and converts ticks to percent of a core', () => {
    const table = [
      { pid: 1, ppid: 0 },
      { pid: 10, ppid: 1 },
      { pid: 11, ppid: 10 },
      { pid: 12, ppid: 1 },
      { pid: 13, ppid: 11 },
    ];
    assert.deepEqual(descendants(10, table).sort(), [10, 11, 13]);
    assert.equal(cpuPercent(100, 150, 1), 50);
    assert.ok(Number.isNaN(cpuPercent(0, 1, 0)));
  });
});

describe('timeline of one download', () => {
  it('finds first byte, done, steady rate and the last-piece stall', () => {
    const tl = new Timeline();
    const size = 1000;
    const at = (t: number, have: number, done = false) =>
      tl.observe({ t, downloaded: have, have, size, done });
    at(0, 0);
    at(10, 5); // first byte
    at(11, 100); // 10 %
    at(19, 900); // 90 %: 800 bytes in 8 s → 100 B/s
    at(20, 995); // ≥ 99 %
    at(26, 1000, true); // last 1 % should take 0.1 s: 5.9 s of stall
    const m = tl.milestones();
    assert.equal(m.firstByteS, 10);
    assert.equal(m.doneS, 26);
    assert.equal(m.steadyBps, 100);
    assert.ok(Math.abs(m.lastPieceStallS! - 5.9) < 1e-9);
    assert.ok(tl.done);
  });

  it('an unfinished download has no done time and no stall', () => {
    const tl = new Timeline();
    tl.observe({ t: 1, downloaded: 0, have: 0, size: 100, done: false });
    assert.equal(tl.milestones().doneS, null);
    assert.equal(tl.milestones().lastPieceStallS, null);
    assert.equal(tl.milestones().firstByteS, null);
  });
});

describe('star plan', () => {
  it('puts every natEvery-th node behind its own router; addresses stay in the allowed ranges', () => {
    const p = starPlan({ prefix: 'p2pb-p-', nodes: 16, natEvery: 2 });
    assert.equal(p.nodes.length, 16);
    assert.equal(p.nodes.filter((n) => n.router).length, 8);
    const n2 = p.nodes[1]!;
    assert.equal(n2.router, 'p2pb-p-r02');
    assert.equal(n2.ip, '10.1.2.2');
    assert.equal(n2.publicIp, '198.18.1.2');
    assert.equal(p.nodes[0]!.ip, '198.18.1.1');
    assert.equal(new Set(p.nodes.map((n) => n.publicIp)).size, 16);
    for (const ns of p.allNamespaces) assert.ok(ns.startsWith('p2pb-p-'), ns);
    assert.equal(p.allNamespaces.length, 1 + 1 + 1 + 16 + 8, 'switch, origin, rendezvous, nodes, routers');
    assert.equal(p.rdv.ip, '198.18.0.3');
  });

  it('refuses prefixes that could collide with the e2e tests, and absurd sizes', () => {
    assert.throws(() => starPlan({ prefix: 'p2pe-w-', nodes: 4, natEvery: 2 }), RangeError);
    assert.throws(() => starPlan({ prefix: 'p2pb-p-', nodes: 0, natEvery: 2 }), RangeError);
    assert.throws(() => starPlan({ prefix: 'p2pb-p-', nodes: 201, natEvery: 2 }), RangeError);
  });

  it('gives every host all the others as peers', () => {
    const p = starPlan({ prefix: 'p2pb-p-', nodes: 3, natEvery: 0 });
    const lists = peerLists([p.origin, ...p.nodes]);
    assert.deepEqual(lists.get('n01'), ['198.18.0.2:51413', '198.18.1.2:51413', '198.18.1.3:51413']);
    assert.equal(lists.get('origin')!.length, 3);
  });
});

describe('tools', () => {
  it('tbf: rate and a burst of ~10 ms, at least 16 KiB', () => {
    assert.deepEqual(tbfArgs('eth0', { rateMbit: 20 }).slice(-6), [
      'rate',
      '20mbit',
      'burst',
      '25000',
      'latency',
      '100ms',
    ]);
    assert.equal(tbfArgs('eth0', { rateMbit: 1 })[9], String(16 * 1024));
    assert.throws(() => tbfArgs('eth0', { rateMbit: 0 }), RangeError);
  });

  it('curl -w output and the nginx config', () => {
    assert.deepEqual(parseCurlTimes('12.5 0.25 33554432\n'), {
      total: 12.5,
      firstByte: 0.25,
      bytes: 33554432,
    });
    assert.throws(() => parseCurlTimes('curl: (7) failed'));
    const conf = nginxConfig('/tmp/x', '198.18.0.2');
    assert.match(conf, /listen 198\.18\.0\.2:80;/);
    assert.match(conf, /root \/tmp\/x\/www;/);
    assert.match(conf, /daemon off;/);
  });
});

describe('bench JSON head', () => {
  it('names the bench, its command, and the host with the load before and after', () => {
    const before = { cpus: 2, kernel: 'k', node: 'v20', loadavg: [9, 9, 9] as [number, number, number] };
    const h = runHead('fig2', new Date(0), before, { transmission: '3.00' }) as {
      bench: string;
      date: string;
      command: string;
      host: Record<string, unknown>;
    };
    assert.equal(h.bench, 'fig2');
    assert.equal(h.date, '1970-01-01T00:00:00.000Z');
    assert.match(h.command, /^node --import tsx bench\/fig2\.ts/);
    assert.deepEqual(h.host['loadavgBefore'], [9, 9, 9]);
    assert.equal(h.host['transmission'], '3.00');
    assert.equal((h.host['loadavgAfter'] as number[]).length, 3);
  });
});
