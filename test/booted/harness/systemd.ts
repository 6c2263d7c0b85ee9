/**
 * Reading systemd inside a booted container: a unit's properties (`systemctl show`), and
 * what a service itself wrote to the journal (`journalctl -o json`, only entries from the
 * service's own processes, each MESSAGE parsed as JSON where it is: pino lines).
 */
import type { Container } from './container.ts';
import { waitUntil } from '../../e2e/harness/wait.ts';

const PROPS = [
  'LoadState',
  'ActiveState',
  'SubState',
  'UnitFileState',
  'NRestarts',
  'MainPID',
  'InvocationID',
];

export type UnitProps = Readonly<Record<string, string>>;

export async function unitProps(c: Container, unit: string): Promise<UnitProps> {
  const out = await c.must(['systemctl', 'show', unit, ...PROPS.map((p) => `--property=${p}`)]);
  return Object.fromEntries(
    out
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

export interface JournalLine {
  readonly message: string;
  /** MESSAGE parsed as a JSON object, or undefined when it is not one. */
  readonly json: Record<string, unknown> | undefined;
  readonly invocation: string;
}

/** Lines the service's processes wrote (not systemd's own messages about the unit). */
export async function serviceLines(c: Container, unit: string): Promise<JournalLine[]> {
  const out = await c.must([
    'journalctl',
    '-u',
    unit,
    '-o',
    'json',
    '--no-pager',
    '--output-fields=MESSAGE,_SYSTEMD_UNIT,_SYSTEMD_INVOCATION_ID,_PID',
  ]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e['_SYSTEMD_UNIT'] === unit && e['_PID'] !== '1')
    .map((e) => {
      const message = typeof e['MESSAGE'] === 'string' ? e['MESSAGE'] : '';
      return { message, json: parseObject(message), invocation: String(e['_SYSTEMD_INVOCATION_ID'] ?? '') };
    });
}

function parseObject(s: string): Record<string, unknown> | undefined {
  if (!s.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(s) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Waits until the service wrote a line matching `re`; returns that line. */
export async function waitForLine(
  c: Container,
  unit: string,
  re: RegExp,
  timeoutMs = 30_000,
): Promise<string> {
  let found = '';
  await waitUntil(
    `${c.name}: a line of ${unit} matching ${re}`,
    async () => {
      found = (await serviceLines(c, unit)).find((l) => re.test(l.message))?.message ?? '';
      return found !== '';
    },
    timeoutMs,
    250,
  );
  return found;
}
