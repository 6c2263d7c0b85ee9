/**
 * Notifications the manager verified and handed back for relaying (`relay`): the newest per
 * URI only, served to fetchers in chunks and listed in the anti-entropy digest.
 * Bounded: at most `maxUris` URIs and `maxBytes` bytes; the least recently stored URI goes.
 */
import type { DigestEntry } from './messages.ts';

export interface Held extends DigestEntry {
  readonly bytes: Uint8Array;
}

export class BlobStore {
  private readonly byUri = new Map<string, Held>();
  private readonly byId = new Map<string, Held>();
  private bytes = 0;

  constructor(private readonly init: { maxUris: number; maxBytes: number }) {}

  get(id: string): Held | undefined {
    return this.byId.get(id);
  }
  version(uri: string): number {
    return this.byUri.get(uri)?.version ?? -1;
  }
  entries(): Held[] {
    return [...this.byUri.values()];
  }
  get size(): number {
    return this.byUri.size;
  }

  /** Keep `h` if it is newer than what we hold for its URI; returns whether it was stored. */
  put(h: Held): boolean {
    const old = this.byUri.get(h.uri);
    if (old && old.version >= h.version) return false;
    if (h.bytes.length > this.init.maxBytes) return false;
    if (old) this.drop(old);
    while (this.byUri.size >= this.init.maxUris || this.bytes + h.bytes.length > this.init.maxBytes)
      this.drop(this.byUri.values().next().value!);
    this.byUri.set(h.uri, h);
    this.byId.set(h.id, h);
    this.bytes += h.bytes.length;
    return true;
  }

  private drop(h: Held): void {
    this.byUri.delete(h.uri);
    this.byId.delete(h.id);
    this.bytes -= h.bytes.length;
  }
}
