/**
 * Euclidean metrics for Hamiltonian Monte Carlo: the kinetic energy K(p) = p^T M^{-1} p / 2 of
 * a Gaussian momentum p ~ N(0, M), with M diagonal or dense (Betancourt 2017, "A conceptual
 * introduction to Hamiltonian Monte Carlo", section 4.2). The inverse mass matrix M^{-1} is what
 * warmup estimates (the posterior covariance). The velocity dq/dt = M^{-1} p is also the "sharp"
 * momentum of the generalized no-U-turn criterion.
 */
import { fillNormal, type Key } from "../../primitives/prng.js";
import { choleskyLower, solveUpperTransposed } from "./cholesky.js";

/** A Euclidean metric over `dim` coordinates. */
export interface Metric {
  /** "low-rank": diagonal plus low-rank (low-rank-metric.ts). */
  readonly kind: "diagonal" | "dense" | "low-rank";
  readonly dim: number;
  /** M^{-1}: `dim` entries (diagonal) or dim x dim row-major (dense, low-rank). Do not mutate. */
  readonly inverseMassMatrix: Float64Array;
  /**
   * Writes M^{-1} x into `out` (which must not alias `x`): the velocity for a momentum x, the
   * preconditioned gradient for a gradient x.
   */
  multiplyInverseMass(x: Float64Array, out: Float64Array): void;
  /** Kinetic energy p^T M^{-1} p / 2. */
  kineticEnergy(momentum: Float64Array): number;
  /** Writes a momentum p ~ N(0, M) drawn with `key` into `out`. */
  sampleMomentum(key: Key, out: Float64Array): void;
}

/** Dot product of two equal-length arrays. */
export function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/**
 * A diagonal metric from the diagonal of M^{-1} (positive, finite entries).
 *
 * @example
 * const metric = diagonalMetric(Float64Array.of(1, 4));
 * metric.kineticEnergy(Float64Array.of(1, 1)); // (1 + 4) / 2 = 2.5
 */
export function diagonalMetric(inverseDiagonal: Float64Array): Metric {
  const dim = inverseDiagonal.length;
  for (let i = 0; i < dim; i++) {
    const v = inverseDiagonal[i];
    if (!(v > 0 && Number.isFinite(v))) {
      throw new RangeError(
        `diagonalMetric: inverseMassMatrix entries must be positive and finite, got ${v} at index ${i}`,
      );
    }
  }
  const inverse = Float64Array.from(inverseDiagonal);
  const momentumScale = inverse.map((v) => 1 / Math.sqrt(v));
  return {
    kind: "diagonal",
    dim,
    inverseMassMatrix: inverse,
    multiplyInverseMass(x, out) {
      for (let i = 0; i < dim; i++) out[i] = inverse[i] * x[i];
    },
    kineticEnergy(momentum) {
      let sum = 0;
      for (let i = 0; i < dim; i++) sum += inverse[i] * momentum[i] * momentum[i];
      return sum / 2;
    },
    sampleMomentum(key, out) {
      fillNormal(key, out);
      for (let i = 0; i < dim; i++) out[i] *= momentumScale[i];
    },
  };
}

/**
 * A dense metric from M^{-1} (dim x dim, row-major, symmetric positive definite). Momenta are
 * drawn as p = L^{-T} z with L L^T = M^{-1}, so that Cov(p) = M.
 *
 * @example
 * const metric = denseMetric(Float64Array.of(2, 1, 1, 2), 2);
 * metric.kineticEnergy(Float64Array.of(1, 0)); // 2 / 2 = 1
 */
export function denseMetric(inverseMassMatrix: Float64Array, dim: number): Metric {
  if (inverseMassMatrix.length !== dim * dim) {
    throw new RangeError(
      `denseMetric: inverseMassMatrix must hold dim * dim = ${dim * dim} entries, got ${inverseMassMatrix.length}`,
    );
  }
  const inverse = Float64Array.from(inverseMassMatrix);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < i; j++) {
      const a = inverse[i * dim + j];
      const b = inverse[j * dim + i];
      if (!(Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b), 1e-300))) {
        throw new RangeError(
          `denseMetric: inverseMassMatrix must be symmetric, got ${a} at [${i}, ${j}] and ${b} at [${j}, ${i}]`,
        );
      }
    }
  }
  const lower = choleskyLower(inverse, dim);
  if (typeof lower === "number") {
    throw new RangeError(
      `denseMetric: inverseMassMatrix must be positive definite, the Cholesky factorization failed at row ${-1 - lower}`,
    );
  }
  const scratch = new Float64Array(dim);
  const multiplyInverseMass = (x: Float64Array, out: Float64Array) => {
    for (let i = 0; i < dim; i++) {
      let sum = 0;
      const row = i * dim;
      for (let j = 0; j < dim; j++) sum += inverse[row + j] * x[j];
      out[i] = sum;
    }
  };
  return {
    kind: "dense",
    dim,
    inverseMassMatrix: inverse,
    multiplyInverseMass,
    kineticEnergy(momentum) {
      multiplyInverseMass(momentum, scratch);
      return dot(momentum, scratch) / 2;
    },
    sampleMomentum(key, out) {
      solveUpperTransposed(lower, dim, fillNormal(key, scratch), out);
    },
  };
}

/**
 * The metric for an inverse mass matrix given as data: diagonal (`dim` entries) or dense
 * (dim * dim entries); the identity when `inverseMassMatrix` is undefined.
 *
 * @example
 * metricFromInverseMassMatrix(3, undefined, false); // the identity, diagonal
 */
export function metricFromInverseMassMatrix(
  dim: number,
  inverseMassMatrix: Float64Array | undefined,
  dense: boolean,
): Metric {
  if (inverseMassMatrix === undefined) {
    const identity = identityInverseMass(dim, dense);
    return dense ? denseMetric(identity, dim) : diagonalMetric(identity);
  }
  if (dense) return denseMetric(inverseMassMatrix, dim);
  if (inverseMassMatrix.length !== dim) {
    throw new RangeError(
      `diagonalMetric: inverseMassMatrix must hold dim = ${dim} entries for a diagonal metric, got ${inverseMassMatrix.length}`,
    );
  }
  return diagonalMetric(inverseMassMatrix);
}

const metricCache = new WeakMap<Float64Array, Metric>();

/**
 * The metric of an inverse mass matrix given as data (`dim` entries, or dim * dim when
 * `dense`), built once per array and then reused: kernels rebuilt at every warmup iteration
 * (a new step size) keep the same metric object, and a dense metric's Cholesky factor is
 * computed once. The array must not be mutated afterwards.
 *
 * @example
 * const inverse = Float64Array.of(1, 4);
 * metricOf(2, inverse, false) === metricOf(2, inverse, false); // true
 */
export function metricOf(dim: number, inverseMassMatrix: Float64Array, dense: boolean): Metric {
  const cached = metricCache.get(inverseMassMatrix);
  if (cached !== undefined && cached.dim === dim && (cached.kind === "dense") === dense) {
    return cached;
  }
  const metric = metricFromInverseMassMatrix(dim, inverseMassMatrix, dense);
  metricCache.set(inverseMassMatrix, metric);
  return metric;
}

/**
 * The identity inverse mass matrix of `dim` coordinates, diagonal or dense (row-major).
 *
 * @example
 * identityInverseMass(2, true); // Float64Array [1, 0, 0, 1]
 */
export function identityInverseMass(dim: number, dense: boolean): Float64Array {
  if (!dense) return new Float64Array(dim).fill(1);
  const identity = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) identity[i * dim + i] = 1;
  return identity;
}
