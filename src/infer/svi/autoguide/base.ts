/**
 * What every autoguide shares: the callable-guide shape, lazy discovery of the model's latent
 * sites on the first call, the fitted parameters it keeps, initial locations, and turning
 * unconstrained float64 draws into constrained `Draws`.
 *
 * An autoguide is a guide (a generator function taking the model's arguments) with methods
 * attached: `median`, `quantiles` and `samplePosterior` read the parameters of the latest
 * `svi.run` over the guide (or those given with `setParams`, or passed explicitly).
 */
import erfinv from "@stdlib/math-base-special-erfinv";
import { ArgumentError } from "../../../errors.js";
import { seed } from "../../../handlers/seed.js";
import { trace } from "../../../handlers/trace.js";
import type { Message } from "../../../primitives/messages.js";
import { foldIn, type Key, PRNGKey, uniform } from "../../../primitives/prng.js";
import type { Model } from "../../../primitives/runtime.js";
import { type ArrayLike, constant, readFloat64, tf, tidyValue } from "../../../tf.js";
import { ownValue } from "../../../util/records.js";
import { formatShape, shapesEqual, sizeOf } from "../../../util/shapes.js";
import type { Draws } from "../../draws.js";
import { discoverLatentSites, type LatentSite, type Prototype } from "./prototype.js";

/** How an autoguide picks the initial unconstrained location of each latent site. */
export type InitLoc =
  /** uniform(-2, 2) in the unconstrained space (NumPyro's init_to_uniform, the default). */
  | "uniform"
  /** The elementwise median of 15 prior draws, unconstrained (NumPyro's init_to_median). */
  | "median"
  /** Given constrained values by site name; sites left out start uniform. */
  | Record<string, ArrayLike>;

/** Options every autoguide takes. */
export interface AutoGuideOptions {
  /** Prefix of the param names (default "auto"): `${name}_${prefix}_loc`, `${prefix}_loc`, ... */
  prefix?: string;
  /** Initial locations (default "uniform"). */
  initLoc?: InitLoc;
}

/** Constrained values by site name, as `getParams` and the summaries return them. */
export type SiteValues = Record<string, Draws>;

/** The methods an autoguide adds to its guide function. */
export interface AutoGuideMethods {
  /** "AutoNormal", "AutoDelta", ... */
  readonly guideName: string;
  /** Keeps fitted parameters (SVI.run calls this) for the summaries below. */
  setParams(params: SiteValues): void;
  /** The posterior median of every latent site, constrained. */
  median(params?: SiteValues): SiteValues;
  /** Quantiles of every latent site's marginal, constrained: leading dim = qs.length. */
  quantiles(qs: readonly number[], params?: SiteValues): SiteValues;
  /** n draws of every latent site from the fitted guide, constrained: leading dim n. */
  samplePosterior(key: Key | number, n: number, params?: SiteValues): SiteValues;
  /** The latent sites found in the model (after the first call or `setup`). */
  latentSites(): readonly LatentSite[];
  /** Discovers the model's latent sites for these arguments (done on the first call anyway). */
  setup(...args: unknown[]): void;
}

/** A guide function with the autoguide methods. */
export type AutoGuide<A extends any[] = any[]> = Model<A, void> & AutoGuideMethods;

/** The shared state and helpers of the autoguides; each subclass writes `body` and the summaries. */
export abstract class AutoGuideBase<A extends any[]> {
  abstract readonly guideName: string;
  protected proto: Prototype | undefined;
  protected modelArgs: A | undefined;
  protected fitted: SiteValues | undefined;
  readonly prefix: string;

  constructor(
    readonly model: Model<A, unknown>,
    readonly options: AutoGuideOptions = {},
  ) {
    this.prefix = options.prefix ?? "auto";
  }

  /** The guide's generator for one run. */
  protected abstract body(proto: Prototype, args: A): Generator<Message, void, unknown>;
  abstract median(params?: SiteValues): SiteValues;
  abstract quantiles(qs: readonly number[], params?: SiteValues): SiteValues;
  abstract samplePosterior(key: Key | number, n: number, params?: SiteValues): SiteValues;

  setup(...args: A): Prototype {
    if (this.proto === undefined) {
      this.proto = this.discover(args);
      this.modelArgs = args;
    }
    return this.proto;
  }

  protected discover(args: A): Prototype {
    return discoverLatentSites(this.guideName, this.model, args);
  }

  setParams(params: SiteValues): void {
    this.fitted = params;
  }

  latentSites(): readonly LatentSite[] {
    return this.prototype().sites;
  }

  /** The callable guide with the methods attached. */
  asGuide(): AutoGuide<A> {
    const self = this;
    const guide = function* (...args: A) {
      return yield* self.body(self.setup(...args), args);
    };
    return Object.assign(guide, {
      guideName: this.guideName,
      setParams: (p: SiteValues) => this.setParams(p),
      median: (p?: SiteValues) => this.median(p),
      quantiles: (qs: readonly number[], p?: SiteValues) => this.quantiles(qs, p),
      samplePosterior: (key: Key | number, n: number, p?: SiteValues) =>
        this.samplePosterior(key, n, p),
      latentSites: () => this.latentSites(),
      setup: (...args: unknown[]) => {
        this.setup(...(args as A));
      },
    });
  }

  protected prototype(): Prototype {
    if (this.proto === undefined) {
      throw new ArgumentError({
        message: `${this.guideName}: the guide has not seen its model yet; run SVI with it (or call guide.setup(...args)) first`,
        api: this.guideName,
        argument: "guide",
      });
    }
    return this.proto;
  }

  /** The given params, else the fitted ones; a missing name is an error naming it. */
  protected paramsOr(params: SiteValues | undefined, api: string, names: string[]): SiteValues {
    const p = params ?? this.fitted;
    if (p === undefined) {
      throw new ArgumentError({
        message: `${this.guideName}.${api}: no parameters; run SVI with this guide first or pass the params that svi.getParams returned`,
        api: `${this.guideName}.${api}`,
        argument: "params",
      });
    }
    for (const name of names) {
      if (ownValue(p, name) === undefined) {
        throw new ArgumentError({
          message: `${this.guideName}.${api}: params lack "${name}" (got ${Object.keys(p).join(", ") || "none"})`,
          api: `${this.guideName}.${api}`,
          argument: name,
        });
      }
    }
    return p;
  }

  /** The initial unconstrained value of a site (full plate sizes), as a float64 array. */
  protected initialLocation(site: LatentSite, key: Key): Float64Array {
    const init = this.options.initLoc ?? "uniform";
    const size = sizeOf(site.fullUnconstrainedShape);
    if (init === "uniform") return uniform(key, size, -2, 2);
    if (init === "median") return this.priorMedian(site) ?? uniform(key, size, -2, 2);
    const given = ownValue(init, site.name);
    if (given === undefined) return uniform(key, size, -2, 2);
    return tidyValue(() => {
      const x = constant(given);
      const full = site.transform.forwardShape(site.fullUnconstrainedShape);
      if (!shapesEqual(x.shape, full)) {
        throw new ArgumentError({
          message: `${this.guideName}: initLoc for "${site.name}" needs shape ${formatShape(full)}, got ${formatShape(x.shape)}`,
          api: this.guideName,
          argument: "initLoc",
        });
      }
      return (
        site.transform.inverseF64(readFloat64(x), full) ??
        Float64Array.from(readFloat64(site.transform.inverse(x)))
      );
    });
  }

  private medians: Map<string, Float64Array> | undefined;

  // Elementwise median of 15 prior draws in the unconstrained space; undefined for local sites.
  private priorMedian(site: LatentSite): Float64Array | undefined {
    if (!shapesEqual(site.unconstrainedShape, site.fullUnconstrainedShape)) return undefined;
    if (this.medians === undefined) {
      const draws = new Map<string, Float64Array[]>();
      const args = this.modelArgs as A;
      for (let i = 0; i < 15; i++) {
        tidyValue(() => {
          const tr = trace(seed(this.model, foldIn(PRNGKey(1), i))).getTrace(...args);
          for (const s of this.prototype().sites) {
            const value = tr.get(s.name).value;
            const u = s.transform.inverse(value);
            const list = draws.get(s.name) ?? [];
            list.push(Float64Array.from(readFloat64(u)));
            draws.set(s.name, list);
          }
        });
      }
      this.medians = new Map(
        [...draws].map(([name, list]) => [name, elementwiseMedian(list)] as const),
      );
    }
    return this.medians.get(site.name)?.slice();
  }
}

function elementwiseMedian(list: Float64Array[]): Float64Array {
  const out = new Float64Array(list[0].length);
  for (let i = 0; i < out.length; i++) {
    const column = list.map((a) => a[i]).sort((a, b) => a - b);
    const mid = column.length >> 1;
    out[i] = column.length % 2 ? column[mid] : 0.5 * (column[mid - 1] + column[mid]);
  }
  return out;
}

/** The standard normal quantile function, in float64. */
export function standardNormalQuantile(q: number): number {
  return Math.SQRT2 * erfinv(2 * q - 1);
}

/**
 * The normal quantiles loc + sd * Phi^-1(q), elementwise, for each level q: `qs.length` rows of
 * `loc.length` values, row-major.
 *
 * @example
 * normalQuantiles([0.5, 0.975], Float64Array.of(1), Float64Array.of(2)); // [1, 4.92]
 */
export function normalQuantiles(
  qs: readonly number[],
  loc: Float64Array,
  sd: Float64Array,
): Float64Array {
  const rows = new Float64Array(qs.length * loc.length);
  qs.forEach((q, k) => {
    const z = standardNormalQuantile(q);
    for (let i = 0; i < loc.length; i++) rows[k * loc.length + i] = loc[i] + sd[i] * z;
  });
  return rows;
}

/** Checks quantile levels: each in (0, 1). */
export function checkQuantiles(api: string, qs: readonly number[]): void {
  for (const q of qs) {
    if (!(q > 0 && q < 1)) {
      throw new ArgumentError({
        message: `${api}: quantile levels must lie in (0, 1), got ${q}`,
        api,
        argument: "qs",
      });
    }
  }
}

/** Checks a draw count. */
export function checkDrawCount(api: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new ArgumentError({
      message: `${api}: the number of draws must be a positive integer, got ${n}`,
      api,
      argument: "n",
    });
  }
}

/**
 * Constrained Draws of a site from `count` unconstrained float64 blocks of its (full)
 * unconstrained shape, row-major: `values` has count * size entries.
 */
export function constrainSite(
  site: LatentSite,
  values: Float64Array,
  count: number,
  unconstrainedShape: readonly number[] = site.fullUnconstrainedShape,
): Draws {
  const shape = [count, ...unconstrainedShape];
  const outShape = [count, ...site.transform.forwardShape(unconstrainedShape as number[])];
  const exact = site.transform.forwardF64(values, shape);
  if (exact !== undefined) return { shape: outShape, data: exact };
  return tidyValue(() => ({
    shape: outShape,
    data: Float64Array.from(
      readFloat64(site.transform.forward(tf.reshape(constant(values), shape))),
    ),
  }));
}

/** Whether a site's transform acts elementwise (so marginal quantiles map through it). */
export function isElementwise(site: LatentSite): boolean {
  return shapesEqual(site.transform.forwardShape(site.unconstrainedShape), site.unconstrainedShape);
}

/** Throws when a site's quantiles cannot be mapped through its transform. */
export function checkElementwise(api: string, site: LatentSite): void {
  if (!isElementwise(site)) {
    throw new ArgumentError({
      message: `${api}: the site "${site.name}" reaches its support through the non-elementwise transform "${site.transform.name}", so its marginal quantiles are not the transformed Gaussian quantiles; use samplePosterior`,
      api,
      argument: site.name,
    });
  }
}
