/**
 * Test helper: a strict reader of the Prometheus text format (0.0.4) as scraped. Every
 * sample line must parse and belong to a family announced by `# HELP` and `# TYPE`;
 * anything else throws, so a malformed exposition fails the test that reads it.
 */
export interface Family {
  readonly type: string;
  readonly help: string;
  readonly samples: { name: string; labels: Record<string, string>; value: number }[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/gy;
const SUFFIX = /_(bucket|sum|count)$/;

function labelsOf(text: string | undefined, line: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  LABEL.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (LABEL.lastIndex < text.length && (m = LABEL.exec(text)))
    out[m[1]!] = m[2]!.replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
  if (LABEL.lastIndex !== text.length) throw new Error(`bad labels in: ${line}`);
  return out;
}

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const help = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'HELP') help.set(meta[2]!, meta[3]!);
      else families.set(meta[2]!, { type: meta[3]!, help: help.get(meta[2]!) ?? '', samples: [] });
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const name = m[1]!;
    const family = families.get(name) ?? families.get(name.replace(SUFFIX, ''));
    if (!family) throw new Error(`sample of no announced family: ${line}`);
    const value = Number(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') throw new Error(`bad value: ${line}`);
    family.samples.push({ name, labels: labelsOf(m[2], line), value });
  }
  return families;
}

/** The value of the one sample of `family` whose labels include `labels`. */
export function sample(families: Map<string, Family>, family: string, labels: Record<string, string> = {}) {
  const f = families.get(family);
  if (!f) throw new Error(`no family ${family}`);
  const hits = f.samples.filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length !== 1) throw new Error(`${hits.length} samples of ${family} ${JSON.stringify(labels)}`);
  return hits[0]!.value;
}
