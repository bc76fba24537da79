import { html, type SafeHtml } from './html-template';

/**
 * Charts drawn as inline SVG strings, so the report needs no script library and prints as vectors.
 * Every chart has a title, labelled axes and a legend; colours are also told apart by the legend text.
 */

export const COLOURS = { model: '#2563eb', identity: '#9ca3af', wiener: '#f59e0b', loss: '#7c3aed' } as const;


/** Round tick values covering [min, max] with about `count` intervals (1-2-5 steps). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max + step * 0.5; v += step) ticks.push(Number(v.toFixed(10)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toFixed(10)));
  return ticks;
}

function fmtTick(v: number): string {
  return Math.abs(v) >= 1000 ? v.toLocaleString('en-US') : String(Number(v.toPrecision(4)));
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function yAxis(f: Frame, ticks: number[], y: (v: number) => number, label: string): SafeHtml {
  const lines = ticks.map((t) => html`<line x1="${f.left}" x2="${f.width - f.right}" y1="${y(t)}" y2="${y(t)}" stroke="#e5e7eb"/><text x="${f.left - 6}" y="${y(t) + 4}" text-anchor="end">${fmtTick(t)}</text>`);
  const mid = (f.top + f.height - f.bottom) / 2;
  return html`${lines}<text transform="translate(12 ${mid}) rotate(-90)" text-anchor="middle">${label}</text>`;
}

function legend(f: Frame, items: Array<{ label: string; colour: string }>): SafeHtml[] {
  let x = f.left;
  return items.map((it) => {
    const s = html`<rect x="${x}" y="6" width="10" height="10" fill="${it.colour}"/><text x="${x + 14}" y="15">${it.label}</text>`;
    x += 24 + it.label.length * 6.5;
    return s;
  });
}

export interface BarGroup {
  label: string;
  /** one value per series; null = no bar (e.g. no Wiener baseline for an unknown level) */
  values: Array<number | null>;
}

/** Grouped bars (one group per level, one bar per method) with the value on each bar. */
export function groupedBarChart(groups: BarGroup[], series: Array<{ label: string; colour: string }>, opts: { title: string; yLabel: string; width?: number; height?: number }): SafeHtml {
  const f: Frame = { width: opts.width ?? 640, height: opts.height ?? 280, left: 56, right: 12, top: 28, bottom: 36 };
  const values = groups.flatMap((g) => g.values).filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return emptyChart(f, opts.title, 'no finite values to plot');
  // PSNR differences of a few dB matter: the axis starts below the smallest bar, not at 0 (said in the axis).
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const ticks = niceTicks(Math.max(0, lo - (hi - lo) * 0.15 - 1), hi);
  const y0 = ticks[0]!;
  const y1 = ticks[ticks.length - 1]!;
  const plotH = f.height - f.top - f.bottom;
  const y = (v: number) => Number((f.top + plotH * (1 - (v - y0) / (y1 - y0))).toFixed(1));
  const groupW = (f.width - f.left - f.right) / groups.length;
  const barW = Math.min(36, (groupW * 0.8) / series.length);
  const bars: SafeHtml[] = [];
  groups.forEach((g, gi) => {
    const gx = f.left + gi * groupW + (groupW - barW * series.length) / 2;
    g.values.forEach((v, si) => {
      if (v === null || !Number.isFinite(v)) return;
      const x = Number((gx + si * barW).toFixed(1));
      const top = y(Math.max(v, y0));
      bars.push(html`<rect x="${x}" y="${top}" width="${(barW - 2).toFixed(1)}" height="${(y(y0) - top).toFixed(1)}" fill="${series[si]!.colour}"><title>${`${g.label} · ${series[si]!.label}: ${v.toFixed(2)}`}</title></rect>`);
      bars.push(html`<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${top - 3}" text-anchor="middle" font-size="9">${v.toFixed(1)}</text>`);
    });
    bars.push(html`<text x="${(f.left + gi * groupW + groupW / 2).toFixed(1)}" y="${f.height - f.bottom + 16}" text-anchor="middle">${g.label}</text>`);
  });
  return svg(f, opts.title, html`${yAxis(f, ticks, y, opts.yLabel)}${bars}${legend(f, series)}`);
}

/** Histogram of values with 1-2-5 bin widths and a marked zero line. */
export function histogram(values: number[], opts: { title: string; xLabel: string; colour?: string; width?: number; height?: number }): SafeHtml {
  const f: Frame = { width: opts.width ?? 640, height: opts.height ?? 240, left: 48, right: 12, top: 28, bottom: 40 };
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return emptyChart(f, opts.title, 'no finite values to plot');
  const ticks = niceTicks(Math.min(0, ...finite), Math.max(0, ...finite), 12);
  const lo = ticks[0]!;
  const hi = ticks[ticks.length - 1]!;
  const binW = ticks.length > 1 ? ticks[1]! - ticks[0]! : 1;
  const bins = Math.max(1, Math.round((hi - lo) / binW));
  const counts = new Array<number>(bins).fill(0);
  for (const v of finite) counts[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / binW)))]!++;
  const maxCount = Math.max(...counts);
  const countTicks = niceTicks(0, maxCount, Math.min(5, maxCount)).filter((t) => Number.isInteger(t));
  const plotW = f.width - f.left - f.right;
  const plotH = f.height - f.top - f.bottom;
  const x = (v: number) => Number((f.left + (plotW * (v - lo)) / (hi - lo)).toFixed(1));
  const top = countTicks[countTicks.length - 1]!;
  const y = (c: number) => Number((f.top + plotH * (1 - c / top)).toFixed(1));
  const body: SafeHtml[] = [yAxis(f, countTicks, y, 'images')];
  counts.forEach((c, i) => {
    if (c === 0) return;
    const x0 = x(lo + i * binW);
    const x1 = x(lo + (i + 1) * binW);
    body.push(html`<rect x="${x0}" y="${y(c)}" width="${Math.max(1, x1 - x0 - 1).toFixed(1)}" height="${(y(0) - y(c)).toFixed(1)}" fill="${opts.colour ?? COLOURS.model}"><title>${fmtTick(lo + i * binW)} to ${fmtTick(lo + (i + 1) * binW)}: ${c}</title></rect>`);
  });
  for (const t of ticks) body.push(html`<text x="${x(t)}" y="${f.height - f.bottom + 14}" text-anchor="middle">${fmtTick(t)}</text>`);
  body.push(html`<line x1="${x(0)}" x2="${x(0)}" y1="${f.top}" y2="${f.height - f.bottom}" stroke="#111827" stroke-dasharray="4 3"/>`);
  body.push(html`<text x="${(f.left + plotW / 2).toFixed(1)}" y="${f.height - 6}" text-anchor="middle">${opts.xLabel}</text>`);
  return svg(f, opts.title, html`${body}`);
}

export interface LineSeries {
  label: string;
  colour: string;
  points: Array<{ x: number; y: number }>;
}

/** Line chart over a shared x axis (training steps). */
export function lineChart(series: LineSeries[], opts: { title: string; xLabel: string; yLabel: string; width?: number; height?: number }): SafeHtml {
  const f: Frame = { width: opts.width ?? 640, height: opts.height ?? 240, left: 56, right: 12, top: 28, bottom: 40 };
  const pts = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (pts.length === 0) return emptyChart(f, opts.title, 'no points to plot');
  const xt = niceTicks(Math.min(...pts.map((p) => p.x)), Math.max(...pts.map((p) => p.x)), 6);
  const yt = niceTicks(Math.min(...pts.map((p) => p.y)), Math.max(...pts.map((p) => p.y)), 5);
  const plotW = f.width - f.left - f.right;
  const plotH = f.height - f.top - f.bottom;
  const x = (v: number) => (f.left + (plotW * (v - xt[0]!)) / (xt[xt.length - 1]! - xt[0]!)).toFixed(1);
  const y = (v: number) => Number((f.top + plotH * (1 - (v - yt[0]!) / (yt[yt.length - 1]! - yt[0]!))).toFixed(1));
  const body: SafeHtml[] = [yAxis(f, yt, y, opts.yLabel)];
  for (const t of xt) body.push(html`<text x="${x(t)}" y="${f.height - f.bottom + 14}" text-anchor="middle">${fmtTick(t)}</text>`);
  for (const s of series) {
    const p = s.points.filter((q) => Number.isFinite(q.x) && Number.isFinite(q.y));
    if (p.length === 0) continue;
    body.push(html`<polyline fill="none" stroke="${s.colour}" stroke-width="1.5" points="${p.map((q) => `${x(q.x)},${y(q.y)}`).join(' ')}"/>`);
    if (p.length === 1) body.push(html`<circle cx="${x(p[0]!.x)}" cy="${y(p[0]!.y)}" r="3" fill="${s.colour}"/>`);
  }
  body.push(html`<text x="${(f.left + plotW / 2).toFixed(1)}" y="${f.height - 6}" text-anchor="middle">${opts.xLabel}</text>`);
  return svg(f, opts.title, html`${body}${legend(f, series)}`);
}

function emptyChart(f: Frame, title: string, message: string): SafeHtml {
  return svg(f, title, html`<text x="${f.width / 2}" y="${f.height / 2}" text-anchor="middle" fill="#6b7280">${message}</text>`);
}

function svg(f: Frame, title: string, body: SafeHtml): SafeHtml {
  return html`<svg class="chart" role="img" aria-label="${title}" viewBox="0 0 ${f.width} ${f.height}" width="${f.width}" height="${f.height}" font-family="system-ui, sans-serif" font-size="11"><title>${title}</title>${body}</svg>`;
}
