/**
 * The stream fallback end to end on loopback, real sockets: a rendezvous with UDP and TCP
 * (and TLS) listeners, node A on plain UDP, node B behind a "firewall" socket wrapper that
 * drops every UDP datagram both ways while `blocked`. B falls back to TCP, registers, and
 * A and B exchange overlay messages through the rendezvous' relay; B logs the change once
 * at warn; unblocked, B's UDP probe is answered and B returns to UDP (logged once). Then
 * the TLS variant: only the TLS port, the right pin connects, a wrong pin never does.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { systemClock } from '../../agent/lib/common/clock.ts';
import { sodium } from '../../agent/lib/crypto/sodium.ts';
import { Counters } from '../../agent/lib/net/counters.ts';
import type { DatagramSocket, Endpoint } from '../../agent/lib/net/datagram.ts';
import { UdpSocket } from '../../agent/lib/net/udp-socket.ts';
import { Keyring } from '../../agent/lib/wire/envelope/keyring.ts';
import { ClusterKeySealer } from '../../agent/lib/wire/envelope/sealer.ts';
import { natmConfig } from '../../agent/natm/config.ts';
import { FallbackSocket } from '../../agent/natm/fallback-socket.ts';
import { NatmNode } from '../../agent/natm/natm-node.ts';
import { dial, spkiPin } from '../../agent/natm/stream-dialer.ts';
import { rendezvousConfig } from '../../agent/rendezvous/config.ts';
import { startRendezvous } from '../../agent/rendezvous/main.ts';
import { waitFor } from './procs.ts';
import { KEY } from './sim-world.ts';
import { X509Certificate } from 'node:crypto';

/** A UDP socket behind a firewall that drops everything while `blocked`. */
class Firewalled implements DatagramSocket {
  blocked = true;
  constructor(private readonly inner: UdpSocket) {}
  send(d: Uint8Array, to: Endpoint): void {
    if (!this.blocked) this.inner.send(d, to);
  }
  onMessage(h: (d: Uint8Array, from: Endpoint) => void): void {
    this.inner.onMessage((d, from) => this.blocked || h(d, from));
  }
  local(): Endpoint {
    return this.inner.local();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'p2pn-stream-'));
execFileSync(
  'openssl',
  [
    ...['req', '-x509', '-newkey', 'ed25519', '-nodes', '-days', '2', '-subj', '/CN=rendezvous'],
    ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
  ],
  { stdio: 'ignore' },
);
const pin = spkiPin(new X509Certificate(readFileSync(join(dir, 'cert.pem'))));
const rdv = await startRendezvous(
  rendezvousConfig({
    id: 'rdv1',
    listen: '127.0.0.1:0',
    clusterKeys: [KEY],
    logLevel: 'silent',
    stream: {
      tcpListen: '127.0.0.1:0',
      tls: { listen: '127.0.0.1:0', certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') },
    },
  }),
);
const [tcpEp, tlsEp] = rdv.stream!.streamEndpoints();
const s = await sodium();
const stops: Array<() => Promise<void>> = [];
after(async () => {
  for (const stop of stops) await stop();
  await rdv.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Node {
  node: NatmNode;
  got: string[];
  fw?: Firewalled;
  fallback?: FallbackSocket;
  logs: Array<{ level: number; msg: string; event?: string }>;
}

async function startNode(id: string, fallback?: Record<string, unknown>): Promise<Node> {
  const logs: Node['logs'] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      cb();
    },
  });
  const logger = pino({ level: 'warn' }, sink);
  const cfg = natmConfig({
    id,
    listen: '127.0.0.1:0',
    clusterKeys: [KEY],
    rendezvous: [`127.0.0.1:${rdv.socket.local().port}`],
    keepaliveMs: 300,
    ...(fallback ? { streamFallback: fallback } : {}),
  });
  const udp = await UdpSocket.bind(cfg.listen, logger);
  const counters = new Counters();
  const fw = fallback ? new Firewalled(udp) : undefined;
  const fb = fw
    ? new FallbackSocket(
        fw,
        { clock: systemClock, logger, counters, dial },
        { ...cfg.streamFallback!, rendezvous: cfg.rendezvous, idleMs: cfg.pathTimeoutMs },
      )
    : undefined;
  const sealer = new ClusterKeySealer(s, new Keyring(s, [KEY]));
  const node = new NatmNode({ socket: fb ?? udp, sealer, clock: systemClock, logger, counters }, cfg);
  fb?.onStream(() => node.keepaliveNow());
  const got: string[] = [];
  node.onMessage((from, p) => got.push(`${from}:${Buffer.from(p).toString()}`));
  node.start();
  stops.push(() => node.stop());
  return { node, got, fw, fallback: fb, logs };
}

async function exchange(a: Node, b: Node, tag: string): Promise<void> {
  await waitFor(`${tag}: a ↔ b over the relay`, () => {
    a.node.send(b.node.selfId, Buffer.from(`${tag}-ab`));
    b.node.send(a.node.selfId, Buffer.from(`${tag}-ba`));
    return (
      (b.got.includes(`${a.node.selfId}:${tag}-ab`) && a.got.includes(`${b.node.selfId}:${tag}-ba`)) ||
      undefined
    );
  });
}

test('UDP blocked: TCP fallback, relayed messages both ways, back to UDP when it answers', async () => {
  const a = await startNode('a');
  const b = await startNode('b', {
    tcpPort: tcpEp!.port,
    tlsPort: tlsEp!.port,
    tlsPin: pin,
    afterMs: 1000,
    probeMs: 1000,
  });
  await waitFor('b on the TCP stream', () => b.fallback!.inUse() === 'tcp' || undefined);
  await exchange(a, b, 'tcp');
  assert.equal(b.node.peers().find((p) => p.id === 'a')?.path, 'relayed');
  assert.ok(rdv.server.counters.get('stream_accepted_tcp') >= 1);
  assert.equal(rdv.server.counters.get('stream_accepted_tls'), 0, 'tcp first');
  assert.deepEqual(
    b.logs.filter((l) => l.event).map((l) => [l.level, l.event]),
    [[40, 'fell_back']],
    'one warn for the change',
  );
  b.fw!.blocked = false;
  await waitFor('b back on UDP', () => b.fallback!.inUse() === 'udp' || undefined);
  assert.deepEqual(
    b.logs.filter((l) => l.event).map((l) => l.event),
    ['fell_back', 'returned'],
  );
  await exchange(a, b, 'udp');
  await b.node.stop();
  await a.node.stop();
});

test('only TLS reachable: the pinned key connects; a wrong pin never does', async () => {
  const a = await startNode('a2');
  const good = await startNode('b2', { tlsPort: tlsEp!.port, tlsPin: pin, afterMs: 1000 });
  await waitFor('b2 on the TLS stream', () => good.fallback!.inUse() === 'tls' || undefined);
  await exchange(a, good, 'tls');
  const wrong = 'A'.repeat(43) + '=';
  const bad = await startNode('b3', { tlsPort: tlsEp!.port, tlsPin: wrong, afterMs: 1000 });
  await waitFor('b3 to give up once', () => bad.logs.some((l) => l.event === 'no_stream') || undefined);
  assert.equal(bad.fallback!.inUse(), 'udp');
  assert.ok(bad.node.counters.get('stream_failed_tls') >= 1);
  assert.equal(bad.logs.filter((l) => l.event === 'no_stream').length, 1);
});
