/**
 * A hand-written SVG grouped bar chart (pure: data in, SVG text out; no dependency): one
 * group per category, one bar per series, value printed on each bar, optional limit line.
 */
export interface BarSeries {
  readonly label: string;
  readonly color: string;
  /** One value per category (NaN: no bar). */
  readonly values: readonly number[];
}

export interface BarChart {
  readonly title: string;
  readonly yLabel: string;
  readonly categories: readonly string[];
  readonly series: readonly BarSeries[];
  readonly limit?: { readonly label: string; readonly y: number };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f1 = (x: number) => (Math.round(x * 10) / 10).toString();

export function renderBars(c: BarChart): string {
  const W = Math.max(480, 90 * c.categories.length + 100);
  const H = 420;
  const m = { l: 64, r: 16, t: 56, b: 90 };
  const ys = [...c.series.flatMap((s) => s.values.filter(Number.isFinite)), c.limit?.y ?? 0];
  const yMax = Math.max(1e-9, ...ys) * 1.1;
  const sy = (y: number) => H - m.b - (y / yMax) * (H - m.t - m.b);
  const gw = (W - m.l - m.r) / Math.max(1, c.categories.length);
  const bw = (gw * 0.8) / Math.max(1, c.series.length);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(c.title)}</text>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="black"/>`,
    `<text x="14" y="${(m.t + H - m.b) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(m.t + H - m.b) / 2})">${esc(c.yLabel)}</text>`,
  ];
  c.categories.forEach((cat, i) => {
    const x0 = m.l + i * gw + gw * 0.1;
    const cx = m.l + (i + 0.5) * gw;
    out.push(
      `<text x="${f1(cx)}" y="${H - m.b + 14}" text-anchor="end" transform="rotate(-35 ${f1(cx)} ${H - m.b + 14})">${esc(cat)}</text>`,
    );
    c.series.forEach((s, j) => {
      const v = s.values[i] ?? NaN;
      if (!Number.isFinite(v)) return;
      const x = x0 + j * bw;
      out.push(
        `<rect x="${f1(x)}" y="${f1(sy(v))}" width="${f1(bw - 2)}" height="${f1(H - m.b - sy(v))}" fill="${s.color}"/>`,
        `<text x="${f1(x + bw / 2)}" y="${f1(sy(v) - 3)}" text-anchor="middle" font-size="9">${f1(v)}</text>`,
      );
    });
  });
  if (c.limit)
    out.push(
      `<line x1="${m.l}" y1="${f1(sy(c.limit.y))}" x2="${W - m.r}" y2="${f1(sy(c.limit.y))}" stroke="#c00" stroke-dasharray="5,4"/>`,
      `<text x="${W - m.r}" y="${f1(sy(c.limit.y) - 4)}" text-anchor="end" fill="#c00">${esc(c.limit.label)}</text>`,
    );
  let lx = m.l;
  for (const s of c.series) {
    out.push(
      `<rect x="${lx}" y="30" width="14" height="10" fill="${s.color}"/>`,
      `<text x="${lx + 18}" y="39">${esc(s.label)}</text>`,
    );
    lx += 40 + 6 * s.label.length;
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
