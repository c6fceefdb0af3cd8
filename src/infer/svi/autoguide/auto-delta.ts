/**
 * `AutoDelta`: a point mass at a learned value for every latent site, so that SVI finds the
 * maximum a posteriori point (in the constrained space: a point mass has no entropy and no
 * Jacobian term, so the ELBO is log p(x, z) at the point).
 */
import { Delta } from "../../../dist/delta.js";
import { param, sample } from "../../../primitives/effects.js";
import type { Message } from "../../../primitives/messages.js";
import { type Key, toKey } from "../../../primitives/prng.js";
import type { Model } from "../../../primitives/runtime.js";
import { constant, tf } from "../../../tf.js";
import { siteRecord } from "../../../util/records.js";
import {
  type AutoGuide,
  AutoGuideBase,
  type AutoGuideOptions,
  checkDrawCount,
  checkQuantiles,
  constrainSite,
  type SiteValues,
} from "./base.js";
import type { LatentSite, Prototype } from "./prototype.js";
import { forEachSite, inSitePlates, subsampleParam } from "./site-plates.js";

class AutoDeltaGuide<A extends any[]> extends AutoGuideBase<A> {
  readonly guideName = "AutoDelta";

  locName(site: LatentSite): string {
    return `${site.name}_${this.prefix}_loc`;
  }

  protected *body(proto: Prototype): Generator<Message, void, unknown> {
    yield* forEachSite(proto.sites, (site) => this.siteGuide(site));
  }

  private *siteGuide(site: LatentSite): Generator<Message, void, unknown> {
    const value = yield* param(
      this.locName(site),
      (key: Key) => {
        const init = constrainSite(site, this.initialLocation(site, key), 1);
        return tf.reshape(constant(init.data), init.shape.slice(1));
      },
      { constraint: site.transform.codomain },
    );
    yield* inSitePlates(site, function* (indices) {
      const point = subsampleParam(site, value, indices);
      yield* sample(site.name, Delta(point, { eventDim: site.eventRank }));
    });
  }

  median(params?: SiteValues): SiteValues {
    const sites = this.prototype().sites;
    const p = this.paramsOr(
      params,
      "median",
      sites.map((s) => this.locName(s)),
    );
    const out: SiteValues = siteRecord();
    for (const site of sites) {
      const v = p[this.locName(site)];
      out[site.name] = { shape: v.shape.slice(), data: v.data.slice() };
    }
    return out;
  }

  /** A point mass has every quantile at its point. */
  quantiles(qs: readonly number[], params?: SiteValues): SiteValues {
    checkQuantiles("AutoDelta.quantiles", qs);
    return repeat(this.median(params), qs.length);
  }

  /** n copies of the point. */
  samplePosterior(key: Key | number, n: number, params?: SiteValues): SiteValues {
    toKey(key, "AutoDelta.samplePosterior");
    checkDrawCount("AutoDelta.samplePosterior", n);
    return repeat(this.median(params), n);
  }
}

function repeat(values: SiteValues, n: number): SiteValues {
  const out: SiteValues = siteRecord();
  for (const [name, v] of Object.entries(values)) {
    const data = new Float64Array(n * v.data.length);
    for (let i = 0; i < n; i++) data.set(v.data, i * v.data.length);
    out[name] = { shape: [n, ...v.shape], data };
  }
  return out;
}

/**
 * A point-mass guide per latent site (param `${site}_auto_loc`, constrained to the site's
 * support): SVI with it finds the MAP estimate.
 *
 * @example
 * const guide = AutoDelta(model);
 * new SVI(model, guide, Adam(0.05), TraceELBO()).run(PRNGKey(0), 1000, data);
 * guide.median(); // the MAP point
 */
export function AutoDelta<A extends any[]>(
  model: Model<A, unknown>,
  options: AutoGuideOptions = {},
): AutoGuide<A> {
  return new AutoDeltaGuide(model, options).asGuide();
}
