/**
 * A diagonal-plus-low-rank Euclidean metric (Seyboldt, Carlson & Carpenter 2026, "Preconditioning
 * Hamiltonian Monte Carlo by minimizing Fisher divergence", arXiv 2603.18845, section on the
 * low-rank estimator; the nutpie sampler):
 *
 *   M^{-1} = D (I + U (Lambda - I) U^T) D,   D = diag(sqrt(scale)),
 *
 * with U a dim x k matrix of orthonormal columns and Lambda = diag(values) > 0: a diagonal
 * rescaling, then k directions whose variance differs from 1. Every operation costs O(dim k),
 * so a metric that captures the strongest correlations stays cheap in high dimension.
 *
 * Momenta p ~ N(0, M) are drawn as p = D^{-1} (I + U (Lambda^{-1/2} - I) U^T) z: with
 * A = I + U (Lambda^{-1/2} - I) U^T, A A^T = I + U (Lambda^{-1} - I) U^T (U orthonormal), so
 * Cov(p) = D^{-1} A A^T D^{-1} = M.
 */
import { fillNormal, type Key } from "../../primitives/prng.js";
import type { Metric } from "./metric.js";

/** The low-rank part of a metric: k orthonormal directions and their variances. */
export interface LowRankCorrection {
  /** k unit vectors of length dim, row-major: direction j is vectors[j * dim .. (j + 1) * dim). */
  readonly vectors: Float64Array;
  /** The k variances (eigenvalues) along those directions, after the diagonal rescaling. */
  readonly values: Float64Array;
}

/** How far from orthonormal the directions may be (rounding of the estimate). */
const ORTHONORMAL_TOLERANCE = 1e-6;

function checkCorrection(dim: number, correction: LowRankCorrection): number {
  const { vectors, values } = correction;
  const rank = values.length;
  if (vectors.length !== rank * dim) {
    throw new RangeError(
      `lowRankMetric: vectors must hold values.length * dim = ${rank * dim} entries, got ${vectors.length}`,
    );
  }
  for (let j = 0; j < rank; j++) {
    if (!(values[j] > 0 && Number.isFinite(values[j]))) {
      throw new RangeError(
        `lowRankMetric: values must be positive and finite, got ${values[j]} at index ${j}`,
      );
    }
    for (let l = 0; l <= j; l++) {
      let product = 0;
      for (let i = 0; i < dim; i++) product += vectors[j * dim + i] * vectors[l * dim + i];
      const expected = j === l ? 1 : 0;
      if (!(Math.abs(product - expected) <= ORTHONORMAL_TOLERANCE)) {
        throw new RangeError(
          `lowRankMetric: vectors must be orthonormal, got ${product} for the product of directions ${j} and ${l}`,
        );
      }
    }
  }
  return rank;
}

/**
 * y += U diag(factor) U^T y, in place (U: `rank` directions of length dim); `projection` is
 * scratch of length rank.
 */
function addLowRank(
  vectors: Float64Array,
  factor: Float64Array,
  y: Float64Array,
  projection: Float64Array,
): void {
  const dim = y.length;
  const rank = factor.length;
  for (let j = 0; j < rank; j++) {
    let sum = 0;
    const row = j * dim;
    for (let i = 0; i < dim; i++) sum += vectors[row + i] * y[i];
    projection[j] = sum * factor[j];
  }
  for (let j = 0; j < rank; j++) {
    const c = projection[j];
    const row = j * dim;
    for (let i = 0; i < dim; i++) y[i] += c * vectors[row + i];
  }
}

/**
 * The metric M^{-1} = D (I + U (Lambda - I) U^T) D with D^2 = diag(scale).
 *
 * @example
 * // One direction (1, 1) / sqrt(2) with variance 4 on top of the identity.
 * const s = Math.SQRT1_2;
 * const metric = lowRankMetric(Float64Array.of(1, 1), { vectors: Float64Array.of(s, s), values: Float64Array.of(4) });
 * metric.kineticEnergy(Float64Array.of(1, 1)); // (1, 1) M^-1 (1, 1) / 2 = 4 * 2 / 2 = 4
 */
export function lowRankMetric(scale: Float64Array, correction: LowRankCorrection): Metric {
  const dim = scale.length;
  for (let i = 0; i < dim; i++) {
    const v = scale[i];
    if (!(v > 0 && Number.isFinite(v))) {
      throw new RangeError(
        `lowRankMetric: scale entries must be positive and finite, got ${v} at index ${i}`,
      );
    }
  }
  const rank = checkCorrection(dim, correction);
  const vectors = Float64Array.from(correction.vectors);
  const sd = scale.map(Math.sqrt);
  const valuesMinusOne = correction.values.map((v) => v - 1);
  const momentumFactor = correction.values.map((v) => 1 / Math.sqrt(v) - 1);
  const projection = new Float64Array(rank);
  const scratch = new Float64Array(dim);
  // Without a correction (a posterior the diagonal already fits), one loop: the same products
  // in the same order, so the same numbers, for the product NUTS takes at every leapfrog step.
  const multiplyInverseMass =
    rank === 0
      ? (x: Float64Array, out: Float64Array) => {
          for (let i = 0; i < dim; i++) out[i] = sd[i] * x[i] * sd[i];
        }
      : (x: Float64Array, out: Float64Array) => {
          for (let i = 0; i < dim; i++) out[i] = sd[i] * x[i];
          addLowRank(vectors, valuesMinusOne, out, projection);
          for (let i = 0; i < dim; i++) out[i] *= sd[i];
        };
  let dense: Float64Array | undefined;
  return {
    kind: "low-rank",
    dim,
    // dim x dim entries: made only when asked for (reports), never by the sampler.
    get inverseMassMatrix() {
      dense ??= lowRankInverseMassDense(scale, correction);
      return dense;
    },
    multiplyInverseMass,
    kineticEnergy(momentum) {
      multiplyInverseMass(momentum, scratch);
      let sum = 0;
      for (let i = 0; i < dim; i++) sum += momentum[i] * scratch[i];
      return sum / 2;
    },
    sampleMomentum(key: Key, out: Float64Array) {
      fillNormal(key, out);
      addLowRank(vectors, momentumFactor, out, projection);
      for (let i = 0; i < dim; i++) out[i] /= sd[i];
    },
  };
}

/**
 * The dense M^{-1} (dim x dim, row-major) of a low-rank metric: for reports and exports.
 *
 * @example
 * lowRankInverseMassDense(Float64Array.of(1, 1), { vectors: Float64Array.of(1, 0), values: Float64Array.of(3) });
 * // Float64Array [3, 0, 0, 1]
 */
export function lowRankInverseMassDense(
  scale: Float64Array,
  correction: LowRankCorrection,
): Float64Array {
  const dim = scale.length;
  const { vectors, values } = correction;
  const out = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) out[i * dim + i] = 1;
  for (let j = 0; j < values.length; j++) {
    const c = values[j] - 1;
    const row = j * dim;
    for (let a = 0; a < dim; a++) {
      for (let b = 0; b < dim; b++) out[a * dim + b] += c * vectors[row + a] * vectors[row + b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = 0; b < dim; b++) out[a * dim + b] *= Math.sqrt(scale[a] * scale[b]);
  }
  return out;
}

/**
 * The diagonal of M^{-1} of a low-rank metric: each coordinate's variance under the metric.
 *
 * @example
 * lowRankInverseMassDiagonal(Float64Array.of(2, 1), { vectors: Float64Array.of(1, 0), values: Float64Array.of(3) });
 * // Float64Array [6, 1]
 */
export function lowRankInverseMassDiagonal(
  scale: Float64Array,
  correction: LowRankCorrection,
): Float64Array {
  const dim = scale.length;
  const { vectors, values } = correction;
  const out = new Float64Array(dim).fill(1);
  for (let j = 0; j < values.length; j++) {
    for (let i = 0; i < dim; i++) out[i] += (values[j] - 1) * vectors[j * dim + i] ** 2;
  }
  for (let i = 0; i < dim; i++) out[i] *= scale[i];
  return out;
}

const lowRankCache = new WeakMap<LowRankCorrection, { scale: Float64Array; metric: Metric }>();

/**
 * The low-rank metric of `scale` and `correction`, built once per correction object and then
 * reused (kernels are rebuilt at every warmup iteration with a new step size). Neither array
 * may be mutated afterwards.
 *
 * @example
 * const scale = Float64Array.of(1, 2);
 * const correction = { vectors: Float64Array.of(1, 0), values: Float64Array.of(3) };
 * lowRankMetricOf(scale, correction) === lowRankMetricOf(scale, correction); // true
 */
export function lowRankMetricOf(scale: Float64Array, correction: LowRankCorrection): Metric {
  const cached = lowRankCache.get(correction);
  if (cached !== undefined && cached.scale === scale) return cached.metric;
  const metric = lowRankMetric(scale, correction);
  lowRankCache.set(correction, { scale, metric });
  return metric;
}
