/**
 * NDJSON framing (docs/protocol/ipc.md §Framing), pure: bytes in, whole lines out.
 * A line longer than the cap is dropped up to its newline and counted, never buffered.
 */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private skipping = false;
  dropped = 0;

  constructor(private readonly maxBytes = MAX_LINE_BYTES) {}

  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      if (!this.skipping && this.size + piece.length <= this.maxBytes) {
        this.parts.push(piece);
        lines.push(Buffer.concat(this.parts).toString('utf8'));
      } else this.dropped++;
      this.parts = [];
      this.size = 0;
      this.skipping = false;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (!this.skipping && this.size + rest.length > this.maxBytes) {
      this.parts = [];
      this.size = 0;
      this.skipping = true;
    } else if (!this.skipping && rest.length > 0) {
      this.parts.push(Buffer.from(rest));
      this.size += rest.length;
    }
    return lines;
  }
}

/** One parsed message, or null (invalid JSON, not an object, no string `type`). */
export function parseMessage(line: string): { type: string; [k: string]: unknown } | null {
  try {
    const v: unknown = JSON.parse(line);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    const type = (v as { type?: unknown }).type;
    return typeof type === 'string' ? (v as { type: string }) : null;
  } catch {
    return null;
  }
}
