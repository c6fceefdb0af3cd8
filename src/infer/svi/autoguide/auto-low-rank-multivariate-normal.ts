/**
 * `AutoLowRankMultivariateNormal`: a Gaussian over the flat unconstrained latent vector whose
 * covariance is low rank plus diagonal, diag(scale) (W W^T + I) diag(scale) with W of shape
 * [D, rank] (NumPyro's parameterization; rank defaults to round(sqrt(D))).
 */
import { positive } from "../../../dist/constraints.js";
import type { Distribution } from "../../../dist/distribution.js";
import { ArgumentError } from "../../../errors.js";
import { param } from "../../../primitives/effects.js";
import type { Message } from "../../../primitives/messages.js";
import type { Key } from "../../../primitives/prng.js";
import type { Model } from "../../../primitives/runtime.js";
import { tf } from "../../../tf.js";
import { AutoContinuousGuide, type GaussianPosterior, withPosterior } from "./auto-continuous.js";
import { type AutoNormalOptions, checkInitScale } from "./auto-normal.js";
import type { AutoGuide, SiteValues } from "./base.js";
import { LowRankNormalLatent } from "./gaussian.js";
import { cholesky } from "./linalg.js";
import type { Prototype } from "./prototype.js";

/** Options of `AutoLowRankMultivariateNormal`. */
export interface AutoLowRankMultivariateNormalOptions extends AutoNormalOptions {
  /** Rank of the covariance factor (default round(sqrt(D))). */
  rank?: number;
}

class AutoLowRankGuide<A extends any[]> extends AutoContinuousGuide<A> {
  readonly guideName = "AutoLowRankMultivariateNormal";
  private readonly initScale: number;

  constructor(
    model: Model<A, unknown>,
    private readonly lowRankOptions: AutoLowRankMultivariateNormalOptions,
  ) {
    super(model, lowRankOptions);
    this.initScale = checkInitScale(this.guideName, lowRankOptions.initScale);
    const rank = lowRankOptions.rank;
    if (rank !== undefined && !(Number.isInteger(rank) && rank >= 1)) {
      throw new ArgumentError({
        message: `AutoLowRankMultivariateNormal: rank must be a positive integer, got ${rank}`,
        api: "AutoLowRankMultivariateNormal",
        argument: "rank",
      });
    }
  }

  private rankFor(dim: number): number {
    return this.lowRankOptions.rank ?? Math.max(1, Math.round(Math.sqrt(dim)));
  }

  protected *latentDistribution(proto: Prototype): Generator<Message, Distribution, unknown> {
    const dim = proto.layout.dim;
    const rank = this.rankFor(dim);
    const loc = yield* param(`${this.prefix}_loc`, (key: Key) => this.initialLatent(proto, key));
    const covFactor = yield* param(`${this.prefix}_cov_factor`, () => tf.zeros([dim, rank]));
    const scale = yield* param(`${this.prefix}_scale`, () => tf.fill([dim], this.initScale), {
      constraint: positive,
    });
    return new LowRankNormalLatent(loc, covFactor, scale);
  }

  getPosterior(params?: SiteValues): GaussianPosterior {
    const names = [`${this.prefix}_loc`, `${this.prefix}_cov_factor`, `${this.prefix}_scale`];
    const p = this.paramsOr(params, "getPosterior", names);
    const dim = this.latentDim();
    const w = p[names[1]].data;
    const rank = w.length / dim;
    const s = p[names[2]].data;
    const covariance = new Float64Array(dim * dim);
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < dim; j++) {
        let c = i === j ? 1 : 0;
        for (let k = 0; k < rank; k++) c += w[i * rank + k] * w[j * rank + k];
        covariance[i * dim + j] = s[i] * c * s[j];
      }
    }
    const scaleTril = cholesky(covariance, dim);
    if (scaleTril === undefined)
      throw new Error(`${this.guideName}: covariance is not positive definite`);
    return this.gaussianPosterior(p[names[0]].data.slice(), covariance, scaleTril);
  }
}

/**
 * A low-rank-plus-diagonal Gaussian over all latent sites in the unconstrained space: params
 * `auto_loc`, `auto_cov_factor` ([D, rank]) and `auto_scale` (positive).
 *
 * @example
 * const guide = AutoLowRankMultivariateNormal(model, { rank: 2 });
 * new SVI(model, guide, Adam(0.01), TraceELBO()).run(PRNGKey(0), 3000, data);
 */
export function AutoLowRankMultivariateNormal<A extends any[]>(
  model: Model<A, unknown>,
  options: AutoLowRankMultivariateNormalOptions = {},
): AutoGuide<A> & { getPosterior(params?: SiteValues): GaussianPosterior } {
  return withPosterior(new AutoLowRankGuide(model, options));
}
