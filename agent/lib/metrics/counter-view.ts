/**
 * Prometheus counters read from a Counters object at each scrape, so a count lives in one
 * place (the Counters that `natm-stats` prints) and /metrics is a view of it. Each family
 * takes one counter key, or every key under a prefix with the rest as its label value
 * (`drop_replay` → `..._packets_dropped_total{reason="replay"}`); a key no family takes goes
 * to the catch-all family, labelled with the whole key. A family shows at most
 * MAX_LABEL_VALUES label values, the oldest names first; the rest add up under "other".
 */
import { Counter, type Registry } from 'prom-client';
import type { Counters } from '../net/counters.ts';

export const MAX_LABEL_VALUES = 64;
export const OTHER = 'other';

export interface CounterFamily {
  /** Metric name after the process prefix, e.g. `packets_dropped_total`. */
  readonly name: string;
  readonly help: string;
  /** The counter key; with `label`, the key prefix whose rest is the label's value. */
  readonly key: string;
  readonly label?: string;
}

/** The family index and label value (or null) that `key` belongs to; families.length = catch-all. */
function classify(families: readonly CounterFamily[], key: string): [number, string | null] {
  for (let i = 0; i < families.length; i++) {
    const f = families[i]!;
    if (f.label === undefined ? key === f.key : key.startsWith(f.key) && key.length > f.key.length)
      return [i, f.label === undefined ? null : key.slice(f.key.length)];
  }
  return [families.length, key];
}

/**
 * Registers one counter per family (and the catch-all) in `registry`, each filled from
 * `source` when scraped. Put exact keys before a prefix that also matches them.
 */
export function counterView(
  registry: Registry,
  prefix: string,
  source: Counters,
  families: readonly CounterFamily[],
  catchAll: { name: string; help: string; label: string },
): void {
  const all = [...families, { ...catchAll, key: '' }];
  all.forEach((family, index) => {
    new Counter({
      name: `${prefix}${family.name}`,
      help: family.help,
      labelNames: family.label === undefined ? [] : [family.label],
      registers: [registry],
      collect() {
        this.reset();
        const shown = new Set<string>();
        for (const [key, value] of source.entries()) {
          const [i, labelValue] = classify(families, key);
          if (i !== index) continue;
          if (labelValue === null) {
            this.inc(value);
            continue;
          }
          if (!shown.has(labelValue) && shown.size < MAX_LABEL_VALUES) shown.add(labelValue);
          this.inc({ [family.label!]: shown.has(labelValue) ? labelValue : OTHER }, value);
        }
      },
    });
  });
}
