/** Config file bytes → JSON, or a ConfigError saying where the file stops being JSON. */
import { ConfigError } from '../common/errors.ts';

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

export function parseJsonText(text: string, path: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (cause) {
    const msg = (cause as Error).message;
    const at = /at position (\d+)/.exec(msg);
    const offset = at ? Number(at[1]) : /end of JSON input/.test(msg) ? text.length : undefined;
    const where =
      offset === undefined ? '' : ((p) => ` at line ${p.line} column ${p.column}`)(lineColumn(text, offset));
    const why = msg.replace(/ in JSON at position \d+.*$/, '').replace(/\s+/g, ' ');
    throw new ConfigError(`config file ${path}: not valid JSON${where} (${why})`, { cause });
  }
}
