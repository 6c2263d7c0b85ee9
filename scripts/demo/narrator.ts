/** How the live demo talks: numbered steps, timestamped events per node, a final table. */
export class Narrator {
  private t0 = Date.now();

  constructor(private readonly out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)) {}

  /** Restart the clock (events are timed from the last reset). */
  reset(): void {
    this.t0 = Date.now();
  }

  elapsed(): number {
    return (Date.now() - this.t0) / 1000;
  }

  step(title: string): void {
    this.out(`\n== ${title}`);
  }

  say(text: string): void {
    this.out(`   ${text}`);
  }

  event(who: string, text: string): void {
    this.out(`   [${this.elapsed().toFixed(1).padStart(5)}s] ${who.padEnd(4)} ${text}`);
  }

  table(headers: readonly string[], rows: readonly (readonly string[])[]): void {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: readonly string[]) =>
      cells
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd();
    this.out(`   ${line(headers)}`);
    this.out(`   ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
    for (const r of rows) this.out(`   ${line(r)}`);
  }
}

export function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}
