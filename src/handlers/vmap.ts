/**
 * `vmap`: runs a model for a batch of independent copies at once, as an outermost plate.
 */
import { ArgumentError } from "../errors.js";
import { plateHandler } from "../primitives/plate.js";
import { PRNGKey } from "../primitives/prng.js";
import { handle, type Model } from "../primitives/runtime.js";
import { tidyValue } from "../tf.js";
import { seed } from "./seed.js";
import { type Trace, trace } from "./trace.js";

/** Options of `vmap`. */
export interface VmapOptions {
  /** Number of copies. */
  size: number;
  /** The batch dim; by default one left of every batch dim the model uses. */
  dim?: number;
}

/**
 * Batches a model: every site gains a dimension of `size` left of all the model's batch
 * dimensions (as NumPyro's vectorized Predictive does), so models must index from the right.
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
    const dim = options.dim ?? -1 - maxBatchRank(model, args);
    return yield* handle(
      model(...args),
      plateHandler({ name: "_vmap", size, subsampleSize: size, dim }),
    );
  };
}

/**
 * The largest number of batch dims any site of the model uses, found by running it once,
 * unbatched, with a fixed seed.
 */
export function maxBatchRank<A extends any[]>(model: Model<A, unknown>, args: A): number {
  return tidyValue(() => batchRankOfTrace(trace(seed(model, PRNGKey(0))).getTrace(...args)));
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
