/** docs/metrics.md lists every metric of every process: it is what `npm run metrics:doc` writes from the registries. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DOC, metricsDoc, registries } from '../../scripts/metrics-doc.ts';

test('docs/metrics.md is current and names every registered metric', async () => {
  const text = readFileSync(new URL(`../../${DOC}`, import.meta.url), 'utf8');
  assert.equal(text, await metricsDoc(), `${DOC} is stale: run npm run metrics:doc`);
  const names = registries().flatMap(([, r]) => r.getMetricsAsArray().map((m) => m.name));
  assert.ok(names.length > 20);
  for (const name of names) assert.ok(text.includes(`\`${name}\``), name);
});
