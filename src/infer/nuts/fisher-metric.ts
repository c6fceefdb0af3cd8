/**
 * Metrics from draws and gradients by minimizing a Fisher divergence (Seyboldt, Carlson &
 * Carpenter 2026, "Preconditioning Hamiltonian Monte Carlo by minimizing Fisher divergence",
 * arXiv 2603.18845; the nutpie sampler). The metric is the linear map x = A y under which the
 * target, seen in y, is closest to a standard normal in the sample Fisher divergence: its scores
 * (gradients of the log density) should be -y. For a Gaussian target both the draws'
 * covariance S and the gradients' covariance G determine the covariance (G = S^{-1}); using
 * both makes the estimate converge much faster than a variance estimate from draws alone.
 *
 * - Diagonal: M^{-1}_ii = sqrt(Var(x_i) / Var(g_i)), exact for a Gaussian with diagonal
 *   covariance from as few as two distinct draws.
 * - Low rank plus diagonal: after that diagonal rescaling, the SPD geometric mean of the
 *   regularized draw and gradient covariances, restricted to the span of the draws and
 *   gradients (M solving M G M = S), whose eigenvalues outside [1/c, c] become the low-rank
 *   correction (low-rank-metric.ts); the others count as 1.
 *
 * Our addition, a variance floor: for a target that is not Gaussian the geometric mean can fall
 * far below the draws' covariance S in some directions (on posteriordb's gp_pois_regr, a fifth
 * of the posterior variance of the GP's length scale and magnitude), and NUTS then moves too
 * little along them per trajectory (fewer effective draws of them per draw). The low-rank
 * estimate is raised to at least `varianceFloor` times S in every direction (in the
 * basis where S and G are both diagonal, see `spdMean`), and its diagonal scale to at least
 * that fraction of each coordinate's variance. For a Gaussian target S = G^{-1} and the floor
 * changes nothing.
 *
 * Each estimator keeps two windows of draws, as nutpie does: the foreground one gives the
 * metric, the background one collects the draws of the next; switching makes the background
 * the foreground and starts a new background, so the metric always rests on recent draws.
 */
import { ArrayArena } from "./array-arena.js";
import { choleskyLower, solveUpperTransposed } from "./cholesky.js";
import type { LowRankCorrection } from "./low-rank-metric.js";
import { spectralFunction, symmetricEigen } from "./symmetric-eigen.js";
import { WelfordEstimator } from "./welford.js";

/** A metric estimate as the parameters of a sampler hold it (see kernel.ts `HmcParameters`). */
export interface MetricEstimate {
  /** The diagonal of M^{-1}, or the scale D^2 of a low-rank metric. */
  readonly inverseMassMatrix: Float64Array;
  readonly lowRankCorrection?: LowRankCorrection;
}

/** Settings of the low-rank estimator (nutpie's defaults in mcmc/defaults.ts). */
export interface LowRankSettings {
  /**
   * Regularization: the draw and gradient scatter matrices (sums of outer products after the
   * diagonal rescaling) are divided by gamma before the identity is added to each, so a smaller
   * gamma regularizes less.
   */
  readonly gamma: number;
  /** Eigenvalues in [1 / eigvalCutoff, eigvalCutoff] are dropped (taken as 1). */
  readonly eigvalCutoff: number;
  /**
   * The metric's variance in any direction is at least this fraction of the window's draws'
   * variance there (0: the Fisher-divergence estimate alone, as nutpie).
   */
  readonly varianceFloor: number;
}

/** A running estimate over a foreground and a background window of draws and gradients. */
export interface FisherEstimator {
  /** Adds a draw and the gradient of the potential there to both windows (if both are finite). */
  add(position: Float64Array, gradient: Float64Array): void;
  /** The background window becomes the foreground one; a new background starts empty. */
  switchWindows(): void;
  /** Draws in the foreground window (those the estimate uses). */
  readonly count: number;
  /** Draws in the background window. */
  readonly backgroundCount: number;
  /**
   * The metric of the foreground window, or undefined when it cannot be estimated (fewer than
   * 3 draws, or degenerate draws). `previous` fills coordinates that cannot be estimated.
   */
  estimate(previous: MetricEstimate): MetricEstimate | undefined;
}

/** The range Stan's and nutpie's metric entries are kept in. */
const LOWER_LIMIT = 1e-20;
const UPPER_LIMIT = 1e20;

/**
 * The diagonal Fisher-divergence metric sqrt(Var(x_i) / Var(g_i)), clamped to [1e-20, 1e20];
 * where a ratio is not finite or is 0, the entry of `previous` (default 1).
 *
 * @example
 * fisherDiagonal(Float64Array.of(4, 1), Float64Array.of(0.25, 1)); // Float64Array [4, 1]
 */
export function fisherDiagonal(
  drawVariance: Float64Array,
  gradientVariance: Float64Array,
  previous?: Float64Array,
): Float64Array {
  return drawVariance.map((v, i) => {
    const ratio = Math.sqrt(v / gradientVariance[i]);
    if (!(Number.isFinite(ratio) && ratio > 0)) return previous?.[i] ?? 1;
    return Math.min(UPPER_LIMIT, Math.max(LOWER_LIMIT, ratio));
  });
}

/**
 * The first metric of a chain, from the gradient at its initial point alone (nutpie's
 * initialization): 1 / |g_i|, clamped to [1e-20, 1e20], 1 where g_i is 0 or not finite.
 *
 * @example
 * gradientInitialMetric(Float64Array.of(2, 0)); // Float64Array [0.5, 1]
 */
export function gradientInitialMetric(gradient: Float64Array): Float64Array {
  return gradient.map((g) => {
    const v = 1 / Math.min(UPPER_LIMIT, Math.max(LOWER_LIMIT, Math.abs(g)));
    return Number.isFinite(v) && Math.abs(g) > 0 ? v : 1;
  });
}

/**
 * The diagonal estimator: running variances of draws and gradients in two windows.
 *
 * @example
 * const estimator = new DiagonalFisherEstimator(1);
 * for (const q of [-1, 0, 1, 2]) estimator.add(Float64Array.of(q), Float64Array.of(-q));
 * estimator.estimate({ inverseMassMatrix: Float64Array.of(1) }); // about sqrt(var q / var g)
 */
export class DiagonalFisherEstimator implements FisherEstimator {
  private draws: WelfordEstimator;
  private gradients: WelfordEstimator;
  private backgroundDraws: WelfordEstimator;
  private backgroundGradients: WelfordEstimator;

  constructor(readonly dim: number) {
    this.draws = new WelfordEstimator(dim, false);
    this.gradients = new WelfordEstimator(dim, false);
    this.backgroundDraws = new WelfordEstimator(dim, false);
    this.backgroundGradients = new WelfordEstimator(dim, false);
  }

  add(position: Float64Array, gradient: Float64Array): void {
    if (!allFiniteArray(position) || !allFiniteArray(gradient)) return;
    this.draws.add(position);
    this.gradients.add(gradient);
    this.backgroundDraws.add(position);
    this.backgroundGradients.add(gradient);
  }

  switchWindows(): void {
    [this.draws, this.backgroundDraws] = [this.backgroundDraws, this.draws];
    [this.gradients, this.backgroundGradients] = [this.backgroundGradients, this.gradients];
    this.backgroundDraws.reset();
    this.backgroundGradients.reset();
  }

  get count(): number {
    return this.draws.numSamples;
  }

  get backgroundCount(): number {
    return this.backgroundDraws.numSamples;
  }

  estimate(previous: MetricEstimate): MetricEstimate | undefined {
    if (this.count < 3) return undefined;
    const last = previous.lowRankCorrection === undefined ? previous.inverseMassMatrix : undefined;
    return {
      inverseMassMatrix: fisherDiagonal(
        this.draws.sampleCovariance(),
        this.gradients.sampleCovariance(),
        last,
      ),
    };
  }
}

/**
 * The low-rank estimator: the draws and gradients of two windows, kept in order.
 *
 * @example
 * const estimator = new LowRankFisherEstimator(2, { gamma: 1e-5, eigvalCutoff: 2 });
 * estimator.add(Float64Array.of(0, 1), Float64Array.of(0, -1));
 * estimator.estimate(); // undefined until the window holds enough draws
 */
export class LowRankFisherEstimator implements FisherEstimator {
  private readonly draws: Float64Array[] = [];
  private readonly gradients: Float64Array[] = [];
  private readonly arena: ArrayArena;
  /** Index of the first background draw. */
  private split = 0;
  // Running sums of products of deviations of both windows together and of the background:
  // once the window holds dim / 2 draws, the estimate needs only these, not a pass over the
  // rows (the rows stay for the smaller windows, whose span is less than R^dim).
  private windowDraws: WelfordEstimator;
  private windowGradients: WelfordEstimator;
  private backgroundDraws: WelfordEstimator;
  private backgroundGradients: WelfordEstimator;

  constructor(
    readonly dim: number,
    readonly settings: LowRankSettings,
  ) {
    this.arena = new ArrayArena(dim);
    this.windowDraws = new WelfordEstimator(dim, true);
    this.windowGradients = new WelfordEstimator(dim, true);
    this.backgroundDraws = new WelfordEstimator(dim, true);
    this.backgroundGradients = new WelfordEstimator(dim, true);
  }

  add(position: Float64Array, gradient: Float64Array): void {
    if (!allFiniteArray(position) || !allFiniteArray(gradient)) return;
    this.draws.push(this.arena.copyOf(position));
    this.gradients.push(this.arena.copyOf(gradient));
    this.windowDraws.add(position);
    this.windowGradients.add(gradient);
    this.backgroundDraws.add(position);
    this.backgroundGradients.add(gradient);
  }

  switchWindows(): void {
    this.draws.splice(0, this.split);
    this.gradients.splice(0, this.split);
    this.split = this.draws.length;
    [this.windowDraws, this.backgroundDraws] = [this.backgroundDraws, this.windowDraws];
    [this.windowGradients, this.backgroundGradients] = [
      this.backgroundGradients,
      this.windowGradients,
    ];
    this.backgroundDraws.reset();
    this.backgroundGradients.reset();
  }

  get count(): number {
    return this.draws.length;
  }

  get backgroundCount(): number {
    return this.draws.length - this.split;
  }

  estimate(): MetricEstimate | undefined {
    if (this.count < 3) return undefined;
    if (2 * this.count >= this.dim) {
      return lowRankFisherFromSums(
        this.windowDraws.sumsOfSquares(),
        this.windowGradients.sumsOfSquares(),
        this.count,
        this.settings,
      );
    }
    return lowRankFisherEstimate(this.draws, this.gradients, this.settings);
  }
}

function allFiniteArray(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

/**
 * The SPD geometric mean M of two symmetric positive-definite n x n matrices (row-major): the
 * solution of M B M = A, M = B^{-1/2} (B^{1/2} A B^{1/2})^{1/2} B^{-1/2}. For a Gaussian
 * target whose draws have covariance A and gradients covariance B = A^{-1}, M = A.
 *
 * With `floor` > 0, M is raised to at least floor * A: with B = L L^T and L^T A L = V X V^T,
 * A = P X P^T and B^{-1} = P P^T for P = L^{-T} V, so both are diagonal in the basis P, and
 * M = P diag(max(sqrt(x), floor * x)) P^T (the mean alone: P diag(sqrt(x)) P^T). In that
 * basis M is at least the mean and at least floor * A, and equal to one of them.
 *
 * @example
 * spdMean(Float64Array.of(1, 0, 0, 4), Float64Array.of(1, 0, 0, 1), 2); // diag(1, 2)
 * spdMean(Float64Array.of(1, 0, 0, 4), Float64Array.of(1, 0, 0, 1), 2, 1); // diag(1, 4)
 */
export function spdMean(a: Float64Array, b: Float64Array, n: number, floor = 0): Float64Array {
  // With B = L L^T (Cholesky), M = L^{-T} (L^T A L)^{1/2} L^{-1}: M B M = L^{-T} S^2 L^{-1} = A.
  // One eigendecomposition (for the square root) instead of two through B^{1/2}.
  const lower = choleskyLower(b, n);
  if (typeof lower === "number") {
    throw new RangeError("spdMean: the second matrix is not positive definite");
  }
  const inner = symmetricEigen(congruenceByLower(a, lower, n), n);
  const root = spectralFunction(inner, n, (v) => Math.max(Math.sqrt(Math.max(v, 0)), floor * v));
  const half = solveLowerTransposed(lower, root, n); // L^{-T} S
  transposeInPlace(half, n); // S L^{-1}
  const mean = solveLowerTransposed(lower, half, n); // L^{-T} S L^{-1}
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const average = 0.5 * (mean[i * n + j] + mean[j * n + i]);
      mean[i * n + j] = average;
      mean[j * n + i] = average;
    }
  }
  return mean;
}

/** L^T A L for lower-triangular L, symmetric. */
function congruenceByLower(a: Float64Array, l: Float64Array, n: number): Float64Array {
  const al = new Float64Array(n * n); // A L: column j sums over k >= j
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = j; k < n; k++) sum += a[i * n + k] * l[k * n + j];
      al[i * n + j] = sum;
    }
  }
  const out = new Float64Array(n * n); // L^T (A L): row i sums over k >= i
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let k = i; k < n; k++) sum += l[k * n + i] * al[k * n + j];
      out[i * n + j] = sum;
      out[j * n + i] = sum;
    }
  }
  return out;
}

/** X = L^{-T} Y, column by column of Y (the dense metric's triangular solve). */
function solveLowerTransposed(l: Float64Array, y: Float64Array, n: number): Float64Array {
  const x = new Float64Array(n * n);
  const column = new Float64Array(n);
  const solved = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < n; i++) column[i] = y[i * n + c];
    solveUpperTransposed(l, n, column, solved);
    for (let i = 0; i < n; i++) x[i * n + c] = solved[i];
  }
  return x;
}

function transposeInPlace(m: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const t = m[i * n + j];
      m[i * n + j] = m[j * n + i];
      m[j * n + i] = t;
    }
  }
}

/**
 * An orthonormal basis (as rows) of the span of `vectors` (each of length dim), by modified
 * Gram-Schmidt with a second pass; directions that add less than 1e-10 of their norm are dropped.
 */
function orthonormalBasis(vectors: readonly Float64Array[], dim: number): Float64Array[] {
  const basis: Float64Array[] = [];
  for (const v of vectors) {
    if (basis.length >= dim) break;
    const u = Float64Array.from(v);
    let norm0 = 0;
    for (let i = 0; i < dim; i++) norm0 += u[i] * u[i];
    if (!(norm0 > 0)) continue;
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        let dot = 0;
        for (let i = 0; i < dim; i++) dot += b[i] * u[i];
        for (let i = 0; i < dim; i++) u[i] -= dot * b[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < dim; i++) norm += u[i] * u[i];
    if (!(norm > 1e-20 * norm0)) continue;
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < dim; i++) u[i] *= inv;
    basis.push(u);
  }
  return basis;
}

/**
 * (P^T P) / gamma + I for P (n x k, row-major), as a row-major k x k matrix; products are
 * symmetric, so the upper triangle is mirrored.
 */
function regularizedScatter(rows: Float64Array, k: number, gamma: number): Float64Array {
  const n = rows.length / k;
  const scatter = new Float64Array(k * k);
  // Row by row (sequential reads), the upper triangle only.
  for (let r = 0; r < n; r++) {
    const offset = r * k;
    for (let a = 0; a < k; a++) {
      const ra = rows[offset + a];
      const rowOfScatter = a * k;
      for (let b = a; b < k; b++) scatter[rowOfScatter + b] += ra * rows[offset + b];
    }
  }
  for (let a = 0; a < k; a++) {
    scatter[a * k + a] = scatter[a * k + a] / gamma + 1;
    for (let b = a + 1; b < k; b++) {
      const value = scatter[a * k + b] / gamma;
      scatter[a * k + b] = value;
      scatter[b * k + a] = value;
    }
  }
  return scatter;
}

/**
 * The low-rank plus diagonal Fisher-divergence metric of n draws and the gradients of the
 * potential there (the sign of the gradients does not matter), or undefined when a coordinate
 * has no spread in draws or gradients.
 *
 * Steps: the diagonal scale sigma_i^2 = max(sqrt(Var(x_i) / Var(g_i)), varianceFloor Var(x_i))
 * (population variances, clamped to [1e-20, 1e20] as the diagonal estimate is);
 * rescaled centred draws (x - mean) / sigma and gradients (g - mean) sigma; an orthonormal basis
 * Q of their span (all of R^dim when 2n >= dim); the projected scatter matrices divided by
 * gamma plus the identity; their SPD mean, raised to the variance floor; its eigenvalues outside [1 / cutoff, cutoff] with
 * their eigenvectors mapped back by Q.
 *
 * @example
 * // draws of N(0, diag(1, 4)) and their gradients of U(q) = q0^2 / 2 + q1^2 / 8
 * const draws = [[1, 2], [-1, 1], [0.5, -3], [-0.2, 2.5], [0.8, -1]].map((q) => Float64Array.from(q));
 * const gradients = draws.map((q) => Float64Array.of(q[0], q[1] / 4));
 * const estimate = lowRankFisherEstimate(draws, gradients, { gamma: 1e-5, eigvalCutoff: 2, varianceFloor: 0 });
 * estimate?.inverseMassMatrix; // about [1, 4]
 */
export function lowRankFisherEstimate(
  draws: readonly Float64Array[],
  gradients: readonly Float64Array[],
  settings: LowRankSettings,
): MetricEstimate | undefined {
  const n = draws.length;
  const dim = draws[0].length;
  const sigma = new Float64Array(dim);
  const drawMean = new Float64Array(dim);
  const gradientMean = new Float64Array(dim);
  // Two passes over the rows, each row read in order: the means, then the centred squares.
  for (let k = 0; k < n; k++) {
    const x = draws[k];
    const g = gradients[k];
    for (let i = 0; i < dim; i++) {
      drawMean[i] += x[i];
      gradientMean[i] += g[i];
    }
  }
  for (let i = 0; i < dim; i++) {
    drawMean[i] /= n;
    gradientMean[i] /= n;
  }
  const drawSquares = new Float64Array(dim);
  const gradientSquares = new Float64Array(dim);
  for (let k = 0; k < n; k++) {
    const x = draws[k];
    const g = gradients[k];
    for (let i = 0; i < dim; i++) {
      const dx = x[i] - drawMean[i];
      const dg = g[i] - gradientMean[i];
      drawSquares[i] += dx * dx;
      gradientSquares[i] += dg * dg;
    }
  }
  for (let i = 0; i < dim; i++) {
    const variance = scaleVariance(drawSquares[i], gradientSquares[i], n, settings);
    if (variance === undefined) return undefined;
    sigma[i] = Math.sqrt(variance);
  }
  // Rescaled rows, flat (row r at r * dim): one buffer rather than an array per draw.
  const scaledDraws = new Float64Array(n * dim);
  const scaledGradients = new Float64Array(n * dim);
  for (let r = 0; r < n; r++) {
    const x = draws[r];
    const g = gradients[r];
    for (let i = 0; i < dim; i++) {
      scaledDraws[r * dim + i] = (x[i] - drawMean[i]) / sigma[i];
      scaledGradients[r * dim + i] = (g[i] - gradientMean[i]) * sigma[i];
    }
  }
  const rowsOf = (flat: Float64Array) =>
    Array.from({ length: n }, (_, r) => flat.subarray(r * dim, (r + 1) * dim));
  // Q as rows; the identity when the draws and gradients can span every direction, and then
  // the projection is the identity too (the rows themselves: the same scatter sums).
  const identity = 2 * n >= dim;
  const basis = identity
    ? undefined
    : orthonormalBasis([...rowsOf(scaledDraws), ...rowsOf(scaledGradients)], dim);
  const k = basis === undefined ? dim : basis.length;
  const project = (flat: Float64Array): Float64Array => {
    if (basis === undefined) return flat;
    const projected = new Float64Array(n * k);
    for (let r = 0; r < n; r++) {
      for (let b = 0; b < k; b++) {
        const q = basis[b];
        let dot = 0;
        for (let i = 0; i < dim; i++) dot += q[i] * flat[r * dim + i];
        projected[r * k + b] = dot;
      }
    }
    return projected;
  };
  const drawScatter = regularizedScatter(project(scaledDraws), k, settings.gamma);
  const gradientScatter = regularizedScatter(project(scaledGradients), k, settings.gamma);
  return lowRankFromScatters(drawScatter, gradientScatter, basis, sigma, n, settings);
}

/**
 * The low-rank Fisher-divergence metric from the sums of products of deviations from their
 * means (dim x dim, row-major; `WelfordEstimator.sumsOfSquares`) of `count` draws and their
 * gradients: the same estimate as `lowRankFisherEstimate` of those draws when 2 count >= dim,
 * without the rows.
 *
 * @example
 * // The sums of 4 draws of a Gaussian and their gradients agree: covariance diag(1, 4).
 * const estimate = lowRankFisherFromSums(Float64Array.of(4, 0, 0, 16), Float64Array.of(4, 0, 0, 1), 4, { gamma: 1e-5, eigvalCutoff: 2, varianceFloor: 1 });
 * estimate?.inverseMassMatrix; // [1, 4]
 */
export function lowRankFisherFromSums(
  drawSums: Float64Array,
  gradientSums: Float64Array,
  count: number,
  settings: LowRankSettings,
): MetricEstimate | undefined {
  const dim = Math.round(Math.sqrt(drawSums.length));
  const sigma = new Float64Array(dim);
  for (let i = 0; i < dim; i++) {
    const variance = scaleVariance(
      drawSums[i * dim + i],
      gradientSums[i * dim + i],
      count,
      settings,
    );
    if (variance === undefined) return undefined;
    sigma[i] = Math.sqrt(variance);
  }
  // The scatter of the rescaled rows, (x - mean) / sigma and (g - mean) sigma, divided by gamma,
  // plus the identity.
  const drawScatter = new Float64Array(dim * dim);
  const gradientScatter = new Float64Array(dim * dim);
  for (let a = 0; a < dim; a++) {
    for (let b = 0; b < dim; b++) {
      const identity = a === b ? 1 : 0;
      drawScatter[a * dim + b] =
        drawSums[a * dim + b] / (sigma[a] * sigma[b]) / settings.gamma + identity;
      gradientScatter[a * dim + b] =
        (gradientSums[a * dim + b] * (sigma[a] * sigma[b])) / settings.gamma + identity;
    }
  }
  return lowRankFromScatters(drawScatter, gradientScatter, undefined, sigma, count, settings);
}

/**
 * The diagonal scale of a coordinate from the sums of squared deviations of `count` draws and
 * of their gradients: sqrt(Var(x) / Var(g)), at least varianceFloor Var(x), clamped to
 * [1e-20, 1e20]; undefined when the draws or the gradients have no spread.
 */
function scaleVariance(
  drawSquares: number,
  gradientSquares: number,
  count: number,
  settings: LowRankSettings,
): number | undefined {
  const variance = Math.sqrt(drawSquares / gradientSquares);
  if (!(Number.isFinite(variance) && variance > 0)) return undefined;
  const floored = Math.max(variance, (settings.varianceFloor * drawSquares) / count);
  return Math.min(UPPER_LIMIT, Math.max(LOWER_LIMIT, floored));
}

/**
 * The low-rank metric from the regularized scatter matrices of `count` draws and gradients in
 * the span of `basis` (k x k; all of R^dim when `basis` is undefined) and the diagonal scale
 * `sigma`.
 */
function lowRankFromScatters(
  drawScatter: Float64Array,
  gradientScatter: Float64Array,
  basis: readonly Float64Array[] | undefined,
  sigma: Float64Array,
  count: number,
  settings: LowRankSettings,
): MetricEstimate | undefined {
  const dim = sigma.length;
  const k = basis === undefined ? dim : basis.length;
  // Extreme draws (a chain far out in the tails) can overflow: no estimate from them.
  if (!allFiniteArray(drawScatter) || !allFiniteArray(gradientScatter)) return undefined;
  let values: Float64Array;
  let vectors: Float64Array;
  try {
    // The draw scatter is count / gamma times the rescaled draws' covariance (plus I), and the
    // mean does not depend on that factor: the floor on the covariance is gamma / count of it.
    const floor = (settings.varianceFloor * settings.gamma) / count;
    const mean = spdMean(drawScatter, gradientScatter, k, floor);
    if (!allFiniteArray(mean)) return undefined;
    ({ values, vectors } = symmetricEigen(mean, k));
  } catch {
    // The eigensolver fails on matrices whose entries span too many orders of magnitude.
    return undefined;
  }
  const cutoff = settings.eigvalCutoff;
  const kept: number[] = [];
  for (let j = 0; j < values.length; j++) {
    if (values[j] > cutoff || values[j] < 1 / cutoff) kept.push(j);
  }
  const lowRankVectors = new Float64Array(kept.length * dim);
  kept.forEach((j, r) => {
    for (let b = 0; b < k; b++) {
      const c = vectors[b * k + j];
      // basis[b] is the unit vector e_b when the basis is the identity.
      for (let i = 0; i < dim; i++) {
        lowRankVectors[r * dim + i] += c * (basis === undefined ? (i === b ? 1 : 0) : basis[b][i]);
      }
    }
  });
  const lowRankValues = Float64Array.from(kept, (j) => values[j]);
  if (!lowRankValues.every((v) => v > 0 && Number.isFinite(v))) return undefined;
  if (!lowRankVectors.every(Number.isFinite)) return undefined;
  return {
    inverseMassMatrix: sigma.map((s) => s * s),
    lowRankCorrection: { vectors: lowRankVectors, values: lowRankValues },
  };
}
