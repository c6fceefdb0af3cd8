/**
 * `AutoDiagonalNormal`: one diagonal Gaussian over the flat unconstrained latent vector, the
 * mean-field family of ADVI (Kucukelbir et al. 2017): q(zeta) = N(loc, diag(scale^2)).
 */
import { positive } from "../../../dist/constraints.js";
import type { Distribution } from "../../../dist/distribution.js";
import { param } from "../../../primitives/effects.js";
import type { Message } from "../../../primitives/messages.js";
import type { Key } from "../../../primitives/prng.js";
import type { Model } from "../../../primitives/runtime.js";
import { tf } from "../../../tf.js";
import { AutoContinuousGuide, type GaussianPosterior, withPosterior } from "./auto-continuous.js";
import { type AutoNormalOptions, checkInitScale } from "./auto-normal.js";
import type { AutoGuide, SiteValues } from "./base.js";
import { DiagonalNormalLatent } from "./gaussian.js";
import type { Prototype } from "./prototype.js";

class AutoDiagonalNormalGuide<A extends any[]> extends AutoContinuousGuide<A> {
  readonly guideName = "AutoDiagonalNormal";
  private readonly initScale: number;

  constructor(model: Model<A, unknown>, options: AutoNormalOptions) {
    super(model, options);
    this.initScale = checkInitScale("AutoDiagonalNormal", options.initScale);
  }

  protected *latentDistribution(proto: Prototype): Generator<Message, Distribution, unknown> {
    const dim = proto.layout.dim;
    const loc = yield* param(`${this.prefix}_loc`, (key: Key) => this.initialLatent(proto, key));
    const scale = yield* param(`${this.prefix}_scale`, () => tf.fill([dim], this.initScale), {
      constraint: positive,
    });
    return new DiagonalNormalLatent(loc, scale);
  }

  getPosterior(params?: SiteValues): GaussianPosterior {
    const names = [`${this.prefix}_loc`, `${this.prefix}_scale`];
    const p = this.paramsOr(params, "getPosterior", names);
    const dim = this.latentDim();
    const scale = p[names[1]].data;
    const scaleTril = new Float64Array(dim * dim);
    const covariance = new Float64Array(dim * dim);
    for (let i = 0; i < dim; i++) {
      scaleTril[i * dim + i] = scale[i];
      covariance[i * dim + i] = scale[i] ** 2;
    }
    return this.gaussianPosterior(p[names[0]].data.slice(), covariance, scaleTril);
  }
}

/**
 * A diagonal Gaussian over all latent sites in the unconstrained space: params `auto_loc` and
 * `auto_scale` (positive), each of the latent dimension.
 *
 * @example
 * const guide = AutoDiagonalNormal(model);
 * new SVI(model, guide, Adam(0.01), TraceELBO()).run(PRNGKey(0), 2000, data);
 * guide.getPosterior().loc; // unconstrained means
 */
export function AutoDiagonalNormal<A extends any[]>(
  model: Model<A, unknown>,
  options: AutoNormalOptions = {},
): AutoGuide<A> & { getPosterior(params?: SiteValues): GaussianPosterior } {
  return withPosterior(new AutoDiagonalNormalGuide(model, options));
}
