/**
 * A label whose values are bounded for a counter incremented as things happen: the first
 * `max` distinct values keep their own series for the life of the process; every later
 * value is reported as "other". Use it where a value could come from outside the code
 * (a code in a peer's answer, a message type), so no input can grow the series count.
 */
import { MAX_LABEL_VALUES, OTHER } from './counter-view.ts';

export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly max = MAX_LABEL_VALUES) {}

  value(v: string): string {
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.max) return OTHER;
    this.seen.add(v);
    return v;
  }
}
