/**
 * gp_pois_regr-gp_pois_regr (posteriordb; stan-dev/stat_comp_benchmarks): a latent Gaussian
 * process, non-centred, with Poisson-log counts.
 *
 *   rho ~ Gamma(25, 4) (shape, rate), alpha ~ HalfNormal(2), f_tilde[i] ~ Normal(0, 1),
 *   K[i, j] = alpha^2 exp(-(x[i] - x[j])^2 / (2 rho^2)) + 1e-10 delta_ij, L = cholesky(K),
 *   f = L f_tilde (derived; what the reference reports), k[i] ~ Poisson(exp(f[i])).
 */
import {
  cholesky,
  constant,
  type Draws,
  deterministic,
  float64Of,
  Gamma,
  HalfNormal,
  Normal,
  Poisson,
  sample,
  tf,
} from "../../src/index.js";
import {
  type PosteriorDefinition,
  readPosteriorFile,
  scalarSite,
  vectorElements,
} from "../posteriordb.js";
import { squaredDistances, squaredExponential } from "./gp-kernel.js";

const POSTERIOR = "gp_pois_regr-gp_pois_regr";

/** The diagonal jitter of the kernel matrix. */
const JITTER = 1e-10;

/** The data: counts, and the squared distances and jitter matrix of the inputs. */
export interface GpPoisRegrData {
  readonly N: number;
  readonly k: number[];
  readonly squaredDistances: tf.Tensor;
  /** JITTER times the identity. */
  readonly jitter: tf.Tensor;
}

/** data.json (the real responses `y` are not used by this posterior). */
export function loadData(): GpPoisRegrData {
  const { N, x, k } = readPosteriorFile<{ N: number; x: number[]; k: number[] }>(
    POSTERIOR,
    "data.json",
  );
  return {
    N,
    k,
    squaredDistances: squaredDistances(x),
    jitter: constant(Array.from({ length: N }, (_, i) => x.map((_, j) => (i === j ? JITTER : 0)))),
  };
}

/** The non-centred latent GP; `f` is a deterministic site. */
export function* model(data: GpPoisRegrData) {
  const rho = yield* sample("rho", Gamma(25, 4));
  const alpha = yield* sample("alpha", HalfNormal(2));
  const fTilde = yield* sample("f_tilde", Normal(0, 1).expand([data.N]));
  const covariance = tf.add(squaredExponential(data.squaredDistances, alpha, rho), data.jitter);
  const factorL = cholesky(covariance);
  const f = yield* deterministic(
    "f",
    tf.reshape(tf.matMul(factorL, tf.reshape(fTilde, [data.N, 1])), [data.N]),
  );
  yield* sample("k", Poisson(tf.exp(f)), { obs: data.k });
}

/**
 * The model's `f` recomputed from each draw in float64: MCMC computes deterministic sites by
 * running the model eagerly in float32, where the kernel matrix with its 1e-10 jitter often
 * has no Cholesky factor (NaN in about 7% of the entries of f at posterior draws).
 *
 * @example
 * const { f } = latentGpInFloat64(mcmc.getSamples(), loadData());
 */
export function latentGpInFloat64(
  samples: Record<string, Draws>,
  data: GpPoisRegrData,
): Record<string, Draws> {
  const n = data.N;
  const { rho, alpha } = samples;
  const fTilde = samples.f_tilde.data;
  const d2 = float64Of(data.squaredDistances);
  if (d2 === undefined) throw new Error("latentGpInFloat64: squaredDistances must be a constant");
  const numDraws = rho.data.length;
  const f = new Float64Array(numDraws * n);
  const covariance = new Float64Array(n * n);
  for (let s = 0; s < numDraws; s++) {
    const a2 = alpha.data[s] ** 2;
    const twoRho2 = 2 * rho.data[s] ** 2;
    for (let i = 0; i < n * n; i++) covariance[i] = a2 * Math.exp(-d2[i] / twoRho2);
    for (let i = 0; i < n; i++) covariance[i * n + i] += JITTER;
    const lower = choleskyFloat64(covariance, n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j <= i; j++) sum += lower[i * n + j] * fTilde[s * n + j];
      f[s * n + i] = sum;
    }
  }
  return { f: { shape: [...rho.shape, n], data: f } };
}

/** The lower Cholesky factor of a symmetric positive definite n x n matrix (row-major). */
function choleskyFloat64(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j];
      for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = i === j ? Math.sqrt(sum) : sum / l[j * n + j];
    }
  }
  return l;
}

/** The posterior as the validation runs it. */
export const gpPoisRegr: PosteriorDefinition<GpPoisRegrData> = {
  posterior: POSTERIOR,
  model,
  loadData,
  scalars: { ...scalarSite("rho"), ...scalarSite("alpha"), ...vectorElements("f", 11) },
  derive: latentGpInFloat64,
};
