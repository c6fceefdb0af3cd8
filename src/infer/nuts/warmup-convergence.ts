/**
 * How long a warmup took to settle: after how many warmup iterations the step size and the
 * metric stayed close to the values sampling used. A warmup records, at each iteration, the step
 * size it would end with if it ended there (for dual averaging, the iterate average) and, at
 * about 100 checkpoints, the diagonal of its current M^{-1}; at the end both are compared with
 * the final ones. A warmup whose parameters settle long before its end could have been
 * shorter: run the next chains of that model with fewer warmup iterations.
 *
 * "Close" is a factor: the step size within `stepSizeFactor` (default 1.2) of the final one, and
 * every coordinate's variance under the metric (diagonal of M^{-1}) within `metricFactor`
 * (default 1.5) of its final value.
 */
import type { HmcParameters } from "./kernel.js";
import { lowRankInverseMassDiagonal } from "./low-rank-metric.js";

/** When a warmup's parameters settled (counts of warmup iterations run, 0 = from the start). */
export interface WarmupConvergence {
  /** Iterations after which the would-be final step size stayed within a factor 1.2 of the final one. */
  readonly stepSizeSettledAt: number;
  /** Iterations after which the metric's diagonal stayed within a factor 1.5 of the final one. */
  readonly metricSettledAt: number;
  /** The later of the two: a warmup this long would have ended with about the same parameters. */
  readonly settledAt: number;
  /** The iteration count at the last change of the metric (0: never changed). */
  readonly lastMetricUpdate: number;
}

/** Tolerances of `WarmupTracker`. */
export interface SettledFactors {
  readonly stepSizeFactor: number;
  readonly metricFactor: number;
}

const DEFAULT_FACTORS: SettledFactors = { stepSizeFactor: 1.2, metricFactor: 1.5 };

/** Checkpoints of the metric over a warmup. */
const NUM_CHECKPOINTS = 100;

/**
 * Records a warmup's step sizes and metrics as it runs; a mutable accumulator that a warmup
 * state carries (like the Welford estimator of windowed adaptation).
 *
 * @example
 * const tracker = new WarmupTracker(100);
 * for (let i = 0; i < 100; i++) {
 *   // the step size warmup would end with after iteration i, the metric, whether it changed
 *   tracker.record(i, 0.5 + 1 / (i + 1), () => Float64Array.of(1), i === 74);
 * }
 * tracker.result(0.51, Float64Array.of(1)); // when the step size and the metric settled
 */
export class WarmupTracker {
  private readonly stepSizes: Float64Array;
  private readonly checkpointEvery: number;
  /** Metric diagonal after iteration count (i + 1), at checkpoints. */
  private readonly checkpoints: Array<{ count: number; diagonal: Float64Array }> = [];
  private lastUpdate = 0;
  private pendingDiagonal: Float64Array | undefined;

  constructor(
    readonly numWarmup: number,
    readonly factors: SettledFactors = DEFAULT_FACTORS,
  ) {
    this.stepSizes = new Float64Array(numWarmup);
    this.checkpointEvery = Math.max(1, Math.ceil(numWarmup / NUM_CHECKPOINTS));
  }

  /**
   * Records warmup iteration `iteration` (0-based): the step size warmup would end with now,
   * the metric's diagonal (read only at checkpoints) and whether the metric changed at it.
   */
  record(
    iteration: number,
    stepSize: number,
    metricDiagonal: () => Float64Array,
    metricChanged: boolean,
  ): void {
    if (iteration >= this.numWarmup) return;
    this.stepSizes[iteration] = stepSize;
    if (metricChanged) {
      this.lastUpdate = iteration + 1;
      this.pendingDiagonal = undefined;
    }
    const count = iteration + 1;
    if (count % this.checkpointEvery === 0 || count === this.numWarmup) {
      this.pendingDiagonal ??= metricDiagonal();
      this.checkpoints.push({ count, diagonal: this.pendingDiagonal });
    }
  }

  /** When the step size and the metric settled, given those sampling uses. */
  result(finalStepSize: number, finalDiagonal: Float64Array): WarmupConvergence {
    const logStep = Math.log(this.factors.stepSizeFactor);
    let stepSizeSettledAt = 0;
    for (let i = this.numWarmup - 1; i >= 0; i--) {
      if (!(Math.abs(Math.log(this.stepSizes[i] / finalStepSize)) <= logStep)) {
        stepSizeSettledAt = i + 1;
        break;
      }
    }
    const logMetric = Math.log(this.factors.metricFactor);
    // The first checkpoint from which every later one is close to the final metric.
    let metricSettledAt = 0;
    for (let c = this.checkpoints.length - 1; c >= 0; c--) {
      if (!withinFactor(this.checkpoints[c].diagonal, finalDiagonal, logMetric)) {
        metricSettledAt = this.checkpoints[c + 1]?.count ?? this.numWarmup;
        break;
      }
    }
    return {
      stepSizeSettledAt,
      metricSettledAt,
      settledAt: Math.max(stepSizeSettledAt, metricSettledAt),
      lastMetricUpdate: this.lastUpdate,
    };
  }
}

function withinFactor(a: Float64Array, b: Float64Array, logFactor: number): boolean {
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(Math.log(a[i] / b[i])) <= logFactor)) return false;
  }
  return true;
}

/**
 * The diagonal of M^{-1} of a sampler's parameters, whatever the metric's kind: each
 * coordinate's variance under the metric.
 *
 * @example
 * inverseMassDiagonal({ stepSize: 1, inverseMassMatrix: Float64Array.of(2, 1, 1, 3), denseMass: true });
 * // Float64Array [2, 3]
 */
export function inverseMassDiagonal(parameters: HmcParameters): Float64Array {
  const { inverseMassMatrix, denseMass, lowRankCorrection } = parameters;
  if (lowRankCorrection !== undefined) {
    return lowRankInverseMassDiagonal(inverseMassMatrix, lowRankCorrection);
  }
  if (!denseMass) return inverseMassMatrix;
  const dim = Math.round(Math.sqrt(inverseMassMatrix.length));
  return Float64Array.from({ length: dim }, (_, i) => inverseMassMatrix[i * dim + i]);
}
