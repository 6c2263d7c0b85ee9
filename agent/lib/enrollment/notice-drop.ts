/**
 * Drops a CA-signed revocation notice into the notices dir of a natm running on the
 * admin's or enrollment host (docs/security.md §Revocation), so the revocation reaches
 * the fleet by gossip in seconds instead of at the next CRL refresh. The file is written
 * atomically (durable-file.ts: a hidden `.NAME.*.tmp`, then a rename) as `NODEID.revoke`,
 * the name and format NoticeDir (notice-dir.ts) scans for and the name it keeps heard
 * notices under. Each dir must already exist: a mistyped path must not silently become a
 * dir nobody watches. Never throws for a dir: failures are returned, one per dir.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isNodeId } from '../membership/node-id.ts';
import { EnrollError } from './errors.ts';
import { writeFileAtomic } from './json-file.ts';
import { MAX_NOTICE_FILE } from './notice-dir.ts';

export interface DropFailure {
  readonly dir: string;
  /** errno code (ENOENT, EACCES, ENOTDIR...) or a short reason. */
  readonly reason: string;
}

export interface Dropped {
  /** Paths of the notice files written. */
  readonly written: string[];
  readonly failed: DropFailure[];
}

export async function dropNotice(
  dirs: readonly string[],
  nodeId: string,
  notice: Uint8Array,
): Promise<Dropped> {
  if (!isNodeId(nodeId)) throw new EnrollError('BAD_REQUEST', `"${nodeId}" is not a node id (32 hex digits)`);
  if (notice.length === 0 || notice.length > MAX_NOTICE_FILE)
    throw new EnrollError('BAD_REQUEST', `a revocation notice of ${notice.length} bytes cannot be dropped`);
  const written: string[] = [];
  const failed: DropFailure[] = [];
  for (const dir of [...new Set(dirs.map((d) => resolve(d)))]) {
    try {
      if (!(await stat(dir)).isDirectory()) {
        failed.push({ dir, reason: 'ENOTDIR' });
        continue;
      }
      const path = join(dir, `${nodeId}.revoke`);
      await writeFileAtomic(path, notice, 0o644);
      written.push(path);
    } catch (e) {
      failed.push({ dir, reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
    }
  }
  return { written, failed };
}

/** One line: the node is revoked all the same; which dirs did not get the notice and why. */
export function dropFailureMessage(
  nodeId: string,
  failed: readonly DropFailure[],
  noticePath: string,
): string {
  const where = failed.map((f) => `${f.dir} (${f.reason})`).join(', ');
  return (
    `node ${nodeId} is revoked (recorded in the CA), but its notice could not be written to ${where}; ` +
    `copy ${noticePath} there by hand`
  );
}
