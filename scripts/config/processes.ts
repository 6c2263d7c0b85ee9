/**
 * Every process config: its zod schema (the one definition), where its generated editor
 * schema and reference go, and the annotated example that ships. `npm run config:schema`
 * writes the generated files; test/config/schemas.test.ts checks they are current.
 */
import type { z } from 'zod';
import { executorSchema } from '../../agent/deploy-executor/config.ts';
import { enrollServerSchema } from '../../agent/enroll-server/config.ts';
import { managerSchema } from '../../agent/manager/config.ts';
import { natmSchema } from '../../agent/natm/config.ts';
import { rendezvousSchema } from '../../agent/rendezvous/config.ts';

export interface ProcessConfig {
  readonly name: string;
  readonly source: string;
  readonly schema: z.ZodType;
}

export const PROCESS_CONFIGS: readonly ProcessConfig[] = [
  { name: 'manager', source: 'agent/manager/config.ts', schema: managerSchema },
  { name: 'natm', source: 'agent/natm/config.ts', schema: natmSchema },
  { name: 'rendezvous', source: 'agent/rendezvous/config.ts', schema: rendezvousSchema },
  { name: 'enroll-server', source: 'agent/enroll-server/config.ts', schema: enrollServerSchema() },
  { name: 'deploy', source: 'agent/deploy-executor/config.ts', schema: executorSchema },
];

export const paths = (name: string) => ({
  schema: `docs/config/${name}.schema.json`,
  reference: `docs/config/${name}.md`,
  example: `docs/config/${name}.example.json`,
});
