import type { EvalFile, Example, ImageRow, LevelSummary } from '../evaluate/eval-schema';
import { imageGain } from '../evaluate/summarize';
import { dataValue, escapeHtml, fmtGain, fmtInt, fmtPsnr, fmtSsim } from './format';
import { COLOURS, groupedBarChart, histogram, lineChart } from './svg-charts';

/**
 * The report as one self-contained HTML file: styles, script, charts (SVG) and image crops (PNG
 * data URLs) are inline, and a Content-Security-Policy forbids every network request, so it opens
 * offline, mails as one file and prints to PDF unchanged.
 *
 * Every number shown carries its exact value in `data-value` (and the summary cells a `data-key`), so
 * tests and scripts can check the page against the eval JSON.
 */

const CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

const STYLE = `
:root { color-scheme: light; --fg:#111827; --muted:#6b7280; --line:#e5e7eb; --accent:${COLOURS.model}; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0 auto; max-width: 1040px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.sub { color: var(--muted); margin: 0 0 16px; word-break: break-all; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card .label { color: var(--muted); font-size: 12px; } .card .big { font-size: 24px; font-weight: 600; }
.pos { color: #047857; } .neg { color: #b91c1c; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: right; white-space: nowrap; }
th { white-space: normal; vertical-align: bottom; font-size: 12px; }
.wide { overflow-x: auto; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
table.sortable th { cursor: pointer; user-select: none; } table.sortable th[data-dir="asc"]::after { content: " ▲"; } table.sortable th[data-dir="desc"]::after { content: " ▼"; }
.scroll { max-height: 520px; overflow: auto; border: 1px solid var(--line); } .scroll thead th { position: sticky; top: 0; background: #fff; }
.charts { display: grid; grid-template-columns: 1fr; gap: 12px; } svg.chart { max-width: 100%; height: auto; }
.examples { display: grid; gap: 14px; }
figure.example { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 8px; break-inside: avoid; }
.crops { display: grid; grid-template-columns: repeat(var(--n), 1fr); gap: 6px; }
.crops img { width: 100%; image-rendering: pixelated; display: block; border: 1px solid var(--line); }
.crops figcaption, .crops div span { font-size: 12px; color: var(--muted); }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; } dl.kv dt { color: var(--muted); } dl.kv dd { margin: 0; word-break: break-word; }
.note { color: var(--muted); font-size: 12px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media print { body { max-width: none; padding: 0; } .scroll { max-height: none; overflow: visible; border: 0; } h2 { break-after: avoid; } .card, figure, svg { break-inside: avoid; } .noprint { display: none; } }
`;

const SCRIPT = `
for (const table of document.querySelectorAll('table.sortable')) {
  const heads = [...table.tHead.rows[0].cells];
  heads.forEach((th, i) => th.addEventListener('click', () => {
    const dir = th.dataset.dir === 'asc' ? 'desc' : 'asc';
    heads.forEach((h) => delete h.dataset.dir);
    th.dataset.dir = dir;
    const key = (row) => { const c = row.cells[i]; const v = c.dataset.sort; return v === undefined ? c.textContent : v === '' ? -Infinity : Number(v); };
    const rows = [...table.tBodies[0].rows];
    rows.sort((a, b) => {
      const x = key(a), y = key(b);
      let c = typeof x === 'number' && typeof y === 'number' ? (x === y ? 0 : x < y ? -1 : 1) : String(x).localeCompare(String(y));
      return dir === 'asc' ? c : -c;
    });
    for (const r of rows) table.tBodies[0].appendChild(r);
  }));
}
`;

/** A number cell/span with its exact value attached. */
function num(text: string, value: number | null | undefined, key?: string, cls = ''): string {
  const k = key ? ` data-key="${escapeHtml(key)}"` : '';
  const c = cls ? ` class="${cls}"` : '';
  return `<span${c}${k} data-value="${dataValue(value)}">${escapeHtml(text)}</span>`;
}

const sign = (v: number | null) => (v === null ? '' : v >= 0 ? 'pos' : 'neg');

function headline(file: EvalFile): string {
  const o = file.summary.overall;
  const card = (label: string, body: string, note = '') => `<div class="card"><div class="label">${escapeHtml(label)}</div><div class="big">${body}</div>${note ? `<div class="note">${note}</div>` : ''}</div>`;
  const psnrNote = o.model.psnr.identical > 0 ? `${o.model.psnr.identical} identical image(s) left out of the mean` : `over ${fmtInt(o.model.psnr.finite)} image(s)`;
  return `<div class="cards">
${card('Model PSNR (mean)', `${num(fmtPsnr(o.model.psnr.meanDb), o.model.psnr.meanDb, 'overall.model.psnr')} dB`, escapeHtml(psnrNote))}
${card('Model SSIM (mean)', num(fmtSsim(o.model.ssim), o.model.ssim, 'overall.model.ssim'))}
${card('Gain over the blurred input', `${num(fmtGain(o.gainOverIdentityDb), o.gainOverIdentityDb, 'overall.gainOverIdentityDb', sign(o.gainOverIdentityDb))} dB`, `input: ${num(fmtPsnr(o.identity.psnr.meanDb), o.identity.psnr.meanDb, 'overall.identity.psnr')} dB`)}
${card('Gain over Wiener deconvolution', `${num(fmtGain(o.gainOverWienerDb), o.gainOverWienerDb, 'overall.gainOverWienerDb', sign(o.gainOverWienerDb))} dB`, o.wiener ? `Wiener: ${num(fmtPsnr(o.wiener.psnr.meanDb), o.wiener.psnr.meanDb, 'overall.wiener.psnr')} dB` : 'not available for every level (blur unknown)')}
</div>`;
}

function levelTable(file: EvalFile): string {
  const row = (s: LevelSummary, key: string) => `<tr>
<td class="text">${escapeHtml(s.level === 'all' ? 'all levels' : s.level)}${s.sigma !== null ? ` <span class="note">σ ${s.sigma}</span>` : ''}</td>
<td>${num(fmtInt(s.images), s.images, `${key}.images`)}</td>
<td>${num(fmtPsnr(s.model.psnr.meanDb), s.model.psnr.meanDb, `${key}.model.psnr`)}</td>
<td>${num(fmtSsim(s.model.ssim), s.model.ssim, `${key}.model.ssim`)}</td>
<td>${num(fmtPsnr(s.identity.psnr.meanDb), s.identity.psnr.meanDb, `${key}.identity.psnr`)}</td>
<td>${num(fmtSsim(s.identity.ssim), s.identity.ssim, `${key}.identity.ssim`)}</td>
<td>${num(fmtPsnr(s.wiener?.psnr.meanDb), s.wiener?.psnr.meanDb, `${key}.wiener.psnr`)}</td>
<td>${num(fmtSsim(s.wiener?.ssim), s.wiener?.ssim, `${key}.wiener.ssim`)}</td>
<td>${num(fmtGain(s.gainOverIdentityDb), s.gainOverIdentityDb, `${key}.gainOverIdentityDb`, sign(s.gainOverIdentityDb))}</td>
<td>${num(fmtGain(s.gainOverWienerDb), s.gainOverWienerDb, `${key}.gainOverWienerDb`, sign(s.gainOverWienerDb))}</td>
</tr>`;
  return `<div class="wide"><table class="levels"><thead><tr><th>level</th><th>images</th><th>model PSNR</th><th>model SSIM</th><th>input PSNR</th><th>input SSIM</th><th>Wiener PSNR</th><th>Wiener SSIM</th><th>gain vs input (dB)</th><th>gain vs Wiener (dB)</th></tr></thead>
<tbody>${file.summary.levels.map((s, i) => row(s, `levels.${i}`)).join('')}${file.summary.levels.length > 1 ? row(file.summary.overall, 'overall') : ''}</tbody></table></div>
<p class="note">PSNR in dB (means over images; an image identical to its reference has PSNR ∞ and is counted but left out of the mean). Gains are means of per-image differences.</p>`;
}

function charts(file: EvalFile): string {
  const groups = file.summary.levels.map((s) => ({ label: s.level, values: [s.model.psnr.meanDb, s.identity.psnr.meanDb, s.wiener?.psnr.meanDb ?? null] }));
  const bars = groupedBarChart(
    groups,
    [
      { label: 'model', colour: COLOURS.model },
      { label: 'blurred input', colour: COLOURS.identity },
      { label: 'Wiener', colour: COLOURS.wiener },
    ],
    { title: 'Mean PSNR per blur level', yLabel: 'PSNR (dB)' },
  );
  const gains = file.images.map(imageGain).filter((g): g is number => g !== null);
  const hist = histogram(gains, { title: 'Per-image PSNR gain over the blurred input', xLabel: 'model − input PSNR (dB); right of the dashed line = improved' });
  return `<div class="charts">${bars}${hist}${trainingCharts(file)}</div>`;
}

function trainingCharts(file: EvalFile): string {
  const t = file.meta.training;
  if (!t || (t.steps.length === 0 && t.validation.length === 0)) return '';
  const loss = lineChart([{ label: 'training loss (smoothed)', colour: COLOURS.loss, points: t.steps.filter((p) => p.loss !== null).map((p) => ({ x: p.step, y: p.loss! })) }], {
    title: 'Training loss',
    xLabel: 'step',
    yLabel: 'loss',
  });
  const val = lineChart(
    [
      { label: 'validation PSNR (model)', colour: COLOURS.model, points: t.validation.filter((p) => p.psnr !== null).map((p) => ({ x: p.step, y: p.psnr! })) },
      { label: 'validation PSNR (blurred input)', colour: COLOURS.identity, points: t.validation.filter((p) => p.identityPsnr !== null).map((p) => ({ x: p.step, y: p.identityPsnr! })) },
    ],
    { title: 'Validation PSNR during training', xLabel: 'step', yLabel: 'PSNR (dB)' },
  );
  return `${t.steps.length > 0 ? loss : ''}${t.validation.length > 0 ? val : ''}`;
}

function examples(file: EvalFile): string {
  if (file.examples.length === 0) return '<p class="note">No examples (no image with a finite PSNR gain).</p>';
  const rowOf = (e: Example): ImageRow | undefined => file.images.find((r) => r.name === e.name && r.level === e.level);
  const one = (e: Example) => {
    const r = rowOf(e);
    const panes = [
      { src: e.blurred, label: `blurred input · ${fmtPsnr(e.identityPsnr)} dB` },
      { src: e.model, label: `model · ${fmtPsnr(e.modelPsnr)} dB` },
      ...(e.wiener ? [{ src: e.wiener, label: `Wiener · ${fmtPsnr(r?.wiener?.psnr)} dB` }] : []),
      { src: e.sharp, label: 'sharp (ground truth)' },
    ];
    return `<figure class="example"><figcaption><strong>${e.kind === 'best' ? 'Best' : 'Worst'}:</strong> ${escapeHtml(e.name)} <span class="note">${escapeHtml(e.level)} · gain ${num(fmtGain(e.gainDb), e.gainDb, undefined, sign(e.gainDb))} dB · crop ${e.crop.width}×${e.crop.height} at (${e.crop.x}, ${e.crop.y}); PSNR of the whole image</span></figcaption>
<div class="crops" style="--n:${panes.length}">${panes.map((p) => `<div><img alt="${escapeHtml(p.label)}" src="${p.src}" width="${e.crop.width}" height="${e.crop.height}"><span>${escapeHtml(p.label)}</span></div>`).join('')}</div></figure>`;
  };
  return `<div class="examples">${file.examples.map(one).join('')}</div>`;
}

function imageTable(file: EvalFile): string {
  const td = (text: string, value: number | null | undefined, cls = '') => `<td${cls ? ` class="${cls}"` : ''} data-sort="${dataValue(value)}">${escapeHtml(text)}</td>`;
  const rows = file.images
    .map((r) => {
      const gain = imageGain(r);
      return `<tr><td class="text" title="${escapeHtml(r.blurred)}">${escapeHtml(r.name)}</td><td class="text">${escapeHtml(r.level)}</td>${td(fmtPsnr(r.model.psnr), r.model.psnr)}${td(fmtSsim(r.model.ssim), r.model.ssim)}${td(fmtPsnr(r.identity.psnr), r.identity.psnr)}${td(fmtSsim(r.identity.ssim), r.identity.ssim)}${td(fmtPsnr(r.wiener?.psnr), r.wiener?.psnr)}${td(fmtSsim(r.wiener?.ssim), r.wiener?.ssim)}${td(fmtGain(gain), gain, sign(gain))}${td(r.ms.toFixed(0), r.ms)}</tr>`;
    })
    .join('\n');
  return `<p class="note noprint">Click a column to sort.</p><div class="scroll"><table class="sortable images"><thead><tr><th class="text">image</th><th class="text">level</th><th>model PSNR</th><th>model SSIM</th><th>input PSNR</th><th>input SSIM</th><th>Wiener PSNR</th><th>Wiener SSIM</th><th>gain (dB)</th><th>ms</th></tr></thead><tbody>
${rows}
</tbody></table></div>`;
}

function kv(entries: Array<[string, string | null | undefined]>): string {
  return `<dl class="kv">${entries
    .filter((e): e is [string, string] => e[1] !== null && e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('')}</dl>`;
}

const short = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function modelCard(file: EvalFile): string {
  const { model, training, settings } = file.meta;
  const input = model.input.fixed ? `only ${model.input.fixed.width}×${model.input.fixed.height} (tiled with overlap)` : `any size (padded to a multiple of ${model.input.multipleOf ?? 1}; tiled with overlap)`;
  const params = (training?.config?.params ?? null) as Record<string, unknown> | null;
  const trainingEntries: Array<[string, string]> = params ? Object.entries(params).map(([k, v]) => [k, short(v)]) : [];
  const config = training?.config;
  if (config && typeof config.dataset === 'object' && config.dataset !== null) trainingEntries.push(['data set', short(config.dataset)]);
  if (config?.totalSteps !== undefined) trainingEntries.push(['total steps', short(config.totalSteps)]);
  return `<h3>Model</h3>${kv([
    ['name', model.name],
    ['architecture', model.architecture],
    ['parameters', fmtInt(model.params)],
    ['layers', String(model.layers)],
    ['input', input],
    ['model folder', model.dir],
    ['training run', model.runDir],
    ['checkpoint', model.checkpoint],
    ...Object.entries(model.metadata).map(([k, v]): [string, string] => [`metadata: ${k}`, short(v)]),
  ])}
${trainingEntries.length > 0 ? `<h3>Training configuration</h3>${kv(trainingEntries)}` : ''}
<h3>Evaluation</h3>${kv([
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
  ])}`;
}

function skippedList(file: EvalFile): string {
  if (file.skipped.length === 0) return '<p class="note">None.</p>';
  return `<table class="skipped"><thead><tr><th class="text">file</th><th class="text">reason</th></tr></thead><tbody>${file.skipped
    .map((s) => `<tr><td class="text">${escapeHtml(s.path)}</td><td class="text">${escapeHtml(s.reason)}</td></tr>`)
    .join('')}</tbody></table>`;
}

export function renderReportHtml(file: EvalFile): string {
  const title = `Deblurring report — ${file.meta.model.name}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(`${file.meta.app.name} ${file.meta.app.version}`)}">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><p class="sub">${escapeHtml(file.meta.testSet.path)} · ${fmtInt(file.images.length)} image(s) · ${escapeHtml(file.meta.createdAt.slice(0, 10))}</p></header>
<section id="headline"><h2>Summary</h2>${headline(file)}${levelTable(file)}</section>
<section id="charts"><h2>Charts</h2>${charts(file)}</section>
<section id="examples"><h2>Best and worst images</h2>${examples(file)}</section>
<section id="images"><h2>Every image</h2>${imageTable(file)}</section>
<section id="model"><h2>Model card</h2>${modelCard(file)}</section>
<section id="skipped"><h2>Skipped files</h2>${skippedList(file)}</section>
<footer>Made by ${escapeHtml(file.meta.app.name)} ${escapeHtml(file.meta.app.version)} from an evaluation of ${escapeHtml(file.meta.createdAt)}. Self-contained: no network access.</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
