import type { EvalFile } from '../evaluate/eval-schema';
import { fmtInt } from './format';
import { html, type SafeHtml } from './html-template';

/**
 * The report's model card: what was evaluated, how it was trained and how it was scored, as one
 * two-column table. Free-form values (the model's metadata, the run's config) are laid out as rows
 * too, nested objects as "a · b" keys and lists of objects as a small table with a column per item,
 * instead of raw JSON.
 */

type Cell = string | SafeHtml;
type Row = [key: string, value: Cell];

/** Enough digits to tell values apart, not the 16 of a double. */
function fmtValue(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(5)));
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const scalarText = (v: unknown): string => (typeof v === 'number' ? fmtValue(v) : v === null ? '–' : String(v));
const MAX_DEPTH = 6;
const MAX_ITEMS = 8;

/** Leaf rows of an object: nested keys joined with " · ". */
function leaves(prefix: string, value: unknown, depth: number): Row[] {
  if (value === undefined) return [];
  if (isScalar(value)) return [[prefix, scalarText(value)]];
  if (depth >= MAX_DEPTH) return [[prefix, JSON.stringify(value)]];
  if (Array.isArray(value)) {
    if (value.every(isScalar)) return [[prefix, value.map(scalarText).join(', ')]];
    if (value.every(isRecord)) return [[prefix, itemTable(value, depth)]];
    return value.flatMap((v, i) => leaves(`${prefix} · ${i + 1}`, v, depth + 1));
  }
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leaves(prefix ? `${prefix} · ${k}` : k, v, depth + 1));
}

/** A list of objects as a table: one row per leaf key, one column per item. */
function itemTable(items: Array<Record<string, unknown>>, depth: number): SafeHtml {
  const shown = items.slice(0, MAX_ITEMS);
  const columns = shown.map((item) => new Map(leaves('', item, depth + 1).map(([k, v]) => [k, v])));
  const keys = [...new Set(columns.flatMap((c) => [...c.keys()]))];
  return html`<table class="items"><thead><tr><th></th>${shown.map((_, i) => html`<th>${i + 1}</th>`)}</tr></thead><tbody>${keys.map(
    (k) => html`<tr><th scope="row">${k}</th>${columns.map((c) => html`<td>${c.get(k) ?? '–'}</td>`)}</tr>`,
  )}</tbody></table>${items.length > shown.length ? html`<p class="note">and ${items.length - shown.length} more</p>` : ''}`;
}

function group(title: string, rows: Array<[string, Cell | null | undefined]>): SafeHtml {
  const kept = rows.filter((r): r is Row => r[1] !== null && r[1] !== undefined && r[1] !== '');
  if (kept.length === 0) return html``;
  return html`<tbody><tr><th colspan="2" class="group">${title}</th></tr>${kept.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody>`;
}

export function modelCard(file: EvalFile): SafeHtml {
  const { model, training, settings } = file.meta;
  const input = model.input.fixed ? `only ${model.input.fixed.width}×${model.input.fixed.height} (tiled with overlap)` : `any size (padded to a multiple of ${model.input.multipleOf ?? 1}; tiled with overlap)`;
  const config = training?.config ?? null;
  const trainingRows: Row[] = [
    ...leaves('', isRecord(config?.params) ? config.params : undefined, 0),
    ...(isRecord(config?.dataset) ? leaves('data set', config.dataset, 0) : []),
    ...(config?.totalSteps !== undefined ? leaves('total steps', config.totalSteps, 0) : []),
  ];
  return html`<table class="model-card">${group('Model', [
    ['name', model.name],
    ['architecture', model.architecture],
    ['parameters', fmtInt(model.params)],
    ['layers', String(model.layers)],
    ['input', input],
    ['model folder', model.dir],
    ['training run', model.runDir],
    ['checkpoint', model.checkpoint],
  ])}${group('Model metadata', leaves('', model.metadata, 0))}${group('Training configuration', trainingRows)}${group('Evaluation', [
    ['test set', `${file.meta.testSet.path} (${file.meta.testSet.layout} layout)`],
    ['images', `${fmtInt(file.images.length)} scored, ${fmtInt(file.skipped.length)} skipped`],
    ['backend', file.meta.backend],
    ['app version', `${file.meta.app.name} ${file.meta.app.version}`],
    ['date', file.meta.createdAt],
    ['duration', `${file.meta.seconds} s`],
    ['tiles', `${settings.tile} px, ${settings.overlap} px feathered overlap`],
    ['metrics', settings.metrics],
    ['Wiener baseline', settings.wiener.method],
    ['Wiener K (noise-to-signal)', Object.entries(settings.wiener.k).map(([l, k]) => `${l}: ${k}`).join(', ')],
  ])}</table>`;
}
