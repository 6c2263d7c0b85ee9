/** Where a bench writes its JSON and SVG: bench/out/<name>-<UTC stamp>.{json,svg}. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OUT_DIR = fileURLToPath(new URL('../out/', import.meta.url));

export function stamp(d = new Date()): string {
  return d
    .toISOString()
    .replace(/[:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

export function writeOut(dir: string, base: string, files: Record<string, string>): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(files).map(([ext, text]) => {
    const p = join(dir, `${base}.${ext}`);
    writeFileSync(p, text);
    return p;
  });
}
