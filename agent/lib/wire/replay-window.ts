/**
 * The one sliding anti-replay window over message counters (after RFC 6479): counters
 * above the highest seen are new; counters within `size` below it are checked against a
 * bitmap; older ones, and anything that is not a non-negative safe integer, are refused.
 * `check` before decrypting, `commit` only after the tag verified, so a forged packet
 * cannot move the window. Used by certificate sessions (membership/session.ts) and, per
 * sender and epoch, by natm's envelope (envelope/replay-guard.ts).
 */
export class ReplayWindow {
  readonly #bits: Uint32Array;
  #top = -1;

  constructor(readonly size = 1024) {
    if (size % 32 !== 0 || size <= 0) throw new RangeError('window size must be a positive multiple of 32');
    this.#bits = new Uint32Array(size / 32);
  }

  get highest(): number {
    return this.#top;
  }

  check(n: number): boolean {
    if (!Number.isSafeInteger(n) || n < 0) return false;
    if (n > this.#top) return true;
    if (this.#top - n >= this.size) return false;
    return !this.#get(n);
  }

  commit(n: number): void {
    if (n > this.#top) {
      if (n - this.#top >= this.size) this.#bits.fill(0);
      else for (let i = this.#top + 1; i <= n; i++) this.#set(i, false);
      this.#top = n;
    }
    this.#set(n, true);
  }

  #get(n: number): boolean {
    const i = n % this.size;
    return ((this.#bits[i >>> 5]! >>> (i & 31)) & 1) === 1;
  }

  #set(n: number, on: boolean): void {
    const i = n % this.size;
    const w = i >>> 5;
    const m = 1 << (i & 31);
    this.#bits[w] = on ? this.#bits[w]! | m : this.#bits[w]! & ~m;
  }
}
