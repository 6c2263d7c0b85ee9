/**
 * A hand-written SVG line/step chart (pure: data in, SVG text out; no dependency).
 * Used for "nodes done over time" plots: one step series per system, vertical dashed
 * markers for reference times (T_min, N·F/u_s).
 */
export interface Series {
  readonly label: string;
  readonly color: string;
  readonly points: ReadonlyArray<readonly [x: number, y: number]>;
  /** Draw as a staircase (value holds until the next point). */
  readonly step?: boolean;
}

export interface Marker {
  readonly label: string;
  readonly x: number;
  readonly color?: string;
}

export interface Chart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly markers?: readonly Marker[];
  readonly width?: number;
  readonly height?: number;
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f1 = (x: number) => (Math.round(x * 10) / 10).toString();

/** A "nice" tick step (1, 2 or 5 × 10^k) giving about `count` ticks over `span`. */
export function niceStep(span: number, count = 6): number {
  if (!(span > 0)) return 1;
  const raw = span / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p) as number;
}

export function renderChart(c: Chart): string {
  const W = c.width ?? 720;
  const H = c.height ?? 420;
  const m = { l: 60, r: 20, t: 56, b: 50 };
  const xs = [...c.series.flatMap((s) => s.points.map((p) => p[0])), ...(c.markers ?? []).map((k) => k.x)];
  const ys = c.series.flatMap((s) => s.points.map((p) => p[1]));
  const xMax = Math.max(1e-9, ...xs.filter(Number.isFinite)) * 1.05;
  const yTop = Math.max(1e-9, ...ys.filter(Number.isFinite));
  const yStep = niceStep(yTop, 5);
  const yMax = Math.ceil(yTop / yStep - 1e-9) * yStep;
  const sx = (x: number) => m.l + (x / xMax) * (W - m.l - m.r);
  const sy = (y: number) => H - m.b - (y / yMax) * (H - m.t - m.b);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(c.title)}</text>`,
  ];
  const xStep = niceStep(xMax);
  for (let x = 0; x <= xMax; x += xStep)
    out.push(
      `<line x1="${f1(sx(x))}" y1="${H - m.b}" x2="${f1(sx(x))}" y2="${m.t}" stroke="#eee"/>`,
      `<text x="${f1(sx(x))}" y="${H - m.b + 16}" text-anchor="middle">${f1(x)}</text>`,
    );
  for (let y = 0; y <= yMax + 1e-9; y += yStep)
    out.push(
      `<line x1="${m.l}" y1="${f1(sy(y))}" x2="${W - m.r}" y2="${f1(sy(y))}" stroke="#eee"/>`,
      `<text x="${m.l - 6}" y="${f1(sy(y) + 4)}" text-anchor="end">${f1(y)}</text>`,
    );
  out.push(
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="black"/>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${m.l}" y2="${m.t}" stroke="black"/>`,
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle">${esc(c.xLabel)}</text>`,
    `<text x="16" y="${(m.t + H - m.b) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(m.t + H - m.b) / 2})">${esc(c.yLabel)}</text>`,
  );
  for (const [i, k] of (c.markers ?? []).entries()) {
    const color = k.color ?? '#555';
    const right = sx(k.x) > m.l + 0.7 * (W - m.l - m.r);
    out.push(
      `<line x1="${f1(sx(k.x))}" y1="${H - m.b}" x2="${f1(sx(k.x))}" y2="${m.t}" stroke="${color}" stroke-dasharray="5,4"/>`,
      `<text x="${f1(sx(k.x) + (right ? -4 : 4))}" y="${m.t + 14 + 14 * i}" fill="${color}"${right ? ' text-anchor="end"' : ''}>${esc(k.label)}</text>`,
    );
  }
  let lx = m.l;
  for (const s of c.series) {
    out.push(`<path d="${pathOf(s, sx, sy)}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    out.push(
      `<line x1="${lx}" y1="38" x2="${lx + 20}" y2="38" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${lx + 25}" y="42">${esc(s.label)}</text>`,
    );
    lx += 40 + 7 * s.label.length;
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function pathOf(s: Series, sx: (x: number) => number, sy: (y: number) => number): string {
  const pts = s.points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
  const d: string[] = [];
  pts.forEach(([x, y], i) => {
    if (i === 0) d.push(`M${f1(sx(x))},${f1(sy(y))}`);
    else {
      if (s.step) d.push(`H${f1(sx(x))}`);
      d.push(`${s.step ? 'V' : 'L'}${s.step ? f1(sy(y)) : `${f1(sx(x))},${f1(sy(y))}`}`);
    }
  });
  return d.join(' ');
}

/** Step points of "nodes done by time t" from completion times (seconds). */
export function completionSteps(times: readonly number[]): Array<[number, number]> {
  const s = [...times].filter(Number.isFinite).sort((a, b) => a - b);
  return [[0, 0], ...s.map((t, i): [number, number] => [t, i + 1])];
}
