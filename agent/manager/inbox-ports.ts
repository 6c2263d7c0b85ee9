/** What the inbox (inbox.ts) needs from the manager, and what its file handlers share. */
import { stat } from 'node:fs/promises';
import type { Logger } from '../lib/common/logger.ts';
import type { Outcome } from './intake.ts';

/** An accepted update still waiting for its payload: its torrent and the signed facts. */
export interface AwaitedPayload {
  readonly torrent: Uint8Array;
  readonly length: number;
  readonly sha256: Uint8Array;
}

export interface InboxComponents {
  /** Intake: verify, decide, check and place a local payload (manager.submit). */
  readonly submit: (raw: Uint8Array, payload: string | undefined) => Promise<Outcome>;
  /** Accepted updates still without a payload (verified or downloading) named `name`. */
  readonly awaiting: (name: string) => Promise<readonly AwaitedPayload[]>;
  readonly log: Logger;
}

/** Given to a handler for one file. */
export interface InboxContext {
  readonly dir: string;
  readonly c: InboxComponents;
  /** Queues another look at `path` (a payload beside a torrent just taken). */
  readonly recheck: (path: string) => void;
}

/** Size of the regular file at `path`, or -1 (missing, or not a regular file). */
export async function regularSize(path: string): Promise<number> {
  return stat(path).then(
    (s) => (s.isFile() ? s.size : -1),
    () => -1,
  );
}
