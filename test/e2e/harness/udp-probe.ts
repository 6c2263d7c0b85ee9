/**
 * Test-side handle of a udp-agent running in one namespace: bind sockets, send
 * datagrams, and wait (bounded) for what arrives.
 */
import { createInterface } from 'node:readline';
import { harnessFile, REPO_ROOT } from './paths.ts';
import type { Managed } from './processes.ts';
import type { Topology } from './topology.ts';

export interface UdpEvent {
  readonly ev: 'ready' | 'bound' | 'recv' | 'error';
  readonly id: string;
  readonly from?: string;
  readonly fromPort?: number;
  readonly data?: string;
  readonly port?: number;
  readonly message?: string;
}

const AGENT = harnessFile('udp-agent.ts');

export class UdpProbe {
  readonly events: UdpEvent[] = [];
  private waiters = new Set<() => void>();

  private constructor(private readonly proc: Managed) {
    createInterface({ input: proc.child.stdout! }).on('line', (l) => {
      this.events.push(JSON.parse(l) as UdpEvent);
      for (const w of this.waiters) w();
    });
  }

  static async start(topo: Topology, ns: string, name = `udp-${ns}`): Promise<UdpProbe> {
    const proc = topo.procs.spawn(name, ns, process.execPath, ['--import', 'tsx', AGENT], {
      stdio: 'pipe',
      cwd: REPO_ROOT,
    });
    const probe = new UdpProbe(proc);
    if (!(await probe.waitFor((e) => e.ev === 'ready', 15_000)))
      throw new Error(`udp-agent in ${ns} did not start`);
    return probe;
  }

  private command(o: object): void {
    this.proc.child.stdin!.write(`${JSON.stringify(o)}\n`);
  }

  async bind(id: string, port: number, echo = false): Promise<number> {
    this.command({ op: 'bind', id, port, echo });
    const e = await this.waitFor((x) => x.id === id && (x.ev === 'bound' || x.ev === 'error'), 5000);
    if (e?.ev !== 'bound') throw new Error(`bind ${id}:${port} failed: ${e?.message ?? 'timeout'}`);
    return e.port!;
  }

  send(id: string, to: string, port: number, data: string): void {
    this.command({ op: 'send', id, to, port, data });
  }

  /** Datagrams received so far on socket `id` carrying `data`. */
  received(id: string, data: string): UdpEvent[] {
    return this.events.filter((e) => e.ev === 'recv' && e.id === id && e.data === data);
  }

  /** The first event (past or future) matching `pred`, or null after `timeoutMs`. */
  async waitFor(pred: (e: UdpEvent) => boolean, timeoutMs: number): Promise<UdpEvent | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  async close(): Promise<void> {
    this.proc.child.stdin!.end();
    await this.proc.exited;
  }
}
