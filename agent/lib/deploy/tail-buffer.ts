/** Keeps the last `cap` bytes of a stream and counts the rest: a flooding deployer costs no memory. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private held = 0;
  total = 0;

  constructor(private readonly cap: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.chunks.push(chunk);
    this.held += chunk.length;
    while (this.held - (this.chunks[0]?.length ?? 0) >= this.cap) this.held -= this.chunks.shift()!.length;
  }

  /** The tail as text, at most `cap` bytes, prefixed with a note when bytes were dropped. */
  text(): string {
    const all = Buffer.concat(this.chunks);
    const tail = all.subarray(Math.max(0, all.length - this.cap));
    const dropped = this.total - tail.length;
    return (dropped > 0 ? `[${dropped} earlier bytes dropped]\n` : '') + tail.toString('utf8');
  }
}
