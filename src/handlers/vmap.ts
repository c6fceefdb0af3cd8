/**
 * `vmap`: runs a model for a batch of independent copies at once, as an outermost plate.
 */
import { ArgumentError, ModelError } from "../errors.js";
import { withBatchFrame } from "../primitives/batch-context.js";
import type { Message } from "../primitives/messages.js";
import { plateHandler } from "../primitives/plate.js";
import { PRNGKey } from "../primitives/prng.js";
import { handle, type Model, wrap } from "../primitives/runtime.js";
import { tidyValue } from "../tf.js";
import { formatShape } from "../util/shapes.js";
import { seed } from "./seed.js";
import { type Trace, trace } from "./trace.js";

/** Options of `vmap`. */
export interface VmapOptions {
  /** Number of copies. */
  size: number;
  /**
   * The batch dim, counted from the right of site values (event dims included); by default
   * one left of every dim of every site's value.
   */
  dim?: number;
}

/**
 * Batches a model: every site's value gains a dimension of `size` left of all its dims (as
 * NumPyro's vectorized Predictive does). The dim is counted on values, event dims included,
 * so that a scalar site batched as [size, 1] broadcasts against a vector as the model expects
 * (a distribution with k event dims sees it k dims further right in its batch shape). `expand`
 * keeps that dimension, so
 * `Normal(mu, 1).expand([12])` works batched; other shape-taking code (`reshape` to explicit
 * shapes, `matMul` over the batch, positive axes) sees it. Without `dim`, vmap first runs the
 * model once unbatched and checks every site of the batched run against it: a site whose
 * shape is not its unbatched shape with the batch in front is an error naming the site.
 *
 * @example
 * const tr = trace(seed(vmap(model, { size: 100 }), 0)).getTrace(); // 100 prior draws per site
 */
export function vmap<A extends any[], R>(model: Model<A, R>, options: VmapOptions): Model<A, R> {
  const { size } = options;
  if (!Number.isInteger(size) || size < 1) {
    throw new ArgumentError({
      message: `vmap: size must be a positive integer, got ${size}`,
      api: "vmap",
      argument: "size",
    });
  }
  return function* vmapped(...args: A) {
    if (options.dim !== undefined) return yield* batched(model, args, size, options.dim);
    const probe = unbatchedTrace(model, args);
    const dim = -1 - maxValueRank(probe);
    return yield* namingLastSite(batched(checkAgainst(model, probe, size, dim), args, size, dim));
  };
}

// Rethrows an error raised by batched model code as a ModelError naming the last site seen.
function* namingLastSite<R>(gen: Generator<Message, R, unknown>): Generator<Message, R, unknown> {
  let last: string | undefined;
  for (;;) {
    let next: IteratorResult<Message, R>;
    try {
      next = gen.next();
    } catch (error) {
      if (error instanceof ModelError) throw error;
      const where = last === undefined ? "before its first site" : `after site "${last}"`;
      throw new ModelError({
        message: `vmap: the model fails batched, ${where}: ${(error as Error).message}; it combines values along the batch dim (an explicit shape, reshape, matMul or a positive axis): index from the right, or run it once per copy`,
        site: last,
      });
    }
    if (next.done) return next.value;
    last = next.value.name;
    yield next.value;
  }
}

function* batched<A extends any[], R>(model: Model<A, R>, args: A, size: number, dim: number) {
  const frame = { name: "_vmap", size, subsampleSize: size, dim };
  return yield* handle(withBatchFrame(model(...args), { dim, size }), {
    // A site with k event dims has the value dim `dim` at batch dim `dim + k`.
    process(msg) {
      const eventRank = msg.type === "sample" ? msg.fn.eventShape.length : 0;
      plateHandler({ ...frame, dim: dim + eventRank }).process?.(msg);
    },
    // Checked once the handlers outside have seen the site: under `enumerate` the dims left of
    // its first enumeration dim are enumeration dims, not misplaced copies.
    postprocess(msg) {
      if (msg.type !== "sample") return;
      const first = msg.enumeration?.firstAvailableDim;
      checkBatchPosition(msg.name, msg.fn.batchShape, dim + msg.fn.eventShape.length, first);
    },
  });
}

// A distribution whose batch shape has dims left of vmap's batch dim got the copies in the
// wrong place: typically a scalar site (batched as [size, 1, ...] on values) passed as the
// parameter of a distribution with event dims, which reads the trailing 1s as batch dims.
// Dims at or left of `enumerationDim` (enumeration's) are allowed.
function checkBatchPosition(
  site: string,
  batchShape: readonly number[],
  dim: number,
  enumerationDim?: number,
): void {
  const n = batchShape.length;
  const from = enumerationDim === undefined ? 0 : Math.max(0, n + enumerationDim + 1);
  const left = batchShape.slice(from, Math.max(from, n + dim));
  if (left.every((d) => d === 1)) return;
  throw new ModelError({
    message:
      `vmap: site "${site}" has batch shape ${formatShape(batchShape)}, with dims left of the batch dim ${dim}; ` +
      "a value batched for elementwise use reached a distribution with event dims as a parameter (a scalar site as the scale of GaussianRandomWalk, say): run it once per copy",
    site,
  });
}

/** One unbatched run of the model with a fixed seed. */
export function unbatchedTrace<A extends any[]>(model: Model<A, unknown>, args: A): Trace {
  return trace(seed(model, PRNGKey(0))).getTrace(...args);
}

/**
 * The largest rank of any site's value, event dims included (a site in plates counts its
 * plate dims), found by running the model once, unbatched, with a fixed seed, or from such a
 * trace: vmap's default dim is one left of it.
 */
export function maxValueRank<A extends any[]>(model: Model<A, unknown> | Trace, args?: A): number {
  return tidyValue(() => {
    const tr = typeof model === "function" ? unbatchedTrace(model, args as A) : model;
    let rank = 0;
    for (const site of tr.values()) {
      if (site.type !== "sample" && site.type !== "deterministic") continue;
      const plateRank = Math.max(0, ...site.plates.map((f) => -f.dim));
      const eventRank = site.type === "sample" ? site.fn.eventShape.length : 0;
      rank = Math.max(rank, site.value.rank, plateRank + eventRank);
    }
    return rank;
  });
}

/**
 * The largest number of batch dims any site of the model uses (plates and batch shapes, event
 * dims not counted), found by running it once, unbatched, with a fixed seed: enumeration dims
 * go left of them.
 *
 * @example
 * maxBatchRank(model, [data]); // 1 for a model with one plate
 */
export function maxBatchRank<A extends any[]>(model: Model<A, unknown>, args: A): number {
  return tidyValue(() => batchRankOfTrace(unbatchedTrace(model, args)));
}

/**
 * The largest number of batch dims any site of a trace uses (plates and batch shapes).
 *
 * @example
 * batchRankOfTrace(trace(seed(model, 0)).getTrace()); // 1 for a model with one plate
 */
export function batchRankOfTrace(tr: Trace): number {
  let rank = 0;
  for (const site of tr.values()) {
    const plateRank = Math.max(0, ...site.plates.map((f) => -f.dim));
    const own =
      site.type === "sample"
        ? site.value.rank - site.fn.eventShape.length
        : site.type === "plate"
          ? 0
          : site.value.rank;
    rank = Math.max(rank, plateRank, own);
  }
  return rank;
}

/**
 * Whether `batched` is `own` batched `size` times: `[..., size, ...]` in front of `own`, every
 * other leading dim 1 (`[size, 1, ..., 1, ...own]` and reductions of it), or `own` itself (a
 * value the same for every copy).
 *
 * @example
 * isBatchedShape([100, 1, 8], [8], 100); // true
 * isBatchedShape([100, 8], [100], 100); // false: the batch was summed into the site's dims
 */
export function isBatchedShape(
  batched: readonly number[],
  own: readonly number[],
  size: number,
): boolean {
  const extra = batched.length - own.length;
  if (extra < 0) return false;
  if (!batched.slice(extra).every((d, i) => d === own[i])) return false;
  const lead = batched.slice(0, extra);
  const copies = lead.filter((d) => d !== 1);
  return copies.length === 0 || (copies.length === 1 && copies[0] === size);
}

// Checks each sample and deterministic site of the batched run against the unbatched probe.
function checkAgainst<A extends any[], R>(
  model: Model<A, R>,
  probe: Trace,
  size: number,
  dim: number,
): Model<A, R> {
  const where = `batched ${size} times at dim ${dim}`;
  return wrap(model, () => ({
    postprocess(msg) {
      if ((msg.type !== "sample" && msg.type !== "deterministic") || msg.value === null) return;
      if (!probe.has(msg.name)) return;
      const own = probe.get(msg.name);
      // Under `enumerate` (outside vmap), an enumerated site's value is its support on a dim of
      // its own, and other values may gain such dims: only the dims right of them are the model's.
      const enumeration = msg.type === "sample" ? msg.enumeration : undefined;
      if (enumeration?.variable !== undefined) return;
      const kept = enumeration === undefined ? msg.value.rank : -1 - enumeration.firstAvailableDim;
      const shape = msg.value.shape.slice(Math.max(0, msg.value.rank - kept));
      if (!isBatchedShape(shape, own.value.shape, size)) {
        throw new ModelError({
          message:
            `vmap: site "${msg.name}" has shape ${formatShape(msg.value.shape)} ${where}, ` +
            `but ${formatShape(own.value.shape)} unbatched; the model combines values along the batch dim ` +
            "(an explicit shape, reshape, matMul or a positive axis): index from the right, or run it once per copy",
          site: msg.name,
        });
      }
    },
  }));
}
