/**
 * The admin web page, server-rendered HTML: no script, one small stylesheet, every form a
 * plain POST carrying the session's CSRF token. Pure: data in, HTML string out.
 */
import type { CaState, RequestRecord } from '../lib/ca/ca-state.ts';

export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const when = (s: number) => new Date(s * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

export const STYLE = `body{font:16px/1.4 system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#111}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ccc;vertical-align:middle}
code{font-size:.9rem}form.inline{display:inline}button{font:inherit;padding:.2rem .7rem;cursor:pointer}
.ok{background:#e6f4ea;border:1px solid #0a7d2c}.danger{background:#fde8e8;border:1px solid #b00020}
.note{padding:.5rem;border-left:4px solid #0a58ca;background:#eef4ff}.err{border-left-color:#b00020;background:#fde8e8}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
label{display:block;margin:.5rem 0 .2rem}header{display:flex;justify-content:space-between;align-items:center}`;

/** Text for screen readers only: tells identical buttons in a table apart. */
const sr = (nodeId: string) => `<span class="sr"> node ${esc(nodeId.slice(0, 8))}</span>`;

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>
<link rel="stylesheet" href="/admin/style.css"></head><body>${body}</body></html>`;
}

export function loginPage(cluster: string, error?: string): string {
  const err = error ? `<p class="note err" role="alert">${esc(error)}</p>` : '';
  return layout(
    `Sign in — ${cluster}`,
    `<main><h1>p2p-update enrollment: cluster <code>${esc(cluster)}</code></h1>${err}
<form method="post" action="/admin/login"><label for="password">Admin password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button></form></main>`,
  );
}

function button(
  action: string,
  csrf: string,
  field: string,
  value: string,
  label: string,
  cls: string,
): string {
  return `<form class="inline" method="post" action="${action}"><input type="hidden" name="csrf" value="${esc(csrf)}">
<input type="hidden" name="${field}" value="${esc(value)}"><button type="submit" class="${cls}">${label}</button></form>`;
}

export interface DashboardView {
  readonly cluster: string;
  readonly caKeyId: string;
  readonly policy: string;
  readonly state: Readonly<CaState>;
  readonly csrf: string;
  readonly flash?: string;
}

function table(caption: string, head: string[], rows: string[], empty: string): string {
  if (rows.length === 0) return `<h2>${caption}</h2><p>${empty}</p>`;
  const th = head.map((h) => `<th scope="col">${h}</th>`).join('');
  return `<h2>${caption}</h2><table><thead><tr>${th}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function dashboardPage(v: DashboardView): string {
  const s = v.state;
  const revoked = new Set(s.revoked.map((r) => r.nodeId));
  const pending = s.requests.filter((r) => r.status === 'pending');
  const pend = pending.map(
    (r: RequestRecord) =>
      `<tr><td><code>${esc(r.nodeId)}</code></td><td>${esc(r.owner)}</td><td>${esc(r.token)}</td><td>${when(r.receivedAt)}</td><td>` +
      button('/admin/approve', v.csrf, 'id', r.id, `Approve${sr(r.nodeId)}`, 'ok') +
      ' ' +
      button('/admin/reject', v.csrf, 'id', r.id, `Reject${sr(r.nodeId)}`, 'danger') +
      '</td></tr>',
  );
  const nodes = s.nodes
    .filter((n) => !revoked.has(n.nodeId))
    .map(
      (n) =>
        `<tr><td><code>${esc(n.nodeId)}</code></td><td>${esc(n.owner)}</td><td>${when(n.issuedAt)}</td><td>${when(n.expires)}</td><td>` +
        button('/admin/revoke', v.csrf, 'nodeId', n.nodeId, `Revoke…${sr(n.nodeId)}`, 'danger') +
        '</td></tr>',
    );
  const ownerOf = new Map(s.nodes.map((n) => [n.nodeId, n.owner]));
  const rev = s.revoked.map(
    (r) =>
      `<tr><td><code>${esc(r.nodeId)}</code></td><td>${esc(ownerOf.get(r.nodeId) ?? '')}</td><td>${when(r.at)}</td></tr>`,
  );
  const flash = v.flash ? `<p class="note" role="status">${esc(v.flash)}</p>` : '';
  return layout(
    `Enrollment — ${v.cluster}`,
    `<header><h1>Cluster <code>${esc(v.cluster)}</code></h1>${button('/admin/logout', v.csrf, 'x', '1', 'Sign out', '')}</header>
<main>${flash}<p>CA key <code>${esc(v.caKeyId)}</code> · policy <strong>${esc(v.policy)}</strong> · revocation list seq ${s.crlSeq}</p>
${table(`Pending requests (${pending.length})`, ['Node id', 'Owner', 'Token', 'Received', 'Decision'], pend, 'No request is waiting.')}
${table(`Enrolled nodes (${nodes.length})`, ['Node id', 'Owner', 'Issued', 'Expires', ''], nodes, 'No node is enrolled yet.')}
${table(`Revoked nodes (${rev.length})`, ['Node id', 'Owner', 'Revoked'], rev, 'No node is revoked.')}</main>`,
  );
}

export function confirmRevokePage(nodeId: string, owner: string, csrf: string): string {
  return layout(
    'Confirm revocation',
    `<main><h1>Revoke node <code>${esc(nodeId)}</code>?</h1><p>Owner: ${esc(owner)}. The node will be cut off from the
cluster at once and cannot be enrolled again with the same keys. This cannot be undone.</p>
<form method="post" action="/admin/revoke"><input type="hidden" name="csrf" value="${esc(csrf)}">
<input type="hidden" name="nodeId" value="${esc(nodeId)}"><input type="hidden" name="confirm" value="yes">
<button type="submit" class="danger">Revoke this node</button> <a href="/admin">Cancel</a></form></main>`,
  );
}
