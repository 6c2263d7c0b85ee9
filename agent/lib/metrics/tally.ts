/**
 * Counting items by a label at scrape time, with a bounded number of label values: the
 * first `max` distinct values seen keep their own series, every later one counts as
 * "other". For gauges such as peers by path type or members by status.
 */
import { MAX_LABEL_VALUES, OTHER } from './counter-view.ts';

export function tally<T>(
  items: Iterable<T>,
  label: (item: T) => string,
  max = MAX_LABEL_VALUES,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) {
    const value = label(item);
    const key = out.has(value) || out.size < max ? value : OTHER;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}
