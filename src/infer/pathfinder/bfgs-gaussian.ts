/**
 * The Gaussian approximations of Pathfinder (Zhang, Carpenter, Gelman & Vehtari 2022,
 * "Pathfinder: parallel quasi-Newton variational inference", JMLR 23(306), algorithms 3 and 4):
 * at an iterate x of L-BFGS with gradient g = dU/dq, the normal N(x - H g, H) whose covariance
 * H is the L-BFGS inverse Hessian in the compact form of Byrd, Nocedal & Schnabel (1994,
 * "Representations of quasi-Newton matrices and their use in limited memory methods"):
 *
 *   H = diag(alpha) + beta gamma beta^T,  beta = [diag(alpha) Y, S] (dim x 2m),
 *   gamma = [[0, -R^{-1}], [-R^{-T}, R^{-T} (D + Y^T diag(alpha) Y) R^{-1}]],
 *
 * over the last m curvature pairs (s, y), with R the upper triangle of S^T Y and D its
 * diagonal. The initial diagonal alpha is updated along the whole path by the diagonal
 * inverse-BFGS update of Gilbert & Lemarechal (1989, "Some numerical experiments with
 * variable-storage quasi-Newton algorithms").
 *
 * Draws: with Q R the thin QR factorization of diag(alpha)^{-1/2} beta and L L^T = I + R gamma
 * R^T, phi = mu + diag(alpha)^{1/2} (Q (L - I) Q^T u + u) for u ~ N(0, I), and
 * log q(phi) = -(log det H + u^T u + dim log 2 pi) / 2. When 2m >= dim the covariance is formed
 * and factored directly.
 */
import { Matrix, QrDecomposition } from "ml-matrix";
import { type Key, normal } from "../../primitives/prng.js";
import { choleskyLower } from "../nuts/cholesky.js";

/** A curvature pair of L-BFGS: a step s and the change y of the gradient of U along it. */
export interface CurvaturePair {
  readonly s: Float64Array;
  readonly y: Float64Array;
}

/** A Gaussian approximation of a posterior in the unconstrained space. */
export interface BfgsGaussian {
  readonly dim: number;
  readonly mean: Float64Array;
  /** `n` draws (row-major n x dim) and their log densities under the approximation. */
  sample(key: Key, n: number): { draws: Float64Array; logDensity: Float64Array };
  /** The covariance, dim x dim row-major. */
  covariance(): Float64Array;
  /** The diagonal of the covariance. */
  covarianceDiagonal(): Float64Array;
}

const LOG_2PI = Math.log(2 * Math.PI);

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * One step of the diagonal update of Gilbert & Lemarechal along a curvature pair (with
 * s^T y > 0): the new diagonal of the inverse Hessian estimate.
 *
 * @example
 * // U = x^2 / 2 (Hessian 1): a step of 1 changes the gradient by 1.
 * updateInverseHessianDiagonal(Float64Array.of(4), Float64Array.of(1), Float64Array.of(1)); // [1]
 */
export function updateInverseHessianDiagonal(
  alpha: Float64Array,
  s: Float64Array,
  y: Float64Array,
): Float64Array {
  let a = 0;
  let c = 0;
  for (let i = 0; i < alpha.length; i++) {
    a += y[i] * alpha[i] * y[i];
    c += (s[i] * s[i]) / alpha[i];
  }
  const b = dot(y, s);
  return alpha.map((ai, i) => {
    const inverse = a / (b * ai) + (y[i] * y[i]) / b - (a * s[i] * s[i]) / (b * c * ai * ai);
    return 1 / inverse;
  });
}

/** beta (dim x 2m) and gamma (2m x 2m) of the compact inverse Hessian, or undefined if singular. */
function compactFactors(
  alpha: Float64Array,
  pairs: readonly CurvaturePair[],
): { beta: Matrix; gamma: Matrix } | undefined {
  const dim = alpha.length;
  const m = pairs.length;
  const r = Matrix.zeros(m, m);
  for (let i = 0; i < m; i++) {
    for (let j = i; j < m; j++) r.set(i, j, dot(pairs[i].s, pairs[j].y));
  }
  for (let i = 0; i < m; i++) if (!(r.get(i, i) > 0)) return undefined;
  // R^{-1} by back substitution (R upper triangular).
  const rInverse = Matrix.zeros(m, m);
  for (let col = 0; col < m; col++) {
    for (let i = m - 1; i >= 0; i--) {
      let sum = i === col ? 1 : 0;
      for (let k = i + 1; k < m; k++) sum -= r.get(i, k) * rInverse.get(k, col);
      rInverse.set(i, col, sum / r.get(i, i));
    }
  }
  const beta = Matrix.zeros(dim, 2 * m);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < dim; i++) {
      beta.set(i, j, alpha[i] * pairs[j].y[i]);
      beta.set(i, m + j, pairs[j].s[i]);
    }
  }
  // D + Y^T diag(alpha) Y.
  const inner = Matrix.zeros(m, m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let sum = i === j ? r.get(i, i) : 0;
      for (let k = 0; k < dim; k++) sum += pairs[i].y[k] * alpha[k] * pairs[j].y[k];
      inner.set(i, j, sum);
    }
  }
  const lowerRight = rInverse.transpose().mmul(inner).mmul(rInverse);
  const gamma = Matrix.zeros(2 * m, 2 * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      gamma.set(i, m + j, -rInverse.get(i, j));
      gamma.set(m + j, i, -rInverse.get(i, j));
      gamma.set(m + i, m + j, lowerRight.get(i, j));
    }
  }
  return { beta, gamma };
}

/**
 * Pathfinder's normal approximation at an L-BFGS iterate `position` with gradient of U
 * `gradient`, from the diagonal `alpha` and the curvature pairs of the history; undefined when
 * its covariance is not positive definite.
 *
 * @example
 * const q = bfgsGaussian(x, g, alpha, pairs)!;
 * const { draws, logDensity } = q.sample(PRNGKey(0), 100);
 */
export function bfgsGaussian(
  position: Float64Array,
  gradient: Float64Array,
  alpha: Float64Array,
  pairs: readonly CurvaturePair[],
): BfgsGaussian | undefined {
  const dim = position.length;
  const factors = pairs.length === 0 ? undefined : compactFactors(alpha, pairs);
  if (pairs.length > 0 && factors === undefined) return undefined;
  const sqrtAlpha = alpha.map(Math.sqrt);
  let logDetAlpha = 0;
  for (const a of alpha) logDetAlpha += Math.log(a);

  // H v for the mean.
  const multiply = (v: Float64Array): Float64Array => {
    const out = alpha.map((a, i) => a * v[i]);
    if (factors === undefined) return out;
    const { beta, gamma } = factors;
    const bv = beta.transpose().mmul(Matrix.columnVector(Array.from(v)));
    const result = beta.mmul(gamma.mmul(bv));
    for (let i = 0; i < dim; i++) out[i] += result.get(i, 0);
    return out;
  };
  const covariance = (): Float64Array => {
    const out = new Float64Array(dim * dim);
    for (let i = 0; i < dim; i++) out[i * dim + i] = alpha[i];
    if (factors === undefined) return out;
    const { beta, gamma } = factors;
    const product = beta.mmul(gamma).mmul(beta.transpose());
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < dim; j++) out[i * dim + j] += (product.get(i, j) + product.get(j, i)) / 2;
    }
    return out;
  };
  const step = multiply(gradient);
  const mean = position.map((x, i) => x - step[i]);
  if (!mean.every(Number.isFinite)) return undefined;

  // How to turn standard normal draws u into draws: phi = mu + transform(u).
  let transform: (u: Float64Array) => Float64Array;
  let logDet: number;
  const m2 = factors?.beta.columns ?? 0;
  if (factors === undefined) {
    transform = (u) => u.map((v, i) => sqrtAlpha[i] * v);
    logDet = logDetAlpha;
  } else if (m2 >= dim) {
    const lower = choleskyLower(covariance(), dim);
    if (typeof lower === "number") return undefined;
    logDet = 0;
    for (let i = 0; i < dim; i++) logDet += 2 * Math.log(lower[i * dim + i]);
    transform = (u) => {
      const out = new Float64Array(dim);
      for (let i = 0; i < dim; i++) {
        let sum = 0;
        for (let k = 0; k <= i; k++) sum += lower[i * dim + k] * u[k];
        out[i] = sum;
      }
      return out;
    };
  } else {
    const { beta, gamma } = factors;
    const scaled = beta.clone();
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < m2; j++) scaled.set(i, j, scaled.get(i, j) / sqrtAlpha[i]);
    }
    const qr = new QrDecomposition(scaled);
    const q = qr.orthogonalMatrix;
    const r = qr.upperTriangularMatrix;
    const inner = r.mmul(gamma).mmul(r.transpose());
    const innerFlat = new Float64Array(m2 * m2);
    for (let i = 0; i < m2; i++) {
      for (let j = 0; j < m2; j++) {
        innerFlat[i * m2 + j] = (inner.get(i, j) + inner.get(j, i)) / 2 + (i === j ? 1 : 0);
      }
    }
    const lower = choleskyLower(innerFlat, m2);
    if (typeof lower === "number") return undefined;
    logDet = logDetAlpha;
    for (let i = 0; i < m2; i++) logDet += 2 * Math.log(lower[i * m2 + i]);
    const qFlat = new Float64Array(dim * m2);
    for (let i = 0; i < dim; i++) for (let j = 0; j < m2; j++) qFlat[i * m2 + j] = q.get(i, j);
    transform = (u) => {
      // Q (L - I) Q^T u + u, then scaled by sqrt(alpha).
      const qu = new Float64Array(m2);
      for (let i = 0; i < dim; i++) for (let j = 0; j < m2; j++) qu[j] += qFlat[i * m2 + j] * u[i];
      const lq = new Float64Array(m2);
      for (let i = 0; i < m2; i++) {
        let sum = -qu[i];
        for (let k = 0; k <= i; k++) sum += lower[i * m2 + k] * qu[k];
        lq[i] = sum;
      }
      const out = new Float64Array(dim);
      for (let i = 0; i < dim; i++) {
        let sum = u[i];
        for (let j = 0; j < m2; j++) sum += qFlat[i * m2 + j] * lq[j];
        out[i] = sqrtAlpha[i] * sum;
      }
      return out;
    };
  }
  if (!Number.isFinite(logDet)) return undefined;

  return {
    dim,
    mean,
    sample(key, n) {
      const z = normal(key, n * dim);
      const draws = new Float64Array(n * dim);
      const logDensity = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        const u = z.subarray(k * dim, (k + 1) * dim);
        const offset = transform(u);
        for (let i = 0; i < dim; i++) draws[k * dim + i] = mean[i] + offset[i];
        logDensity[k] = -0.5 * (logDet + dot(u, u) + dim * LOG_2PI);
      }
      return { draws, logDensity };
    },
    covariance,
    covarianceDiagonal() {
      const out = Float64Array.from(alpha);
      if (factors === undefined) return out;
      const { beta, gamma } = factors;
      const betaGamma = beta.mmul(gamma);
      for (let i = 0; i < dim; i++) {
        for (let j = 0; j < m2; j++) out[i] += betaGamma.get(i, j) * beta.get(i, j);
      }
      return out;
    },
  };
}
