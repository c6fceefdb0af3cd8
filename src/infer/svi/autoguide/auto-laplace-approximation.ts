/**
 * `AutoLaplaceApproximation`: fits the MAP point of the model in the unconstrained space
 * (a point-mass guide over the flat latent vector, so the loss is the potential U, Jacobians
 * included), then approximates the posterior by N(MAP, H^-1) with H the Hessian of U at the
 * MAP, computed by central differences of U's gradient (`potential(model, args)`).
 */
import { Delta } from "../../../dist/delta.js";
import type { Distribution } from "../../../dist/distribution.js";
import { ModelError } from "../../../errors.js";
import { param } from "../../../primitives/effects.js";
import type { Message } from "../../../primitives/messages.js";
import type { Key } from "../../../primitives/prng.js";
import type { Model } from "../../../primitives/runtime.js";
import { type Potential, potential } from "../../potential.js";
import { AutoContinuousGuide, type GaussianPosterior, withPosterior } from "./auto-continuous.js";
import type { AutoGuide, AutoGuideOptions, SiteValues } from "./base.js";
import { hessianByFiniteDifferences } from "./hessian.js";
import { cholesky, inverseSPD } from "./linalg.js";
import type { Prototype } from "./prototype.js";

/** Options of `AutoLaplaceApproximation`. */
export interface AutoLaplaceApproximationOptions extends AutoGuideOptions {
  /** Relative step of the finite differences of the gradient (default 1e-3). */
  hessianStep?: number;
}

class AutoLaplaceGuide<A extends any[]> extends AutoContinuousGuide<A> {
  readonly guideName = "AutoLaplaceApproximation";
  private target: Potential | undefined;
  private cache: { loc: Float64Array; posterior: GaussianPosterior } | undefined;

  constructor(
    model: Model<A, unknown>,
    private readonly laplaceOptions: AutoLaplaceApproximationOptions,
  ) {
    super(model, laplaceOptions);
  }

  protected *latentDistribution(proto: Prototype): Generator<Message, Distribution, unknown> {
    const loc = yield* param(`${this.prefix}_loc`, (key: Key) => this.initialLatent(proto, key));
    return Delta(loc, { eventDim: 1 });
  }

  /** The potential U of the model (built once), whose Hessian gives the precision. */
  potential(): Potential {
    if (this.target === undefined) {
      const target = potential(this.model, this.modelArgs as A);
      const mine = this.prototype().layout.sites;
      const theirs = target.layout.sites;
      const same =
        mine.length === theirs.length &&
        mine.every((s, i) => s.name === theirs[i].name && s.offset === theirs[i].offset);
      if (!same) {
        throw new ModelError({
          message: `${this.guideName}: the potential's latent layout (${theirs.map((s) => s.name).join(", ")}) differs from the guide's (${mine.map((s) => s.name).join(", ")})`,
        });
      }
      this.target = target;
    }
    return this.target;
  }

  /** The Hessian of U at the fitted MAP point (row-major D x D). */
  hessian(params?: SiteValues): Float64Array {
    const loc = this.paramsOr(params, "hessian", [`${this.prefix}_loc`])[`${this.prefix}_loc`].data;
    return hessianByFiniteDifferences(this.potential(), loc, this.laplaceOptions.hessianStep);
  }

  getPosterior(params?: SiteValues): GaussianPosterior {
    const name = `${this.prefix}_loc`;
    const loc = this.paramsOr(params, "getPosterior", [name])[name].data.slice();
    if (this.cache?.loc.every((v, i) => v === loc[i])) {
      return this.cache.posterior;
    }
    const dim = this.latentDim();
    const h = hessianByFiniteDifferences(this.potential(), loc, this.laplaceOptions.hessianStep);
    const covariance = inverseSPD(h, dim);
    const scaleTril = covariance === undefined ? undefined : cholesky(covariance, dim);
    if (covariance === undefined || scaleTril === undefined) {
      throw new ModelError({
        message: `${this.guideName}: the Hessian of the negative log density at the fitted point is not positive definite, so the point is not a strict local maximum; run SVI longer or check the model`,
      });
    }
    const posterior = this.gaussianPosterior(loc, covariance, scaleTril);
    this.cache = { loc, posterior };
    return posterior;
  }
}

/**
 * MAP in the unconstrained space (param `auto_loc`), then a Gaussian with the inverse Hessian
 * of the negative log density there as covariance.
 *
 * @example
 * const guide = AutoLaplaceApproximation(model);
 * new SVI(model, guide, Adam(0.05), TraceELBO()).run(PRNGKey(0), 1000, data);
 * guide.getPosterior().covariance; // H^-1
 */
export function AutoLaplaceApproximation<A extends any[]>(
  model: Model<A, unknown>,
  options: AutoLaplaceApproximationOptions = {},
): AutoGuide<A> & {
  getPosterior(params?: SiteValues): GaussianPosterior;
  hessian(params?: SiteValues): Float64Array;
} {
  const guide = new AutoLaplaceGuide(model, options);
  return Object.assign(withPosterior(guide), {
    hessian: (p?: SiteValues) => guide.hessian(p),
  });
}
