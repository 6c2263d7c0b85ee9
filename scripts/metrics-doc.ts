/**
 * `npm run metrics:doc`: writes docs/metrics.md, the list of every metric each process
 * serves, from the processes' own registries (built on empty state), formatted by
 * prettier. test/metrics/doc.test.ts fails when the file is not current.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import type { Registry } from 'prom-client';
import { MAX_LABEL_VALUES, OTHER } from '../agent/lib/metrics/counter-view.ts';
import { Counters } from '../agent/lib/net/counters.ts';
import { EnrollMetrics } from '../agent/enroll-server/metrics.ts';
import { ManagerMetrics, MAX_URI_SERIES } from '../agent/manager/metrics.ts';
import { natmRegistry } from '../agent/natm/metrics.ts';
import { rendezvousRegistry } from '../agent/rendezvous/metrics.ts';

const EMPTY_CA = { requests: [], nodes: [], revoked: [], crlSeq: 0, autoSigned: 0, spentTokens: [] };

const REPO = fileURLToPath(new URL('../', import.meta.url));
export const DOC = 'docs/metrics.md';

/** Each process's registry, as its main.ts builds it, over empty state. */
export function registries(): [process: string, registry: Registry][] {
  const counters = new Counters();
  const none = () => [];
  return [
    [
      'natm',
      natmRegistry({
        counters,
        peers: none,
        rendezvous: none,
        members: none,
        pendingPunches: () => 0,
        udpSendErrors: () => 0,
        gossip: () => ({}),
      }),
    ],
    ['manager', new ManagerMetrics().registry],
    ['rendezvous', rendezvousRegistry({ counters, sessions: () => 0, namespaces: () => 0 })],
    ['enroll-server', new EnrollMetrics(() => EMPTY_CA).registry],
  ];
}

const HEAD = `# Metrics

natm, the manager, the rendezvous and the enroll-server serve Prometheus metrics over HTTP at \`GET /metrics\`
(text format 0.0.4), off unless their config has a \`metrics\` key:

\`\`\`json
"metrics": { "listen": "127.0.0.1:9464" }
\`\`\`

The address must be on loopback (127.x.x.x) unless \`"exposed": true\` is set too (a scraper
on another host; put a firewall in front). Each process has its own registry (no default
Node.js metrics) and its own port; the shipped example configs suggest 9464 (natm), 9465
(manager) and 9466 (rendezvous); the enroll-server's \`metrics\` is its own listener, apart
from the enrollment port. Config references: docs/config/.

**One source.** A metric is a view of what the process already keeps, read when scraped:
natm's and the rendezvous's counters are the ones \`p2p-update natm-stats\` prints (same
numbers), peers, rendezvous contact, sessions and per-URI versions and states come from the
live tables and the version store, the manager's byte counts from transmission-daemon's
\`session-stats\` (one call per scrape; \`p2pu_manager_transmission_up\` 0 when it fails), the
enroll-server's gauges from the CA state. Only the manager's intake, refusal and transition
counters, the deploy histogram and the enroll-server's answers are counted as they happen,
in one place each.

**Bounded labels.** No label names a peer, a source address, a request path or a
namespace; the only free-form values are the configured rendezvous servers (at most 8) and
the URIs of accepted updates. Packet types,
drop reasons and refusal codes come from code, and a family shows at most
${MAX_LABEL_VALUES} label values (the first seen); later ones add up under \`${OTHER}\`.
natm's and the rendezvous's counter tables keep at most 1024 names
(\`counter_names_overflow_total\` counts the rest). The manager's per-URI series cover the
first ${MAX_URI_SERIES} URIs by name (\`p2pu_manager_uris\` counts all), and a URI is in the
store only once an admin-signed update for it was accepted. test/metrics/cardinality.test.ts
sends 2,200 hostile senders and 10,000 URIs and checks the series count does not move.

This file is generated from the registries by \`npm run metrics:doc\`;
test/metrics/doc.test.ts fails when it is stale.
`;

const cell = (s: string) => s.replace(/\|/g, '\\|');

export async function metricsDoc(): Promise<string> {
  const parts = [HEAD];
  for (const [name, registry] of registries()) {
    const json = await registry.getMetricsAsJSON();
    const type = new Map(json.map((m) => [m.name, String(m.type)]));
    parts.push(`## ${name}\n\n| metric | type | labels | meaning |\n|---|---|---|---|`);
    for (const m of registry.getMetricsAsArray()) {
      const labels = ((m as unknown as { labelNames: string[] }).labelNames ?? []).join(', ');
      parts.push(`| \`${m.name}\` | ${type.get(m.name)} | ${labels} | ${cell(m.help)} |`);
    }
    parts.push('');
  }
  const text = parts.join('\n');
  const options = await prettier.resolveConfig(`${REPO}${DOC}`);
  return prettier.format(text, { ...options, filepath: `${REPO}${DOC}` });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(`${REPO}${DOC}`, await metricsDoc());
  console.log(`wrote ${DOC}`);
}
