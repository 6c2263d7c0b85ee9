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
  readonly managerConfig: string;
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
    managerConfig: join(dir, 'manager.json'),
    natmConfig: join(dir, 'natm.json'),
    natmSocket: join(dir, 'natm.sock'),
    statsSocket: join(dir, 'natm-stats.sock'),
  };
}
