/**
 * Rate shaping of an access link with `tc tbf` on both ends of its veth (this kernel has
 * no netem: no delay, no loss). The egress of the host side is its upload; the egress of
 * the switch port is its download.
 */
import { nsRun } from '../../test/e2e/harness/run.ts';

export interface Shape {
  readonly rateMbit: number;
}

/** `tc` arguments for one direction (pure). Burst ≈ 10 ms of traffic, at least 16 KiB. */
export function tbfArgs(dev: string, s: Shape): string[] {
  if (!(s.rateMbit > 0)) throw new RangeError(`rate must be > 0 Mbit/s, got ${s.rateMbit}`);
  const burstBytes = Math.max(16 * 1024, Math.round((s.rateMbit * 1e6) / 8 / 100));
  return [
    'qdisc',
    'replace',
    'dev',
    dev,
    'root',
    'tbf',
    'rate',
    `${s.rateMbit}mbit`,
    'burst',
    String(burstBytes),
    'latency',
    '100ms',
  ];
}

export async function shapeLink(
  host: { ns: string; dev: string },
  port: { ns: string; dev: string },
  s: Shape,
): Promise<void> {
  await nsRun(host.ns, 'tc', tbfArgs(host.dev, s));
  await nsRun(port.ns, 'tc', tbfArgs(port.dev, s));
}
