/**
 * Quadratic discriminant analysis: one Gaussian per class over standardised features, covariances shrunk
 * towards the identity (few samples, correlated spectrum bins). Small enough to ship as JSON and to fit in
 * seconds, and it gives calibrated-enough posteriors to say how sure an estimate is.
 */

export interface QdaModel {
  mean: number[];
  scale: number[];
  classes: Array<{ label: number; mean: number[]; inverse: number[][]; logDet: number }>;
}

function standardiser(rows: Float64Array[]): { mean: number[]; scale: number[] } {
  const d = rows[0]!.length;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length);
  const scale = mean.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / rows.length) || 1);
  return { mean, scale };
}

export function standardise(model: Pick<QdaModel, 'mean' | 'scale'>, x: ArrayLike<number>): number[] {
  return model.mean.map((m, j) => (x[j]! - m) / model.scale[j]!);
}

/** Inverse and log-determinant of a symmetric positive-definite matrix (Cholesky). */
export function invertSpd(a: number[][]): { inverse: number[][]; logDet: number } {
  const n = a.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (s <= 0) throw new Error('covariance is not positive definite');
        l[i]![i] = Math.sqrt(s);
      } else l[i]![j] = s / l[j]![j]!;
    }
  }
  const logDet = 2 * l.reduce((s, row, i) => s + Math.log(row[i]!), 0);
  // inverse of L by forward substitution, then L⁻ᵀ L⁻¹
  const li = l.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    li[i]![i] = 1 / l[i]![i]!;
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i]![k]! * li[k]![j]!;
      li[i]![j] = s / l[i]![i]!;
    }
  }
  const inverse = l.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = Math.max(i, j); k < n; k++) s += li[k]![i]! * li[k]![j]!;
    inverse[i]![j] = s;
  }
  return { inverse, logDet };
}

export function fitQda(rows: Float64Array[], labels: number[], shrink = 0.05): QdaModel {
  if (rows.length !== labels.length || rows.length === 0) throw new Error('fitQda: rows and labels differ in length or are empty');
  const std = standardiser(rows);
  const z = rows.map((r) => standardise(std, r));
  const d = z[0]!.length;
  const classes = [...new Set(labels)].sort((a, b) => a - b).map((label) => {
    const members = z.filter((_, i) => labels[i] === label);
    const mean = Array.from({ length: d }, (_, j) => members.reduce((s, r) => s + r[j]!, 0) / members.length);
    const cov = Array.from({ length: d }, (_, i) =>
      Array.from({ length: d }, (_, j) => members.reduce((s, r) => s + (r[i]! - mean[i]!) * (r[j]! - mean[j]!), 0) / Math.max(1, members.length - 1)),
    );
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i]![j] = (1 - shrink) * cov[i]![j]! + (i === j ? shrink : 0);
    return { label, mean, ...invertSpd(cov) };
  });
  return { ...std, classes };
}

/** Log-likelihood of each class (up to a shared constant), in the model's class order. */
export function qdaLogLikelihoods(model: QdaModel, x: ArrayLike<number>): number[] {
  const z = standardise(model, x);
  return model.classes.map((c) => {
    const diff = z.map((v, i) => v - c.mean[i]!);
    let q = 0;
    for (let i = 0; i < diff.length; i++) {
      let row = 0;
      for (let j = 0; j < diff.length; j++) row += c.inverse[i]![j]! * diff[j]!;
      q += diff[i]! * row;
    }
    return -0.5 * q - 0.5 * c.logDet;
  });
}

/** Posterior probability of each class (equal priors), in the model's class order. */
export function qdaPosteriors(model: QdaModel, x: ArrayLike<number>): Array<{ label: number; p: number }> {
  const ll = qdaLogLikelihoods(model, x);
  const top = Math.max(...ll);
  const e = ll.map((v) => Math.exp(v - top));
  const sum = e.reduce((a, b) => a + b, 0);
  return model.classes.map((c, i) => ({ label: c.label, p: e[i]! / sum }));
}

/**
 * Log odds of class `positive` against class `negative` (equal priors): log-likelihoods subtracted, so it stays
 * finite where a posterior would round to 0 or 1.
 */
export function qdaLogOdds(model: QdaModel, x: ArrayLike<number>, positive: number, negative: number): number {
  const ll = qdaLogLikelihoods(model, x);
  const at = (label: number) => {
    const i = model.classes.findIndex((c) => c.label === label);
    if (i < 0) throw new Error(`qda: no class ${label}`);
    return ll[i]!;
  };
  return at(positive) - at(negative);
}
