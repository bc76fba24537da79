import type { DeblurApi } from '../../../shared/contract';

/**
 * What the Evaluate view shows from an evaluation file (the eval.json an `evaluate` job writes, format
 * "deblur-studio/evaluation" v1): per blur level and per image, the model against the two baselines — the
 * blurred input itself ("identity") and Wiener deconvolution. PSNR may be +∞ (identical images), written
 * "Infinity" in the file.
 *
 * The renderer cannot read files; it asks the engine with the `evaluation.read { path }` method,
 * which answers the file's JSON as written (see the renderer report). Parsed defensively: fields it does not
 * find read as unknown (—), never as a crash.
 */
export interface MethodScores {
  /** mean PSNR over finite values (dB), or one image's PSNR (may be Infinity) */
  psnr: number | null;
  ssim: number | null;
  /** images identical to the original, left out of the PSNR mean */
  identical: number;
}

export interface LevelRow {
  level: string;
  kernel: number | null;
  images: number;
  model: MethodScores;
  identity: MethodScores;
  wiener: MethodScores | null;
  gainOverIdentity: number | null;
  gainOverWiener: number | null;
}

export interface ImageRow {
  name: string;
  level: string;
  kernel: number | null;
  model: MethodScores;
  identity: MethodScores;
  wiener: MethodScores | null;
}

/** A best or worst image (by gain over the blurred input): the same crop through each method, as data URLs. */
export interface Example {
  kind: 'best' | 'worst';
  name: string;
  level: string;
  gainDb: number | null;
  blurred: string;
  model: string;
  wiener: string | null;
  sharp: string;
}

export interface Evaluation {
  modelName: string | null;
  testSet: string | null;
  levels: LevelRow[];
  overall: LevelRow | null;
  images: ImageRow[];
  examples: Example[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});
const num = (v: unknown): number | null => (v === 'Infinity' ? Infinity : typeof v === 'number' && !Number.isNaN(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A level's method summary ({ psnr: { meanDb, identical … }, ssim }) or one image's score ({ psnr, ssim }). */
function scores(v: unknown): MethodScores {
  const o = obj(v);
  const p = o.psnr;
  if (p && typeof p === 'object') {
    const s = obj(p);
    return { psnr: num(s.meanDb), ssim: num(o.ssim), identical: num(s.identical) ?? 0 };
  }
  return { psnr: num(p), ssim: num(o.ssim), identical: num(p) === Infinity ? 1 : 0 };
}

function levelRow(v: unknown): LevelRow {
  const o = obj(v);
  return {
    level: str(o.level) ?? '?',
    kernel: num(o.kernel),
    images: num(o.images) ?? 0,
    model: scores(o.model),
    identity: scores(o.identity),
    wiener: o.wiener ? scores(o.wiener) : null,
    gainOverIdentity: num(o.gainOverIdentityDb),
    gainOverWiener: num(o.gainOverWienerDb),
  };
}

export function readEvaluation(raw: unknown): Evaluation {
  const o = obj(raw);
  const summary = obj(o.summary);
  const meta = obj(o.meta);
  return {
    modelName: str(obj(meta.model).name),
    testSet: str(obj(meta.testSet).path),
    levels: Array.isArray(summary.levels) ? summary.levels.map(levelRow) : [],
    overall: summary.overall ? levelRow(summary.overall) : null,
    images: (Array.isArray(o.images) ? o.images : []).map((r) => {
      const row = obj(r);
      return {
        name: str(row.name) ?? '?',
        level: str(row.level) ?? '?',
        kernel: num(row.kernel),
        model: scores(row.model),
        identity: scores(row.identity),
        wiener: row.wiener ? scores(row.wiener) : null,
      };
    }),
    examples: (Array.isArray(o.examples) ? o.examples : []).flatMap((e) => {
      const ex = obj(e);
      const img = (v: unknown) => (typeof v === 'string' && v.startsWith('data:image/') ? v : null);
      const [blurred, model, sharp] = [img(ex.blurred), img(ex.model), img(ex.sharp)];
      if (!blurred || !model || !sharp) return [];
      return [{ kind: ex.kind === 'worst' ? 'worst' : 'best', name: str(ex.name) ?? '?', level: str(ex.level) ?? '?', gainDb: num(ex.gainDb), blurred, model, wiener: img(ex.wiener), sharp }];
    }),
  };
}

/** PSNR gain of the model over the blurred input for one image; null when either is unknown or infinite. */
export function imageGain(row: ImageRow): number | null {
  const m = row.model.psnr;
  const i = row.identity.psnr;
  return m !== null && i !== null && Number.isFinite(m) && Number.isFinite(i) ? m - i : null;
}

/** Asks the engine for an evaluation file's content (`evaluation.read`: the engine checks its format). */
export async function loadEvaluation(api: DeblurApi, path: string): Promise<Evaluation> {
  return readEvaluation(await api.call('evaluation.read', { path }));
}
