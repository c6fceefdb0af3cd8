/**
 * `Predictive`: prior and posterior predictive draws, vectorized over draws with `vmap`.
 */
import { ArgumentError, ModelError } from "../errors.js";
import { resampleObserved } from "../handlers/resample-observed.js";
import { seed } from "../handlers/seed.js";
import { substitute } from "../handlers/substitute.js";
import { trace } from "../handlers/trace.js";
import { vmap } from "../handlers/vmap.js";
import type { Site } from "../primitives/messages.js";
import { foldIn, type Key, PRNGKey, toKey } from "../primitives/prng.js";
import type { Model } from "../primitives/runtime.js";
import { constant, readFloat64, tf, tidyValue } from "../tf.js";
import { formatShape, sizeOf } from "../util/shapes.js";
import type { Draws } from "./draws.js";

/** Options of `Predictive`. */
export interface PredictiveOptions {
  /** Posterior draws by site, leading dimension the draws (as `MCMC.getSamples()` returns). */
  posteriorSamples?: Record<string, Draws>;
  /** Number of draws (required without posteriorSamples). */
  numSamples?: number;
  /** Sites to return (default: every sample site not in posteriorSamples, and deterministic sites). */
  returnSites?: string[];
  /**
   * Run all draws at once as a batch (default true). Models must index from the right; set
   * false to run draw by draw.
   */
  parallel?: boolean;
  /**
   * Draw observed sites afresh (default true); false keeps their observed values, for runs that
   * only want deterministic sites (MCMC's), which then never sample from the likelihood.
   */
  resampleObserved?: boolean;
}

/**
 * Prior predictive (without posteriorSamples) or posterior predictive draws. Observed sites
 * are drawn afresh with the shape of their observed values, as PyMC's predictive sampling does.
 *
 * @example
 * const prior = new Predictive(model, { numSamples: 100 }).run(PRNGKey(0), data);
 * prior.x.shape; // [100, ...shape of x]
 * const post = new Predictive(model, { posteriorSamples: mcmc.getSamples() }).run(PRNGKey(1), data);
 */
export class Predictive<A extends unknown[]> {
  private readonly numSamples: number;

  constructor(
    private readonly model: Model<A, unknown>,
    private readonly options: PredictiveOptions = {},
  ) {
    const posterior = options.posteriorSamples;
    const counts = posterior === undefined ? [] : Object.values(posterior).map((d) => d.shape[0]);
    if (counts.some((n) => n !== counts[0])) {
      throw new ArgumentError({
        message: `Predictive: every site of posteriorSamples needs the same number of draws, got ${counts.join(", ")}`,
        api: "Predictive",
        argument: "posteriorSamples",
      });
    }
    const n = options.numSamples ?? counts[0];
    if (n === undefined || !Number.isInteger(n) || n < 1) {
      throw new ArgumentError({
        message: `Predictive: numSamples must be a positive integer (or give posteriorSamples), got ${options.numSamples}`,
        api: "Predictive",
        argument: "numSamples",
      });
    }
    if (counts.length > 0 && n !== counts[0]) {
      throw new ArgumentError({
        message: `Predictive: numSamples ${n} differs from the ${counts[0]} posterior draws`,
        api: "Predictive",
        argument: "numSamples",
      });
    }
    this.numSamples = n;
  }

  /** Draws per returned site, each of shape `[numSamples, ...site shape]`. */
  run(key: Key | number, ...args: A): Record<string, Draws> {
    const k = toKey(key, "Predictive.run");
    return this.options.parallel === false ? this.runSequential(k, args) : this.runBatched(k, args);
  }

  // The model with its observed sites drawn afresh, unless asked to keep them.
  private predictive<M extends Model<A, unknown>>(model: M): Model<A, unknown> {
    return this.options.resampleObserved === false ? model : resampleObserved(model);
  }

  private returned(site: Site): boolean {
    if (this.options.returnSites !== undefined) return this.options.returnSites.includes(site.name);
    if (this.options.posteriorSamples?.[site.name] !== undefined) return false;
    return site.type === "deterministic" || (site.type === "sample" && !isFactor(site));
  }

  private runBatched(key: Key, args: A): Record<string, Draws> {
    const n = this.numSamples;
    return tidyValue(() => {
      // One unbatched run tells each site's shape, event rank and the model's batch rank.
      const probe = trace(seed(this.predictive(this.model), PRNGKey(0))).getTrace(...args);
      let batchRank = 0;
      for (const site of probe.values()) {
        batchRank = Math.max(batchRank, ...site.plates.map((f) => -f.dim), siteBatchRank(site));
      }
      const dim = -1 - batchRank;
      const posterior = this.options.posteriorSamples ?? {};
      const values: Record<string, tf.Tensor> = {};
      for (const [name, draws] of Object.entries(posterior)) {
        const site = probe.has(name) ? probe.get(name) : undefined;
        if (site === undefined) continue;
        const eventRank = site.type === "sample" ? site.fn.eventShape.length : 0;
        const own = draws.shape.slice(1);
        const padding = batchRank - (own.length - eventRank);
        values[name] = tf.reshape(constant(draws.data), [
          n,
          ...new Array(Math.max(0, padding)).fill(1),
          ...own,
        ]);
      }
      const batched = vmap(this.predictive(substitute(this.model, values)), { size: n, dim });
      const tr = trace(seed(batched, key)).getTrace(...args);
      const out: Record<string, Draws> = {};
      for (const site of tr.values()) {
        if (site.type === "plate" || site.type === "param" || !this.returned(site)) continue;
        const own = probe.has(site.name)
          ? probe.get(site.name).value.shape
          : site.value.shape.slice(1);
        out[site.name] = collect(site.name, site.value, n, own);
      }
      return out;
    });
  }

  private runSequential(key: Key, args: A): Record<string, Draws> {
    const n = this.numSamples;
    const posterior = this.options.posteriorSamples ?? {};
    const parts: Record<string, { shape: number[]; chunks: Float64Array[] }> = {};
    for (let i = 0; i < n; i++) {
      tidyValue(() => {
        const values: Record<string, tf.Tensor> = {};
        for (const [name, draws] of Object.entries(posterior)) {
          const shape = draws.shape.slice(1);
          const size = sizeOf(shape);
          values[name] = tf.reshape(constant(draws.data.subarray(i * size, (i + 1) * size)), shape);
        }
        const tr = trace(
          seed(this.predictive(substitute(this.model, values)), foldIn(key, i)),
        ).getTrace(...args);
        for (const site of tr.values()) {
          if (site.type === "plate" || site.type === "param" || !this.returned(site)) continue;
          const entry = (parts[site.name] ??= { shape: site.value.shape.slice(), chunks: [] });
          entry.chunks.push(Float64Array.from(readFloat64(site.value)));
        }
      });
    }
    const out: Record<string, Draws> = {};
    for (const [name, { shape, chunks }] of Object.entries(parts)) {
      const size = sizeOf(shape);
      const data = new Float64Array(n * size);
      chunks.forEach((c, i) => {
        data.set(c, i * size);
      });
      out[name] = { shape: [n, ...shape], data };
    }
    return out;
  }
}

function isFactor(site: { type: string; fn?: { family: string } }): boolean {
  return site.fn?.family === "Unit";
}

function siteBatchRank(site: Site): number {
  if (site.type === "sample") return site.value.rank - site.fn.eventShape.length;
  if (site.type === "deterministic") return site.value.rank;
  return 0;
}

// A batched site value ([n, 1, ..., 1, ...own] or a broadcast of it) as Draws of shape [n, ...own].
function collect(name: string, value: tf.Tensor, n: number, own: readonly number[]): Draws {
  const target = [n, ...own];
  if (value.shape[0] !== n) {
    throw new ModelError({
      message: `Predictive: site "${name}" has shape ${formatShape(value.shape)} under batching, expected a leading ${n}; index from the right in the model, or use { parallel: false }`,
      site: name,
    });
  }
  const squeezed = tf.reshape(value, [n, ...squeezeToRank(value.shape.slice(1), own.length)]);
  const full = tf.broadcastTo(squeezed, target);
  return { shape: target, data: Float64Array.from(full.dataSync()) };
}

// Drops leading 1s so that `shape` has `rank` dims (the batch padding vmap introduced).
function squeezeToRank(shape: number[], rank: number): number[] {
  const out = shape.slice();
  while (out.length > rank && out[0] === 1) out.shift();
  if (out.length !== rank)
    throw new Error(`Predictive: cannot reduce shape ${formatShape(shape)} to rank ${rank}`);
  return out;
}
