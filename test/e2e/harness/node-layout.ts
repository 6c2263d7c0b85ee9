/** Where each node of a cluster keeps its files (one directory per node in the run dir). */
import { join } from 'node:path';
import type { NodeName } from './plan.ts';

export interface NodeLayout {
  readonly dir: string;
  readonly trDir: string;
  readonly downloadDir: string;
  readonly stateDir: string;
  readonly inboxDir: string;
  readonly deployDir: string;
  /** The enroll state dir (`p2p-update enroll --dir`): keys, node.cert, ca.pub, crl.bin; natm's identityDir. */
  readonly identityDir: string;
  /** natm's revocation-notice drop box (its default, IDENTITY_DIR/notices). */
  readonly noticesDir: string;
  readonly managerConfig: string;
  /** The deploy executor's config, state dir and socket. */
  readonly deployConfig: string;
  readonly executorDir: string;
  readonly executorSocket: string;
  readonly natmConfig: string;
  readonly natmSocket: string;
  readonly statsSocket: string;
}

export function nodeLayout(runDir: string, name: NodeName): NodeLayout {
  const dir = join(runDir, name);
  return {
    dir,
    trDir: join(dir, 'transmission'),
    downloadDir: join(dir, 'transmission', 'dl'),
    stateDir: join(dir, 'state'),
    inboxDir: join(dir, 'inbox'),
    deployDir: join(dir, 'deployed'),
    identityDir: join(dir, 'identity'),
    noticesDir: join(dir, 'identity', 'notices'),
    managerConfig: join(dir, 'manager.json'),
    deployConfig: join(dir, 'deploy.json'),
    executorDir: join(dir, 'executor'),
    executorSocket: join(dir, 'executor.sock'),
    natmConfig: join(dir, 'natm.json'),
    natmSocket: join(dir, 'natm.sock'),
    statsSocket: join(dir, 'natm-stats.sock'),
  };
}
