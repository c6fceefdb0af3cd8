/**
 * The flat autoguides (NumPyro's AutoContinuous family): one distribution over the vector of
 * all latent sites in the unconstrained space, laid out as `potential` lays them out. The
 * guide draws that vector as an auxiliary site, cuts it into sites, pushes each through its
 * transform and hands the model the constrained value as a point mass whose log-density is
 * minus the log-Jacobian, so the guide's density is that of the constrained values
 * (Kucukelbir et al. 2017, section 2.3).
 *
 * The fitted distribution is Gaussian, N(loc, L L^T), for every member; the summaries below
 * use that form (for AutoLaplaceApproximation, L comes from the inverse Hessian).
 */
import { Delta } from "../../../dist/delta.js";
import type { Distribution } from "../../../dist/distribution.js";
import { ModelError } from "../../../errors.js";
import { sample } from "../../../primitives/effects.js";
import type { Message } from "../../../primitives/messages.js";
import { foldIn, type Key, normal, toKey } from "../../../primitives/prng.js";
import { constant, tf } from "../../../tf.js";
import { siteRecord } from "../../../util/records.js";
import type { FlatLayout } from "../../layout.js";
import { AUXILIARY } from "../elbo.js";
import {
  type AutoGuide,
  AutoGuideBase,
  checkDrawCount,
  checkElementwise,
  checkQuantiles,
  constrainSite,
  normalQuantiles,
  type SiteValues,
} from "./base.js";
import type { Prototype } from "./prototype.js";

/** A Gaussian over the flat unconstrained latent vector, in float64. */
export interface GaussianPosterior {
  /** Dimension D of the latent vector. */
  readonly dim: number;
  /** Mean, length D. */
  readonly loc: Float64Array;
  /** Covariance, row-major D x D. */
  readonly covariance: Float64Array;
  /** Lower Cholesky factor of the covariance, row-major D x D. */
  readonly scaleTril: Float64Array;
  /** Which slice of the vector holds which latent site. */
  readonly layout: FlatLayout;
}

/**
 * The shared body and summaries of the flat autoguides (AutoDiagonalNormal,
 * AutoMultivariateNormal, AutoLowRankMultivariateNormal, AutoLaplaceApproximation).
 *
 * @example
 * const guide = AutoDiagonalNormal(model); // an AutoContinuousGuide
 * const { params } = new SVI(model, guide, Adam(0.05), TraceELBO()).run(PRNGKey(0), 200, data);
 * guide.getPosterior(params).loc;
 */
export abstract class AutoContinuousGuide<A extends any[]> extends AutoGuideBase<A> {
  /** Name of the auxiliary site that holds the latent vector. */
  get latentName(): string {
    return `_${this.prefix}_latent`;
  }

  /** Yields the guide's params and returns the distribution of the latent vector. */
  protected abstract latentDistribution(
    proto: Prototype,
  ): Generator<Message, Distribution, unknown>;

  /** The fitted Gaussian in the unconstrained space. */
  abstract getPosterior(params?: SiteValues): GaussianPosterior;

  protected override discover(args: A): Prototype {
    const proto = super.discover(args);
    const local = proto.sites.find((s) => s.plates.some((f) => f.subsampleSize !== f.size));
    if (local !== undefined) {
      const frame = local.plates.find((f) => f.subsampleSize !== f.size);
      throw new ModelError({
        message: `${this.guideName}: the latent site "${local.name}" lies in the subsampled plate "${frame?.name}"; flat autoguides cannot subsample local latent sites, use AutoNormal`,
        site: local.name,
      });
    }
    return proto;
  }

  protected *body(proto: Prototype): Generator<Message, void, unknown> {
    const fn = yield* this.latentDistribution(proto);
    const z = yield* sample(this.latentName, fn, { infer: { [AUXILIARY]: true } });
    // z is [D] alone, or [N, 1, ..., 1, D] when the guide runs batched (vmap); a site of batch rank r
    // takes the leading dims less r trailing ones, so that its value lines up with the model.
    const batch = z.shape.slice(0, -1);
    for (const [i, site] of proto.sites.entries()) {
      const entry = proto.layout.sites[i];
      const begin = [...batch.map(() => 0), entry.offset];
      const u = tf.reshape(tf.slice(z, begin, [...batch, entry.size]), [
        ...batch,
        ...site.unconstrainedShape,
      ]);
      const x = site.transform.forward(u);
      const logDet = site.transform.logAbsDetJacobian(u, x);
      const lead = batch.slice(0, Math.max(0, batch.length - site.batchShape.length));
      yield* sample(
        site.name,
        Delta(tf.reshape(x, [...lead, ...site.shape]), {
          logDensity: tf.neg(tf.reshape(logDet, [...lead, ...site.batchShape])),
          eventDim: site.eventRank,
        }),
      );
    }
  }

  /** The initial unconstrained latent vector: each site's initial location, concatenated. */
  protected initialLatent(proto: Prototype, key: Key): tf.Tensor {
    const values = new Float64Array(proto.layout.dim);
    proto.sites.forEach((site, i) => {
      values.set(this.initialLocation(site, foldIn(key, i)), proto.layout.sites[i].offset);
    });
    return constant(values);
  }

  /** The latent dimension. */
  protected latentDim(): number {
    return this.prototype().layout.dim;
  }

  /** The fitted Gaussian with mean `loc` and the given covariance and its Cholesky factor. */
  protected gaussianPosterior(
    loc: Float64Array,
    covariance: Float64Array,
    scaleTril: Float64Array,
  ): GaussianPosterior {
    return { dim: this.latentDim(), loc, covariance, scaleTril, layout: this.prototype().layout };
  }

  /** Constrained values of every site at the posterior mean of the unconstrained vector. */
  median(params?: SiteValues): SiteValues {
    const posterior = this.getPosterior(params);
    return this.constrainRows(posterior.loc, 1, true);
  }

  quantiles(qs: readonly number[], params?: SiteValues): SiteValues {
    checkQuantiles(`${this.guideName}.quantiles`, qs);
    for (const site of this.prototype().sites)
      checkElementwise(`${this.guideName}.quantiles`, site);
    const { loc, scaleTril, dim } = this.getPosterior(params);
    const rows = normalQuantiles(qs, loc, marginalSd(scaleTril, dim));
    return this.constrainRows(rows, qs.length, false);
  }

  samplePosterior(key: Key | number, n: number, params?: SiteValues): SiteValues {
    checkDrawCount(`${this.guideName}.samplePosterior`, n);
    const k = toKey(key, `${this.guideName}.samplePosterior`);
    const { loc, scaleTril, dim } = this.getPosterior(params);
    const eps = normal(k, n * dim);
    const rows = new Float64Array(n * dim);
    for (let d = 0; d < n; d++) {
      for (let i = 0; i < dim; i++) {
        let s = loc[i];
        for (let j = 0; j <= i; j++) s += scaleTril[i * dim + j] * eps[d * dim + j];
        rows[d * dim + i] = s;
      }
    }
    return this.constrainRows(rows, n, false);
  }

  // Constrained Draws per site from `count` unconstrained rows of length D.
  private constrainRows(rows: Float64Array, count: number, single: boolean): SiteValues {
    const proto = this.prototype();
    const dim = proto.layout.dim;
    const out: SiteValues = siteRecord();
    proto.sites.forEach((site, i) => {
      const { offset, size } = proto.layout.sites[i];
      const values = new Float64Array(count * size);
      for (let r = 0; r < count; r++) {
        values.set(rows.subarray(r * dim + offset, r * dim + offset + size), r * size);
      }
      const draws = constrainSite(site, values, count, site.unconstrainedShape);
      out[site.name] = single ? { shape: draws.shape.slice(1), data: draws.data } : draws;
    });
    return out;
  }
}

/**
 * The callable guide of a flat autoguide, with `getPosterior` added to the autoguide methods.
 *
 * @example
 * const guide = withPosterior(new AutoDiagonalNormalGuide(model, {})); // guide.getPosterior()
 */
export function withPosterior<A extends any[]>(
  guide: AutoContinuousGuide<A>,
): AutoGuide<A> & { getPosterior(params?: SiteValues): GaussianPosterior } {
  return Object.assign(guide.asGuide(), {
    getPosterior: (p?: SiteValues) => guide.getPosterior(p),
  });
}

/** sqrt of the diagonal of L L^T. */
export function marginalSd(scaleTril: Float64Array, dim: number): Float64Array {
  const sd = new Float64Array(dim);
  for (let i = 0; i < dim; i++) {
    let s = 0;
    for (let j = 0; j <= i; j++) s += scaleTril[i * dim + j] ** 2;
    sd[i] = Math.sqrt(s);
  }
  return sd;
}

/** L L^T for a row-major lower-triangular L. */
export function covarianceOf(scaleTril: Float64Array, dim: number): Float64Array {
  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k <= j; k++) s += scaleTril[i * dim + k] * scaleTril[j * dim + k];
      cov[i * dim + j] = s;
      cov[j * dim + i] = s;
    }
  }
  return cov;
}
