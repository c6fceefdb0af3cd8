/**
 * `AutoNormal`: an independent normal for every latent site in the unconstrained space, pushed
 * through the site's transform (the mean-field ADVI family of Kucukelbir et al. 2017, one
 * site at a time, with plates and subsampling as in the model).
 */
import { positive } from "../../../dist/constraints.js";
import { Normal } from "../../../dist/normal.js";
import { ArgumentError } from "../../../errors.js";
import { param, sample } from "../../../primitives/effects.js";
import type { Message } from "../../../primitives/messages.js";
import { foldIn, type Key, normal, toKey } from "../../../primitives/prng.js";
import type { Model } from "../../../primitives/runtime.js";
import { constant, tf } from "../../../tf.js";
import { siteRecord } from "../../../util/records.js";
import { sizeOf } from "../../../util/shapes.js";
import {
  type AutoGuide,
  AutoGuideBase,
  type AutoGuideOptions,
  checkDrawCount,
  checkElementwise,
  checkQuantiles,
  constrainSite,
  normalQuantiles,
  type SiteValues,
} from "./base.js";
import type { LatentSite, Prototype } from "./prototype.js";
import { PushforwardDistribution } from "./pushforward.js";
import { forEachSite, inSitePlates, subsampleParam } from "./site-plates.js";

/** Options of `AutoNormal`. */
export interface AutoNormalOptions extends AutoGuideOptions {
  /** Initial scale of every unconstrained normal (default 0.1, as NumPyro). */
  initScale?: number;
}

class AutoNormalGuide<A extends any[]> extends AutoGuideBase<A> {
  readonly guideName = "AutoNormal";
  private readonly initScale: number;

  constructor(model: Model<A, unknown>, options: AutoNormalOptions) {
    super(model, options);
    this.initScale = checkInitScale("AutoNormal", options.initScale);
  }

  locName(site: LatentSite): string {
    return `${site.name}_${this.prefix}_loc`;
  }
  scaleName(site: LatentSite): string {
    return `${site.name}_${this.prefix}_scale`;
  }

  protected *body(proto: Prototype): Generator<Message, void, unknown> {
    yield* forEachSite(proto.sites, (site) => this.siteGuide(site));
  }

  private *siteGuide(site: LatentSite): Generator<Message, void, unknown> {
    const shape = site.fullUnconstrainedShape;
    const loc = yield* param(this.locName(site), (key: Key) =>
      tf.reshape(constant(this.initialLocation(site, key)), shape),
    );
    const scale = yield* param(this.scaleName(site), () => tf.fill(shape, this.initScale), {
      constraint: positive,
    });
    yield* inSitePlates(site, function* (indices) {
      const base = Normal(
        subsampleParam(site, loc, indices),
        subsampleParam(site, scale, indices),
      ).toEvent(site.unconstrainedShape.length - site.batchShape.length);
      const fn =
        site.transform.name === "identity"
          ? base
          : new PushforwardDistribution(base, site.transform);
      yield* sample(site.name, fn);
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
      const draws = constrainSite(site, p[this.locName(site)].data, 1);
      out[site.name] = { shape: draws.shape.slice(1), data: draws.data };
    }
    return out;
  }

  quantiles(qs: readonly number[], params?: SiteValues): SiteValues {
    checkQuantiles("AutoNormal.quantiles", qs);
    const sites = this.prototype().sites;
    const p = this.paramsOr(
      params,
      "quantiles",
      sites.flatMap((s) => [this.locName(s), this.scaleName(s)]),
    );
    const out: SiteValues = siteRecord();
    for (const site of sites) {
      checkElementwise("AutoNormal.quantiles", site);
      const loc = p[this.locName(site)].data;
      const scale = p[this.scaleName(site)].data;
      out[site.name] = constrainSite(site, normalQuantiles(qs, loc, scale), qs.length);
    }
    return out;
  }

  samplePosterior(key: Key | number, n: number, params?: SiteValues): SiteValues {
    checkDrawCount("AutoNormal.samplePosterior", n);
    const k = toKey(key, "AutoNormal.samplePosterior");
    const sites = this.prototype().sites;
    const p = this.paramsOr(
      params,
      "samplePosterior",
      sites.flatMap((s) => [this.locName(s), this.scaleName(s)]),
    );
    const out: SiteValues = siteRecord();
    sites.forEach((site, s) => {
      const loc = p[this.locName(site)].data;
      const scale = p[this.scaleName(site)].data;
      const size = sizeOf(site.fullUnconstrainedShape);
      const eps = normal(foldIn(k, s), n * size);
      for (let i = 0; i < eps.length; i++) eps[i] = loc[i % size] + scale[i % size] * eps[i];
      out[site.name] = constrainSite(site, eps, n);
    });
    return out;
  }
}

/** Checks an autoguide's initScale option. */
export function checkInitScale(api: string, initScale: number | undefined): number {
  const value = initScale ?? 0.1;
  if (!(Number.isFinite(value) && value > 0)) {
    throw new ArgumentError({
      message: `${api}: initScale must be a positive finite number, got ${initScale}`,
      api,
      argument: "initScale",
    });
  }
  return value;
}

/**
 * A normal guide per latent site, in the unconstrained space: params `${site}_auto_loc` and
 * `${site}_auto_scale` (positive), with the site's plates and subsampling.
 *
 * @example
 * const guide = AutoNormal(model);
 * new SVI(model, guide, Adam(0.01), TraceELBO()).run(PRNGKey(0), 2000, data);
 * guide.quantiles([0.05, 0.5, 0.95]);
 */
export function AutoNormal<A extends any[]>(
  model: Model<A, unknown>,
  options: AutoNormalOptions = {},
): AutoGuide<A> {
  return new AutoNormalGuide(model, options).asGuide();
}
