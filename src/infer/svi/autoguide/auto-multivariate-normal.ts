/**
 * `AutoMultivariateNormal`: a full-rank Gaussian over the flat unconstrained latent vector,
 * q(zeta) = N(loc, L L^T) with L lower-triangular with a positive diagonal (full-rank ADVI,
 * Kucukelbir et al. 2017). L is a param of its own constraint, reached from a free vector of
 * D(D+1)/2 reals (log diagonal, then the strictly lower entries).
 */
import type { Distribution } from "../../../dist/distribution.js";
import { param } from "../../../primitives/effects.js";
import type { Message } from "../../../primitives/messages.js";
import type { Key } from "../../../primitives/prng.js";
import type { Model } from "../../../primitives/runtime.js";
import { tf } from "../../../tf.js";
import {
  AutoContinuousGuide,
  covarianceOf,
  type GaussianPosterior,
  withPosterior,
} from "./auto-continuous.js";
import { type AutoNormalOptions, checkInitScale } from "./auto-normal.js";
import type { AutoGuide, SiteValues } from "./base.js";
import { FullRankNormalLatent } from "./gaussian.js";
import type { Prototype } from "./prototype.js";
import { scaleTril } from "./scale-tril.js";

class AutoMultivariateNormalGuide<A extends any[]> extends AutoContinuousGuide<A> {
  readonly guideName = "AutoMultivariateNormal";
  private readonly initScale: number;

  constructor(model: Model<A, unknown>, options: AutoNormalOptions) {
    super(model, options);
    this.initScale = checkInitScale("AutoMultivariateNormal", options.initScale);
  }

  protected *latentDistribution(proto: Prototype): Generator<Message, Distribution, unknown> {
    const dim = proto.layout.dim;
    const loc = yield* param(`${this.prefix}_loc`, (key: Key) => this.initialLatent(proto, key));
    const tril = yield* param(
      `${this.prefix}_scale_tril`,
      () => tf.mul(tf.eye(dim), this.initScale),
      { constraint: scaleTril(dim) },
    );
    return new FullRankNormalLatent(loc, tril);
  }

  getPosterior(params?: SiteValues): GaussianPosterior {
    const names = [`${this.prefix}_loc`, `${this.prefix}_scale_tril`];
    const p = this.paramsOr(params, "getPosterior", names);
    const dim = this.latentDim();
    const l = p[names[1]].data.slice();
    return this.gaussianPosterior(p[names[0]].data.slice(), covarianceOf(l, dim), l);
  }
}

/**
 * A full-rank Gaussian over all latent sites in the unconstrained space: params `auto_loc`
 * and `auto_scale_tril` (lower-triangular, positive diagonal).
 *
 * @example
 * const guide = AutoMultivariateNormal(model);
 * new SVI(model, guide, Adam(0.01), TraceELBO()).run(PRNGKey(0), 3000, data);
 * guide.getPosterior().covariance; // row-major D x D, unconstrained
 */
export function AutoMultivariateNormal<A extends any[]>(
  model: Model<A, unknown>,
  options: AutoNormalOptions = {},
): AutoGuide<A> & { getPosterior(params?: SiteValues): GaussianPosterior } {
  return withPosterior(new AutoMultivariateNormalGuide(model, options));
}
