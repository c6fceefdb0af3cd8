/**
 * Streaming estimates of the posterior variance or covariance by Welford's algorithm (Welford
 * 1962, "Note on a method for calculating corrected sums of squares and products"), with Stan's
 * regularization of the result towards a small multiple of the identity:
 * (n / (n + 5)) * Sigma + 1e-3 * (5 / (n + 5)) * I.
 */

/**
 * Running mean and sum of squared deviations of vectors (diagonal or full).
 *
 * @example
 * const welford = new WelfordEstimator(1, false);
 * for (const x of [1, 2, 3, 4]) welford.add(Float64Array.of(x));
 * welford.sampleCovariance(); // Float64Array [1.6666...], the sample variance
 */
export class WelfordEstimator {
  private count = 0;
  private readonly mean: Float64Array;
  /** Sums of products of deviations: `dim` entries (diagonal) or dim x dim row-major (dense). */
  private readonly sumSquares: Float64Array;
  private readonly delta: Float64Array;

  constructor(
    readonly dim: number,
    readonly dense: boolean,
  ) {
    this.mean = new Float64Array(dim);
    this.sumSquares = new Float64Array(dense ? dim * dim : dim);
    this.delta = new Float64Array(dim);
  }

  /** Number of vectors added since the last reset. */
  get numSamples(): number {
    return this.count;
  }

  /**
   * Adds one draw.
   *
   * @example
   * const estimator = new WelfordEstimator(2, false);
   * estimator.add(Float64Array.of(1, 2));
   */
  add(x: Float64Array): void {
    const { dim, mean, sumSquares } = this;
    const delta = this.delta;
    this.count++;
    for (let i = 0; i < dim; i++) {
      delta[i] = x[i] - mean[i];
      mean[i] += delta[i] / this.count;
    }
    if (this.dense) {
      for (let i = 0; i < dim; i++) {
        const after = x[i] - mean[i];
        for (let j = 0; j < dim; j++) sumSquares[i * dim + j] += after * delta[j];
      }
    } else {
      for (let i = 0; i < dim; i++) sumSquares[i] += delta[i] * (x[i] - mean[i]);
    }
  }

  /** Forgets every draw. */
  reset(): void {
    this.count = 0;
    this.mean.fill(0);
    this.sumSquares.fill(0);
  }

  /** The sample variance (or covariance, row-major) with denominator n - 1. */
  sampleCovariance(): Float64Array {
    return this.symmetric(this.sumSquares.map((s) => s / (this.count - 1)));
  }

  /**
   * The sums of squared deviations from the mean (dense: of products, row-major): the sample
   * covariance times n - 1.
   *
   * @example
   * const welford = new WelfordEstimator(1, false);
   * for (const x of [1, 2, 3]) welford.add(Float64Array.of(x));
   * welford.sumsOfSquares(); // Float64Array [2]
   */
  sumsOfSquares(): Float64Array {
    return this.symmetric(this.sumSquares.slice());
  }

  // The update rounds [i, j] and [j, i] differently; their average makes a dense estimate
  // exactly symmetric (a covariance near 0 is all rounding, and its copies can differ).
  private symmetric(out: Float64Array): Float64Array {
    if (!this.dense) return out;
    const dim = this.dim;
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < i; j++) {
        const mean = (out[i * dim + j] + out[j * dim + i]) / 2;
        out[i * dim + j] = mean;
        out[j * dim + i] = mean;
      }
    }
    return out;
  }

  /**
   * Stan's regularized estimate of the inverse mass matrix:
   * (n / (n + 5)) * Sigma + 1e-3 * (5 / (n + 5)) on the diagonal.
   *
   * @example
   * const estimator = new WelfordEstimator(2, false);
   * for (const x of [[1, 2], [2, 0], [3, 1]]) estimator.add(Float64Array.from(x));
   * estimator.regularizedCovariance(); // Float64Array of dim (or dim * dim) entries
   */
  regularizedCovariance(): Float64Array {
    const n = this.count;
    const out = this.sampleCovariance().map((s) => (n / (n + 5)) * s);
    const shrinkage = 1e-3 * (5 / (n + 5));
    for (let i = 0; i < this.dim; i++) out[this.dense ? i * this.dim + i : i] += shrinkage;
    return out;
  }
}
