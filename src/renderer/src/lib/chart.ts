import { Chart, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip } from 'chart.js';

/**
 * chart.js, tree-shaken to the pieces the training charts use (line charts on linear/log axes). chart.js
 * draws on a canvas and evaluates no strings, so it runs under the app's strict CSP.
 */
Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip);

export { Chart };

export interface ChartPoint {
  x: number;
  y: number;
}

export interface Series {
  label: string;
  points: ChartPoint[];
  /** a CSS variable name such as '--chart-1', resolved when drawing so themes apply */
  color: string;
  dashed?: boolean;
  /** thinner, fainter line (raw values under a smoothed one) */
  faint?: boolean;
}

/** Reads a CSS custom property from the document root (the theme's current value). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** '#rrggbb' → 'rgba(r, g, b, alpha)'; other colour syntaxes pass through unchanged. */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) return color;
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => parseInt(h!, 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** Axis labels: three significant digits, exponent form for very small or large values. */
export function compactNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}
