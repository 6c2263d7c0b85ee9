/**
 * The executor's durable record, stateDir/record.json (root-owned, 0600): what it has
 * deployed, written atomically with fsync (durable-file.ts) before anything acts on it.
 * A record that cannot be read or does not validate stops start-up: it is never reset,
 * since that would lower the anti-rollback floor.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { writeFileDurable } from '../lib/common/durable-file.ts';
import { P2PError } from '../lib/common/errors.ts';
import { EMPTY_RECORD, type DeployRecord } from './record-rules.ts';

export class RecordError extends P2PError {
  readonly code = 'RECORD_IO';
}

const ref = { version: z.int().min(0), infoHash: z.string().regex(/^[0-9a-f]{40}$/) };
const schema = z.strictObject({
  schema: z.literal(1),
  uris: z.record(
    z.string(),
    z.strictObject({
      floor: z.strictObject(ref).nullable(),
      applied: z
        .strictObject({ ...ref, at: z.int(), health: z.enum(['checking', 'ok', 'failed']).optional() })
        .nullable(),
      previous: z.strictObject(ref).nullable(),
      // Absent in records written before rollbacks (issue 18).
      rolledBack: z.strictObject(ref).nullable().optional(),
      running: z
        .strictObject({
          ...ref,
          startedAt: z.int(),
          rollback: z.boolean().optional(),
          file: z.string(),
          pgid: z.int().min(1).nullable(),
          unit: z.string().nullable(),
        })
        .nullable(),
    }),
  ),
});

export class RecordFile {
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private current: DeployRecord,
  ) {}

  static async open(stateDir: string): Promise<RecordFile> {
    const path = join(stateDir, 'record.json');
    let text: string | null;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new RecordError(`record ${path}: cannot read (${(e as NodeJS.ErrnoException).code})`);
      text = null;
    }
    if (text === null) return new RecordFile(path, EMPTY_RECORD);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new RecordError(`record ${path}: not valid JSON (refusing to start; it is never reset)`);
    }
    const r = schema.safeParse(json);
    if (!r.success)
      throw new RecordError(
        `record ${path}: ${r.error.issues[0]!.message} (refusing to start; it is never reset)`,
      );
    return new RecordFile(path, r.data);
  }

  get data(): DeployRecord {
    return this.current;
  }

  /** Applies `fn` and writes the result before resolving; calls are serialised. */
  update(fn: (d: DeployRecord) => DeployRecord): Promise<DeployRecord> {
    const run = async (): Promise<DeployRecord> => {
      const next = fn(this.current);
      if (next === this.current) return next;
      try {
        await writeFileDurable(this.path, `${JSON.stringify(next, null, 1)}\n`, 0o600);
      } catch (e) {
        throw new RecordError(
          `record ${this.path}: cannot write (${(e as NodeJS.ErrnoException).code ?? e})`,
        );
      }
      this.current = next;
      return next;
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }
}
