/**
 * `Predictive`: prior and posterior predictive draws, one run of the model per draw (the
 * default, right for every model) or all draws in one batched run (`parallel: true`, checked
 * against the per-draw runs).
 */
import { ArgumentError, ModelError } from "../errors.js";
import { configEnumerate } from "../handlers/config-enumerate.js";
import { resampleObserved } from "../handlers/resample-observed.js";
import { seed } from "../handlers/seed.js";
import { substitute } from "../handlers/substitute.js";
import { type Trace, trace } from "../handlers/trace.js";
import { isBatchedShape, maxValueRank, vmap } from "../handlers/vmap.js";
import type { Site } from "../primitives/messages.js";
import { foldIn, type Key, toKey } from "../primitives/prng.js";
import { type Model, wrap } from "../primitives/runtime.js";
import { constant, readFloat64, tf, tidyValue } from "../tf.js";
import { ownValue, siteRecord } from "../util/records.js";
import { formatShape, shapesEqual, sizeOf } from "../util/shapes.js";
import type { Draws } from "./draws.js";
import { inferDiscrete } from "./enum/infer-discrete.js";
import { memberSeed } from "./member-draws.js";

/** Options of `Predictive`. */
export interface PredictiveOptions {
  /** Posterior draws by site, leading dimension the draws (as `MCMC.getSamples()` returns). */
  posteriorSamples?: Record<string, Draws>;
  /** Number of draws (required without posteriorSamples). */
  numSamples?: number;
  /** Sites to return (default: every sample site not in posteriorSamples, and deterministic sites). */
  returnSites?: string[];
  /**
   * Draw observed sites afresh, with the shape of their observed values (default true, as
   * PyMC's predictive sampling); false keeps them at their observed values (as NumPyro's
   * Predictive does when the model is given its data), e.g. to compute deterministic sites.
   */
  resampleObserved?: boolean;
  /**
   * Run all draws as one batched run (default false: one run per draw, as NumPyro's default).
   * The batched run gives the same draws as the per-draw runs for the same key; a model it
   * cannot batch exactly (a reshape to an explicit shape, a matMul or a positive axis across
   * the draws) is an error naming the site, never a wrong shape.
   */
  parallel?: boolean;
  /**
   * Draw the discrete latent sites with a finite support from their posterior given each
   * draw's other sites and the observed data (`inferDiscrete` at temperature 1, every such site
   * enumerated), as NumPyro's `infer_discrete=True`; without it they are drawn from their prior
   * (default false).
   */
  inferDiscrete?: boolean;
}

/**
 * Prior predictive (without posteriorSamples) or posterior predictive draws. Observed sites
 * are drawn afresh with the shape of their observed values, as PyMC's predictive sampling does.
 * Draw i runs the model under `seed(model, foldIn(key, i))` with the i-th posterior draw
 * substituted, in both modes.
 *
 * @example
 * const prior = new Predictive(eightSchools, { numSamples: 100 }).run(PRNGKey(0), sigma);
 * prior.obs.shape; // [100, 8]: simulated data
 * const post = new Predictive(eightSchools, { posteriorSamples: mcmc.getSamples() }).run(PRNGKey(1), sigma);
 * post.obs.shape; // [numDraws, 8]: posterior predictive
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
    return this.options.parallel === true ? this.runBatched(k, args) : this.runSequential(k, args);
  }

  private returned(site: Site): boolean {
    if (this.options.returnSites !== undefined) return this.options.returnSites.includes(site.name);
    if (ownValue(this.options.posteriorSamples, site.name) !== undefined) return false;
    return site.type === "deterministic" || (site.type === "sample" && !isFactor(site));
  }

  // Draw i's posterior values, shaped as the site's own values.
  private posteriorAt(i: number): Record<string, tf.Tensor> {
    const values = siteRecord<tf.Tensor>();
    for (const [name, draws] of Object.entries(this.options.posteriorSamples ?? {})) {
      const shape = draws.shape.slice(1);
      const size = sizeOf(shape);
      values[name] = tf.reshape(constant(draws.data.subarray(i * size, (i + 1) * size)), shape);
    }
    return values;
  }

  // The model with posterior `values` substituted (deterministic sites are recomputed, as
  // NumPyro's Predictive does by default), with inferDiscrete its discrete sites drawn from
  // their posterior with `discreteKey`, and unless told otherwise fresh observations.
  private prepared(values: Record<string, tf.Tensor>, discreteKey: Key): Model<A, unknown> {
    const discrete = this.options.inferDiscrete === true;
    // With inferDiscrete, every discrete site with a finite support is enumerated, as NumPyro's
    // Predictive marks them.
    const given = substitute(discrete ? configEnumerate(this.model) : this.model, (msg) =>
      msg.type === "deterministic" ? undefined : ownValue(values, msg.name),
    );
    const model = discrete ? inferDiscrete(given, { temperature: 1, key: discreteKey }) : given;
    return this.options.resampleObserved === false ? model : resampleObserved(model);
  }

  // The run of draw i alone: what the per-draw loop does.
  private drawTrace(key: Key, args: A, i: number): Trace {
    const drawKey = foldIn(key, i);
    const model = this.prepared(this.posteriorAt(i), foldIn(drawKey, 1));
    return trace(seed(model, drawKey)).getTrace(...args);
  }

  private runBatched(key: Key, args: A): Record<string, Draws> {
    const n = this.numSamples;
    if (this.options.inferDiscrete === true) {
      throw new ArgumentError({
        message:
          "Predictive: inferDiscrete draws the discrete sites one draw at a time; parallel: true cannot reproduce those draws in one batched run (leave parallel unset)",
        api: "Predictive",
        argument: "parallel",
      });
    }
    return tidyValue(() => {
      // Draw 0 alone: each site's unbatched shape and distribution (the template of the
      // per-draw sampling), the rank of the model's values, and the reference batched draw 0
      // must equal. The draws go one dim left of every value's dims.
      const probe = this.drawTrace(key, args, 0);
      const rank = maxValueRank(probe);
      const dim = -1 - rank;
      const values = siteRecord<tf.Tensor>();
      for (const [name, draws] of Object.entries(this.options.posteriorSamples ?? {})) {
        if (!probe.has(name)) continue;
        const own = draws.shape.slice(1);
        const padding = rank - own.length;
        values[name] = tf.reshape(constant(draws.data), [
          n,
          ...new Array(Math.max(0, padding)).fill(1),
          ...own,
        ]);
      }
      const model = this.prepared(values, key);
      const batched = vmap(memberSeed(model, key, n, probe, rank), { size: n, dim });
      const tr = runReportingSite(batched, args);
      const out = siteRecord<Draws>();
      for (const site of tr.values()) {
        if (site.type !== "sample" && site.type !== "deterministic") continue;
        const own = probe.has(site.name) ? probe.get(site.name) : undefined;
        if (own === undefined) throw notInProbe(site.name);
        checkBatched(site, own, n);
        if (this.returned(site)) out[site.name] = collect(site.value, n, own.value.shape);
      }
      return out;
    });
  }

  private runSequential(key: Key, args: A): Record<string, Draws> {
    const n = this.numSamples;
    const parts = siteRecord<{ shape: number[]; chunks: Float64Array[] }>();
    for (let i = 0; i < n; i++) {
      tidyValue(() => {
        for (const site of this.drawTrace(key, args, i).values()) {
          if (site.type === "plate" || site.type === "param" || !this.returned(site)) continue;
          const entry = (parts[site.name] ??= { shape: site.value.shape.slice(), chunks: [] });
          if (!shapesEqual(site.value.shape, entry.shape)) {
            throw new ModelError({
              message: `Predictive: site "${site.name}" has shape ${formatShape(site.value.shape)} in draw ${i} but ${formatShape(entry.shape)} in draw 0; a site's shape must not change from draw to draw`,
              site: site.name,
            });
          }
          entry.chunks.push(Float64Array.from(readFloat64(site.value)));
        }
      });
    }
    const out = siteRecord<Draws>();
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

// Runs the batched model; an error inside it names the last site that ran.
function runReportingSite<A extends unknown[]>(model: Model<A, unknown>, args: A): Trace {
  let last: string | undefined;
  const watched = wrap(model, () => ({
    postprocess(msg) {
      last = msg.name;
    },
  }));
  try {
    return trace(watched).getTrace(...args);
  } catch (error) {
    if (error instanceof ModelError) throw error;
    const where = last === undefined ? "before its first site" : `after site "${last}"`;
    throw new ModelError({
      message: `Predictive (parallel): the model fails when its draws are batched, ${where}: ${(error as Error).message}; it combines values across the draws (an explicit shape, reshape, matMul or a positive axis): use parallel: false`,
      site: last,
    });
  }
}

function notInProbe(name: string): ModelError {
  return new ModelError({
    message: `Predictive (parallel): site "${name}" appears in the batched run but not in draw 0 alone; the sites must not depend on the draw: use parallel: false`,
    site: name,
  });
}

// A batched site must be the unbatched site with the draws in front, and its draw 0 must be
// draw 0 run alone (same key, same posterior values): otherwise the batching was not exact.
function checkBatched(site: Site, own: Site, n: number): void {
  const shape = site.value.shape;
  if (!isBatchedShape(shape, own.value.shape, n)) {
    throw new ModelError({
      message: `Predictive (parallel): site "${site.name}" has shape ${formatShape(shape)} for ${n} draws but ${formatShape(own.value.shape)} in one draw; the model combines values across the draws (an explicit shape, reshape, matMul or a positive axis): use parallel: false`,
      site: site.name,
    });
  }
  const first = readFloat64(firstDraw(site.value, n, own.value.shape));
  const alone = readFloat64(own.value);
  for (let j = 0; j < alone.length; j++) {
    const a = first[j];
    const b = alone[j];
    if (Object.is(a, b) || Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b))) continue;
    throw new ModelError({
      message: `Predictive (parallel): site "${site.name}" differs between the batched run (${a}) and draw 0 run alone (${b}) at element ${j}; the model mixes values across the draws: use parallel: false`,
      site: site.name,
    });
  }
}

// Draw 0 of a batched value ([n or 1, 1, ..., 1, ...own] or own), shaped own.
function firstDraw(value: tf.Tensor, n: number, own: readonly number[]): tf.Tensor {
  const extra = value.rank - own.length;
  if (extra === 0) return value;
  const lead = value.shape.slice(0, extra);
  const at = lead.indexOf(n);
  if (at < 0) return tf.reshape(value, own as number[]);
  const begin = value.shape.map(() => 0);
  const size = value.shape.map((d, k) => (k === at ? 1 : d));
  return tf.reshape(tf.slice(value, begin, size), own as number[]);
}

// A batched site value as Draws of shape [n, ...own] (a value the same for every draw repeats).
function collect(value: tf.Tensor, n: number, own: readonly number[]): Draws {
  const target = [n, ...own];
  const extra = value.rank - own.length;
  const lead = value.shape.slice(0, extra);
  const draws = lead.includes(n) && n > 1 ? n : 1;
  const full = tf.broadcastTo(tf.reshape(value, [draws, ...own]), target);
  return { shape: target, data: Float64Array.from(readFloat64(full)) };
}
