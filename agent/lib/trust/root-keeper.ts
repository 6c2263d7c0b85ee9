/**
 * A verifier's root of trust over time (docs/adr/0003-root-of-trust.md), shared by the
 * manager and the deploy executor, each with its own files: resumed at start from the
 * anchor in its config (`root`, a chain file, or plain `trustedKeys`) and the chain it
 * persisted (`path`); moved forward by root chains offered to it, each walked from the
 * root it trusts, written durably before it is trusted. Never goes back: a persisted chain
 * that does not verify stops start-up (`fail('corrupt')`); an offered chain that is not
 * newer changes nothing.
 */
import { existsSync } from 'node:fs';
import { writeFileDurable } from '../common/durable-file.ts';
import { isP2PError } from '../common/errors.ts';
import { loadPublicKey } from '../crypto/key-files.ts';
import { advance, walkAnchor } from './advance.ts';
import { encodeChain, parseChain } from './chain.ts';
import { readChainFile } from './chain-file.ts';
import { legacyRoot } from './legacy.ts';
import type { SignedRoot, TrustedRoot } from './model.ts';
import { keepChain, resume, type Trusted } from './resume.ts';

export interface KeeperInit {
  /** The anchor chain file, or null for plain `trustedKeys`. */
  readonly root: string | null;
  readonly trustedKeys: readonly string[];
  /** Where the newest accepted chain is kept (in the process's own state dir). */
  readonly path: string;
  readonly mode: number;
  /** The caller's coded error: a persisted chain that does not verify, or a failed write. */
  readonly fail: (kind: 'corrupt' | 'io', message: string, cause: unknown) => Error;
}

async function anchorOf(init: Pick<KeeperInit, 'root' | 'trustedKeys'>): Promise<Trusted> {
  if (init.root === null)
    return { root: legacyRoot(await Promise.all(init.trustedKeys.map(loadPublicKey))), roots: [] };
  const { roots } = await readChainFile(init.root);
  return { root: await walkAnchor(roots), roots };
}

export class RootKeeper {
  private encoded: Uint8Array | null;

  private constructor(
    private t: Trusted,
    private readonly init: KeeperInit,
    private kept: boolean,
  ) {
    this.encoded = t.roots.length === 0 ? null : encodeChain(t.roots.map((r) => r.raw));
  }

  /** Reads the anchor and the persisted chain (nothing is written). */
  static async open(init: KeeperInit): Promise<RootKeeper> {
    const anchor = await anchorOf(init);
    try {
      const persisted = existsSync(init.path) ? (await readChainFile(init.path)).roots : null;
      const t = await resume(anchor, persisted);
      // The persisted chain counts (and is handed on) only if it is ahead of the anchor.
      return new RootKeeper(t, init, t !== anchor);
    } catch (e) {
      const why = isP2PError(e) ? `${e.code}: ${e.message}` : String(e);
      throw init.fail(
        'corrupt',
        `${init.path}: ${why} (refusing to start; the trusted root is never reset)`,
        e,
      );
    }
  }

  get root(): TrustedRoot {
    return this.t.root;
  }

  /** The root chain to spread: the last accepted, or the anchor's; null with plain keys only. */
  get chain(): Uint8Array | null {
    return this.encoded;
  }

  /** The persisted chain file, once it holds the trusted root (not when the anchor is newer). */
  get keptPath(): string | null {
    return this.kept ? this.init.path : null;
  }

  /** Walks a root chain from the trusted root; persists, then trusts, a newer root. Throws MetadataError. */
  async offer(raw: Uint8Array): Promise<{ readonly fresh: boolean; readonly version: number }> {
    const a = await advance(this.t.root, parseChain(raw));
    if (a.accepted.length === 0) return { fresh: false, version: this.t.root.body.version };
    const roots: SignedRoot[] = keepChain([...this.t.roots, ...a.accepted]);
    const encoded = encodeChain(roots.map((r) => r.raw));
    const { path, mode } = this.init;
    await writeFileDurable(path, encoded, mode).catch((e: unknown) => {
      throw this.init.fail('io', `${path}: cannot write (${(e as NodeJS.ErrnoException).code})`, e);
    });
    this.t = { root: a.root, roots };
    this.encoded = encoded;
    this.kept = true;
    return { fresh: true, version: a.root.body.version };
  }
}
