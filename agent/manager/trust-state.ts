/**
 * The manager's root of trust (docs/adr/0003-root-of-trust.md): resumed at start from the
 * anchor in its config (`root`, or plain `trustedKeys`) and the chain it persisted in
 * stateDir/root.chain; advanced by root chains that arrive like updates (inbox, natm).
 * It keeps and spreads only roots it verified, and writes them durably before it trusts
 * them. Never goes back: a persisted chain that does not verify stops start-up.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurable } from '../lib/common/durable-file.ts';
import { isP2PError } from '../lib/common/errors.ts';
import { loadPublicKey } from '../lib/crypto/key-files.ts';
import { advance, walkAnchor } from '../lib/trust/advance.ts';
import { encodeChain, parseChain } from '../lib/trust/chain.ts';
import { readChainFile } from '../lib/trust/chain-file.ts';
import { legacyRoot } from '../lib/trust/legacy.ts';
import type { SignedRoot, TrustedRoot } from '../lib/trust/model.ts';
import { keepChain, resume, type Trusted } from '../lib/trust/resume.ts';
import type { ManagerConfig } from './config.ts';
import { StoreError } from './store-error.ts';
import type { TrustPort } from './ports.ts';

export const rootChainPath = (stateDir: string): string => join(stateDir, 'root.chain');

async function anchorOf(config: Pick<ManagerConfig, 'root' | 'trustedKeys'>): Promise<Trusted> {
  if (config.root === null)
    return { root: legacyRoot(await Promise.all(config.trustedKeys.map(loadPublicKey))), roots: [] };
  const { roots } = await readChainFile(config.root);
  return { root: await walkAnchor(roots), roots };
}

export class TrustState implements TrustPort {
  private encoded: Uint8Array | null;

  private constructor(
    private t: Trusted,
    private readonly path: string,
  ) {
    this.encoded = t.roots.length === 0 ? null : encodeChain(t.roots.map((r) => r.raw));
  }

  /** Reads the anchor and the persisted chain (nothing is written). */
  static async open(config: Pick<ManagerConfig, 'root' | 'trustedKeys' | 'stateDir'>): Promise<TrustState> {
    const path = rootChainPath(config.stateDir);
    const anchor = await anchorOf(config);
    try {
      const persisted = existsSync(path) ? (await readChainFile(path)).roots : null;
      return new TrustState(await resume(anchor, persisted), path);
    } catch (e) {
      const why = isP2PError(e) ? `${e.code}: ${e.message}` : String(e);
      throw new StoreError(
        'STORE_CORRUPT',
        `${path}: ${why} (refusing to start; the trusted root is never reset)`,
        {
          cause: e,
        },
      );
    }
  }

  get root(): TrustedRoot {
    return this.t.root;
  }

  get chain(): Uint8Array | null {
    return this.encoded;
  }

  async offer(raw: Uint8Array): Promise<{ readonly fresh: boolean; readonly version: number }> {
    const a = await advance(this.t.root, parseChain(raw));
    if (a.accepted.length === 0) return { fresh: false, version: this.t.root.body.version };
    const roots: SignedRoot[] = keepChain([...this.t.roots, ...a.accepted]);
    const encoded = encodeChain(roots.map((r) => r.raw));
    await writeFileDurable(this.path, encoded, 0o644).catch((e: unknown) => {
      throw new StoreError('STORE_IO', `${this.path}: cannot write (${(e as NodeJS.ErrnoException).code})`, {
        cause: e,
      });
    });
    this.t = { root: a.root, roots };
    this.encoded = encoded;
    return { fresh: true, version: a.root.body.version };
  }
}
