/**
 * `npm run config:schema`: writes, for every process config, the editor JSON Schema
 * (docs/config/<process>.schema.json) and the Markdown reference (docs/config/<process>.md)
 * from its zod schema, formatted by prettier. test/config/schemas.test.ts fails when they
 * are not current.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import { configJsonSchema } from '../agent/lib/config/json-schema.ts';
import { paths, PROCESS_CONFIGS } from './config/processes.ts';
import { referenceMarkdown } from './config/reference.ts';

export const REPO = fileURLToPath(new URL('../', import.meta.url));

async function pretty(path: string, text: string): Promise<string> {
  const options = await prettier.resolveConfig(`${REPO}${path}`);
  return prettier.format(text, { ...options, filepath: `${REPO}${path}` });
}

/** Repo path → the text it should hold. */
export async function generated(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const p of PROCESS_CONFIGS) {
    const js = configJsonSchema(p.schema, `p2p-update ${p.name} configuration`);
    const { schema, reference } = paths(p.name);
    files.set(schema, await pretty(schema, JSON.stringify(js, null, 2)));
    files.set(reference, await pretty(reference, referenceMarkdown(p.name, p.source, js)));
  }
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [path, text] of await generated()) {
    writeFileSync(`${REPO}${path}`, text);
    console.log(`wrote ${path}`);
  }
}
