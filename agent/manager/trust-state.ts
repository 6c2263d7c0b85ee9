/**
 * The manager's root of trust (docs/adr/0003-root-of-trust.md): a RootKeeper over the
 * anchor in its config and stateDir/root.chain, which it persists, relays and hands to
 * the deploy executor with each deploy. A chain that does not verify is a corrupt store.
 */
import { join } from 'node:path';
import { RootKeeper } from '../lib/trust/root-keeper.ts';
import type { ManagerConfig } from './config.ts';
import { StoreError } from './store-error.ts';

export const rootChainPath = (stateDir: string): string => join(stateDir, 'root.chain');

export type TrustState = RootKeeper;

export const TrustState = {
  open: (config: Pick<ManagerConfig, 'root' | 'trustedKeys' | 'stateDir'>): Promise<RootKeeper> =>
    RootKeeper.open({
      root: config.root,
      trustedKeys: config.trustedKeys,
      path: rootChainPath(config.stateDir),
      // Readable by the executor (root) and by anyone relaying it: it holds no secret.
      mode: 0o644,
      fail: (kind, message, cause) =>
        new StoreError(kind === 'corrupt' ? 'STORE_CORRUPT' : 'STORE_IO', message, { cause }),
    }),
};
