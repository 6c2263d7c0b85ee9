/**
 * Metrics whose values are read from the process's own state when scraped: the state is
 * the one source, the metric a view of it. `read` returns the samples: a number for a
 * family without labels, or [labels, value] pairs (the caller bounds the label values,
 * e.g. with tally.ts).
 */
import { Counter, Gauge, type Registry } from 'prom-client';

type Labels = Record<string, string>;
type Samples = number | Iterable<readonly [Labels, number]>;

interface Spec {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  readonly read: () => Samples;
}

function fill(metric: { reset(): void }, samples: Samples, put: (l: Labels | null, v: number) => void): void {
  metric.reset();
  if (typeof samples === 'number') return put(null, samples);
  for (const [labels, value] of samples) put(labels, value);
}

export function gaugeAtScrape(registry: Registry, spec: Spec): Gauge {
  const { read, labelNames = [], ...rest } = spec;
  return new Gauge({
    ...rest,
    labelNames,
    registers: [registry],
    collect() {
      fill(this, read(), (l, v) => (l ? this.set(l, v) : this.set(v)));
    },
  });
}

/** A counter kept elsewhere as a number that only grows (e.g. GossipNode.counters). */
export function counterAtScrape(registry: Registry, spec: Spec): Counter {
  const { read, labelNames = [], ...rest } = spec;
  return new Counter({
    ...rest,
    labelNames,
    registers: [registry],
    collect() {
      fill(this, read(), (l, v) => (l ? this.inc(l, v) : this.inc(v)));
    },
  });
}

/** Samples of a record of counts, labelled `label`: `{a: 1}` → [[{label: 'a'}, 1]]. */
export function byLabel(label: string, counts: Iterable<readonly [string, number]>): [Labels, number][] {
  return [...counts].map(([k, v]) => [{ [label]: k }, v]);
}
