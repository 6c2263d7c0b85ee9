/**
 * Writes the package's machine-readable debian/copyright: the project's own licence plus
 * every npm package esbuild put into the bundle (read from esbuild's metafile), so the
 * file always matches what ships. Usage: copyright.ts METAFILE... > copyright
 */
import { readFileSync } from 'node:fs';
import { MIT, ISC } from './licenses.ts';

interface Bundled {
  readonly name: string;
  readonly version: string;
  /** Short name used in License: fields. */
  readonly license: string;
  /** What the package.json says, shown in the list. */
  readonly declared: string;
  readonly licenseText?: string;
}

const COMMON = new Set(['Apache-2.0', 'BSD-3-Clause', 'BSD-2-Clause', 'MPL-2.0', 'GPL-2', 'GPL-3']);

function bundled(metafiles: string[]): Bundled[] {
  const names = new Set<string>();
  for (const file of metafiles) {
    const meta = JSON.parse(readFileSync(file, 'utf8')) as { inputs: Record<string, unknown> };
    for (const input of Object.keys(meta.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      if (m?.[1]) names.add(m[1]);
    }
  }
  return [...names].sort().map((name) => {
    const pkg = JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as Record<
      string,
      unknown
    >;
    const license = typeof pkg['license'] === 'string' ? pkg['license'] : 'UNKNOWN';
    if (license === 'MIT' || license === 'ISC' || COMMON.has(license)) {
      return { name, version: String(pkg['version']), license, declared: license };
    }
    const text = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'COPYING']
      .map((f) => `node_modules/${name}/${f}`)
      .map((p) => {
        try {
          return readFileSync(p, 'utf8');
        } catch {
          return undefined;
        }
      })
      .find((t) => t !== undefined);
    if (!text) throw new Error(`bundled package ${name} has licence "${license}" and no LICENSE file`);
    const short = `other-${name.replace(/[^A-Za-z0-9.]+/g, '-')}`;
    return { name, version: String(pkg['version']), license: short, declared: license, licenseText: text };
  });
}

const indent = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => (l.trim() === '' ? ' .' : ` ${l}`))
    .join('\n');

function render(deps: Bundled[]): string {
  const licenses = [...new Set(['MIT', ...deps.map((d) => d.license)])].sort();
  const out = [
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
    'Upstream-Name: p2p-update',
    '',
    'Files: *',
    'Copyright: 2026 p2p-update contributors',
    'License: MIT',
    '',
    'Files: usr/lib/p2p-update/*',
    'Copyright: 2026 p2p-update contributors, and the authors of the bundled npm packages',
    `License: ${licenses.join(' and ')}`,
    'Comment: The JavaScript under /usr/lib/p2p-update is bundled with esbuild and',
    ' contains these npm packages (name version licence):',
    ...deps.map((d) => ` ${d.name} ${d.version} ${d.declared}`),
  ];
  for (const license of licenses) {
    out.push('', `License: ${license}`);
    if (license === 'MIT') out.push(indent(MIT));
    else if (license === 'ISC') out.push(indent(ISC));
    else if (COMMON.has(license)) out.push(` See /usr/share/common-licenses/${license}.`);
    else out.push(indent(deps.find((d) => d.license === license)?.licenseText ?? ''));
  }
  return out.join('\n') + '\n';
}

process.stdout.write(render(bundled(process.argv.slice(2))));
