import { appVersion } from '../../shared/app-version';
import { courseLevelLabel, describeBlurAccuracy, describeRouteCounts } from '../../shared/blur-text';
import { CONFUSION_LEVELS, type EvalFile, type Example, type ImageRow, type LevelSummary } from '../evaluate/eval-schema';
import { imageGain } from '../evaluate/summarize';
import { dataValue, fmtGain, fmtInt, fmtPsnr, fmtSsim } from './format';
import { html, styleSheet, type SafeHtml } from './html-template';
import { modelCard } from './model-card';
import { COLOURS, groupedBarChart, histogram, lineChart } from './svg-charts';

/**
 * The report as one self-contained HTML file: styles, charts (SVG) and image crops (data URLs) are
 * inline, so it opens offline, mails as one file and prints to PDF unchanged.
 *
 * It has no script at all, and its Content-Security-Policy says so (no script-src: none may run), allows
 * no request (default-src 'none'; images only from data: URLs) and no <base> or form target. Every value
 * from the eval JSON goes through the `html` template (html-template.ts), which escapes it for where it
 * lands and accepts an <img src> only as a PNG/JPEG/WebP data URL.
 *
 * Every number shown carries its exact value in `data-value` (per-image cells in `data-sort`, and the
 * summary cells a `data-key`), so tests and scripts can check the page against the eval JSON.
 */

export const REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const STYLE = styleSheet(`
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
.scroll { max-height: 520px; overflow: auto; border: 1px solid var(--line); } .scroll thead th { position: sticky; top: 0; background: #fff; }
.charts { display: grid; grid-template-columns: 1fr; gap: 12px; } svg.chart { max-width: 100%; height: auto; }
.examples { display: grid; gap: 14px; }
figure.example { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 8px; break-inside: avoid; }
.crops { display: grid; grid-template-columns: repeat(var(--n), 1fr); gap: 6px; }
.crops img { width: 100%; image-rendering: pixelated; display: block; border: 1px solid var(--line); }
.crops figcaption, .crops div span { font-size: 12px; color: var(--muted); }
table.model-card { width: auto; max-width: 100%; } table.model-card th, table.model-card td { text-align: left; white-space: normal; vertical-align: top; font-size: 13px; }
table.model-card th[scope="row"] { color: var(--muted); font-weight: normal; padding-right: 18px; } table.model-card td { word-break: break-word; }
table.model-card th.group { font-size: 14px; padding-top: 14px; border-bottom: 1px solid var(--fg); }
table.items { width: auto; } table.items th, table.items td { font-size: 12px; padding: 1px 8px; text-align: right; } table.items th[scope="row"] { text-align: left; }
.note { color: var(--muted); font-size: 12px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
table.model-card th[scope="row"] { min-width: 11em; }
@page { margin: 12mm 10mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 12px; }
  h2, h2 + p.note { break-after: avoid; } h2 { margin-top: 18px; } thead { display: table-header-group; }
  .cards { grid-template-columns: repeat(4, 1fr); } .card .big { font-size: 20px; }
  .charts, .examples { display: block; }
  svg.chart { display: block; width: 78%; margin: 0 auto 8px; break-inside: avoid; }
  figure.example { margin-bottom: 8px; } .card, figure, tr { break-inside: avoid; }
  .scroll { max-height: none; overflow: visible; border: 0; }
  table.images th, table.images td { padding: 2px 4px; font-size: 10.5px; }
  .noprint { display: none; }
}
`);

/** A number cell/span with its exact value attached. */
function num(text: string, value: number | null | undefined, key?: string, cls = ''): SafeHtml {
  const v = dataValue(value);
  if (key && cls) return html`<span class="${cls}" data-key="${key}" data-value="${v}">${text}</span>`;
  if (key) return html`<span data-key="${key}" data-value="${v}">${text}</span>`;
  if (cls) return html`<span class="${cls}" data-value="${v}">${text}</span>`;
  return html`<span data-value="${v}">${text}</span>`;
}

const sign = (v: number | null) => (v === null ? '' : v >= 0 ? 'pos' : 'neg');

function headline(file: EvalFile): SafeHtml {
  const o = file.summary.overall;
  const card = (label: string, body: SafeHtml, note: SafeHtml | string = '') => html`<div class="card"><div class="label">${label}</div><div class="big">${body}</div>${note ? html`<div class="note">${note}</div>` : ''}</div>`;
  const psnrNote = o.model.psnr.identical > 0 ? `${o.model.psnr.identical} identical image(s) left out of the mean` : `over ${fmtInt(o.model.psnr.finite)} image(s)`;
  return html`<div class="cards">
${card('Model PSNR (mean)', html`${num(fmtPsnr(o.model.psnr.meanDb), o.model.psnr.meanDb, 'overall.model.psnr')} dB`, psnrNote)}
${card('Model SSIM (mean)', num(fmtSsim(o.model.ssim), o.model.ssim, 'overall.model.ssim'))}
${card('Gain over the blurred input', html`${num(fmtGain(o.gainOverIdentityDb), o.gainOverIdentityDb, 'overall.gainOverIdentityDb', sign(o.gainOverIdentityDb))} dB`, html`input: ${num(fmtPsnr(o.identity.psnr.meanDb), o.identity.psnr.meanDb, 'overall.identity.psnr')} dB`)}
${card('Gain over Wiener deconvolution', html`${num(fmtGain(o.gainOverWienerDb), o.gainOverWienerDb, 'overall.gainOverWienerDb', sign(o.gainOverWienerDb))} dB`, o.wiener ? html`Wiener: ${num(fmtPsnr(o.wiener.psnr.meanDb), o.wiener.psnr.meanDb, 'overall.wiener.psnr')} dB` : 'not available for every level (blur unknown)')}
</div>`;
}

function levelTable(file: EvalFile): SafeHtml {
  const row = (s: LevelSummary, key: string) => html`<tr>
<td class="text">${s.level === 'all' ? 'all levels' : s.level}${s.sigma !== null ? html` <span class="note">σ ${s.sigma}</span>` : ''}</td>
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
  return html`<div class="wide"><table class="levels"><thead><tr><th>level</th><th>images</th><th>model PSNR</th><th>model SSIM</th><th>input PSNR</th><th>input SSIM</th><th>Wiener PSNR</th><th>Wiener SSIM</th><th>gain vs input (dB)</th><th>gain vs Wiener (dB)</th></tr></thead>
<tbody>${file.summary.levels.map((s, i) => row(s, `levels.${i}`))}${file.summary.levels.length > 1 ? row(file.summary.overall, 'overall') : ''}</tbody></table></div>
<p class="note">PSNR in dB (means over images; an image identical to its reference has PSNR ∞ and is counted but left out of the mean). Gains are means of per-image differences.</p>`;
}

/** Estimated vs true blur level (issue 13): the estimator read each blurred input without being told its level. */
function blurEstimationTable(file: EvalFile): SafeHtml {
  const b = file.summary.blurEstimation;
  if (!b) return html`<p class="note">The test set's blur levels are not known (or the evaluation predates blur estimation): no table of estimated vs true level.</p>${routeNote(file)}`;
  const head = CONFUSION_LEVELS.map((k) => html`<th>${courseLevelLabel(k)}</th>`);
  const rows = CONFUSION_LEVELS.map(
    (truth, i) =>
      html`<tr><th scope="row" class="text">${courseLevelLabel(truth)}</th>${CONFUSION_LEVELS.map((_k, j) => {
        const n = b.confusion[i]![j]!;
        const cell = num(fmtInt(n), n, `blurEstimation.confusion.${i}.${j}`);
        return i === j ? html`<td><strong>${cell}</strong></td>` : html`<td>${cell}</td>`;
      })}</tr>`,
  );
  return html`<table class="blur-confusion items"><thead><tr><th class="text">true level ↓, estimated →</th>${head}</tr></thead><tbody>${rows}</tbody></table>
<p class="note blur-accuracy" data-value="${dataValue(b.accuracy)}">${describeBlurAccuracy(b)}. Estimated on the blurred input alone; rows: the level the image was blurred with, columns: the level the estimator saw.</p>${routeNote(file)}`;
}

function routeNote(file: EvalFile): SafeHtml {
  const text = describeRouteCounts(file.images);
  return text === null ? html`` : html`<p class="note routes">${text}.</p>`;
}

function charts(file: EvalFile): SafeHtml {
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
  return html`<div class="charts">${bars}${hist}${trainingCharts(file)}</div>`;
}

function trainingCharts(file: EvalFile): SafeHtml {
  const t = file.meta.training;
  if (!t || (t.steps.length === 0 && t.validation.length === 0)) return html``;
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
  return html`${t.steps.length > 0 && loss}${t.validation.length > 0 && val}`;
}

function examples(file: EvalFile): SafeHtml {
  if (file.examples.length === 0) return html`<p class="note">No examples (no image with a finite PSNR gain).</p>`;
  const rowOf = (e: Example): ImageRow | undefined => file.images.find((r) => r.name === e.name && r.level === e.level);
  const one = (e: Example) => {
    const r = rowOf(e);
    const panes = [
      { src: e.blurred, label: `blurred input · ${fmtPsnr(e.identityPsnr)} dB` },
      { src: e.model, label: `model · ${fmtPsnr(e.modelPsnr)} dB` },
      ...(e.wiener ? [{ src: e.wiener, label: `Wiener · ${fmtPsnr(r?.wiener?.psnr)} dB` }] : []),
      { src: e.sharp, label: 'sharp (ground truth)' },
    ];
    return html`<figure class="example"><figcaption><strong>${e.kind === 'best' ? 'Best' : 'Worst'}:</strong> ${e.name} <span class="note">${e.level} · gain ${num(fmtGain(e.gainDb), e.gainDb, undefined, sign(e.gainDb))} dB · crop ${e.crop.width}×${e.crop.height} at (${e.crop.x}, ${e.crop.y}); PSNR of the whole image</span></figcaption>
<div class="crops" style="--n:${panes.length}">${panes.map((p) => html`<div><img alt="${p.label}" src="${p.src}" width="${e.crop.width}" height="${e.crop.height}"><span>${p.label}</span></div>`)}</div></figure>`;
  };
  return html`<div class="examples">${file.examples.map(one)}</div>`;
}

/** Best gain first, images without a gain (an infinite PSNR) last: the order a reader scans for, with no script to re-sort. */
export function imagesByGain(images: readonly ImageRow[]): ImageRow[] {
  const key = (r: ImageRow) => imageGain(r) ?? -Infinity;
  return [...images].sort((a, b) => key(b) - key(a) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.level < b.level ? -1 : a.level > b.level ? 1 : 0));
}

function imageTable(file: EvalFile): SafeHtml {
  const td = (text: string, value: number | null | undefined, cls = '') => html`<td class="${cls}" data-sort="${dataValue(value)}">${text}</td>`;
  const rows = imagesByGain(file.images).map((r) => {
    const gain = imageGain(r);
    return html`<tr><td class="text" title="${r.blurred}">${r.name}</td><td class="text">${r.level}</td>${td(fmtPsnr(r.model.psnr), r.model.psnr)}${td(fmtSsim(r.model.ssim), r.model.ssim)}${td(fmtPsnr(r.identity.psnr), r.identity.psnr)}${td(fmtSsim(r.identity.ssim), r.identity.ssim)}${td(fmtPsnr(r.wiener?.psnr), r.wiener?.psnr)}${td(fmtSsim(r.wiener?.ssim), r.wiener?.ssim)}${td(fmtGain(gain), gain, sign(gain))}${td(r.ms.toFixed(0), r.ms)}</tr>\n`;
  });
  return html`<p class="note">Sorted by gain over the blurred input, best first; the CSV has every column for sorting in a spreadsheet.</p><div class="scroll"><table class="images"><thead><tr><th class="text">image</th><th class="text">level</th><th>model PSNR</th><th>model SSIM</th><th>input PSNR</th><th>input SSIM</th><th>Wiener PSNR</th><th>Wiener SSIM</th><th>gain (dB)</th><th>ms</th></tr></thead><tbody>
${rows}</tbody></table></div>`;
}

function skippedList(file: EvalFile): SafeHtml {
  if (file.skipped.length === 0) return html`<p class="note">None.</p>`;
  return html`<table class="skipped"><thead><tr><th class="text">file</th><th class="text">reason</th></tr></thead><tbody>${file.skipped.map((s) => html`<tr><td class="text">${s.path}</td><td class="text">${s.reason}</td></tr>`)}</tbody></table>`;
}

export function renderReportHtml(file: EvalFile): string {
  const title = `Deblurring report — ${file.meta.model.name}`;
  // the generator is this app, not the evaluation file's text: a <meta content> naming a URL is refused by the template
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${`deblur-studio ${appVersion}`}">
<title>${title}</title>
${STYLE}
</head>
<body>
<header><h1>${title}</h1><p class="sub">${file.meta.testSet.path} · ${fmtInt(file.images.length)} image(s) · ${file.meta.createdAt.slice(0, 10)}</p></header>
<section id="headline"><h2>Summary</h2>${headline(file)}${levelTable(file)}</section>
<section id="blur-estimation"><h2>Blur estimation</h2>${blurEstimationTable(file)}</section>
<section id="charts"><h2>Charts</h2>${charts(file)}</section>
<section id="examples"><h2>Best and worst images</h2>${examples(file)}</section>
<section id="images"><h2>Every image</h2>${imageTable(file)}</section>
<section id="model"><h2>Model card</h2>${modelCard(file)}</section>
<section id="skipped"><h2>Skipped files</h2>${skippedList(file)}</section>
<footer>Made by ${file.meta.app.name} ${file.meta.app.version} from an evaluation of ${file.meta.createdAt}. Self-contained: no script, no network access.</footer>
</body>
</html>
`.toString();
}
