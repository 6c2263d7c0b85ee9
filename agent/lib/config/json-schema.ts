/**
 * The JSON Schema of a config, for editors (docs/config/<process>.schema.json, written by
 * `npm run config:schema`): zod's own conversion of the file format (input side: keys
 * with defaults are optional), plus the `$comment` key every object accepts (comments.ts).
 */
import * as z from 'zod';
import { COMMENT_JSON_SCHEMA, COMMENT_KEY } from './comments.ts';

type Node = { [k: string]: unknown };

const COMMENT_REF = { $ref: '#/$defs/comment' };

function allowComments(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(allowComments);
  if (typeof node !== 'object' || node === null) return;
  const n = node as Node;
  for (const v of Object.values(n)) allowComments(v);
  if (n['type'] !== 'object') return;
  if (n['propertyNames'] !== undefined)
    n['propertyNames'] = { anyOf: [{ const: COMMENT_KEY }, n['propertyNames']] };
  n['properties'] = { [COMMENT_KEY]: COMMENT_REF, ...((n['properties'] as Node) ?? {}) };
}

export function configJsonSchema(schema: z.ZodType, title: string): Node {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' }) as Node;
  allowComments(js);
  const { $schema, description, $defs, ...rest } = js;
  return {
    $schema,
    title,
    description,
    ...rest,
    $defs: { ...($defs as Node), comment: COMMENT_JSON_SCHEMA },
  };
}
