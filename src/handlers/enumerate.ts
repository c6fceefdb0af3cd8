/**
 * `enumerate`: gives each site marked `infer: { enumerate: "parallel" }` every value of its
 * support at once, on a dimension of its own left of every plate (Pyro's `poutine.enum`,
 * NumPyro's `enum`). Downstream code sees an ordinary tensor with one more dimension, so a
 * model that indexes from the right runs unchanged; the log-probabilities of the sites
 * downstream then carry one entry per combination of values, and the contraction
 * (src/infer/enum) sums the enumerated sites out.
 *
 * Dims are allocated right to left from `firstAvailableDim`. Inside `markov` loops a site's dim
 * is released once the loop has moved more than `history` steps past it, so a chain of
 * discrete states alternates between a few dims instead of taking one per step.
 */
import { ArgumentError, ModelError } from "../errors.js";
import type { MarkovFrame, SampleMessage } from "../primitives/messages.js";
import { type Handler, type Model, wrap } from "../primitives/runtime.js";
import { tf } from "../tf.js";
import { formatShape } from "../util/shapes.js";
import { maxBatchRank } from "./vmap.js";

/** Options of `enumerate`. */
export interface EnumerateOptions {
  /**
   * The number of batch dims the model uses (plates, and vmap's or particles' dims): enumeration
   * dims go left of them. Default: measured by one run of the model (a cost at every call; give
   * it where the model runs often).
   */
  maxPlateNesting?: number;
  /** The same as a dim: the rightmost dim enumeration may use, `-1 - maxPlateNesting`. */
  firstAvailableDim?: number;
}

interface Variable {
  readonly id: number;
  readonly dim: number;
  readonly markov: readonly MarkovFrame[];
}

/**
 * Enumerates the sites marked `infer: { enumerate: "parallel" }` (see `configEnumerate`): each
 * takes the values of its `enumerateSupport(false)` on a fresh dim left of every plate. Handlers
 * that set values (condition, substitute) go inside it.
 *
 * @example
 * function* model() {
 *   const z = yield* sample("z", Bernoulli({ probs: 0.3 }), { infer: { enumerate: "parallel" } });
 *   yield* sample("x", Normal(z, 1), { obs: 0.5 });
 * }
 * const tr = trace(enumerate(model, { maxPlateNesting: 0 })).getTrace();
 * tr.get("z").value.shape; // [2]: both values
 * tr.get("x").fn.batchShape; // [2]: one log-probability per value of z
 */
export function enumerate<A extends any[], R>(
  model: Model<A, R>,
  options: EnumerateOptions = {},
): Model<A, R> {
  const given = firstDimOf(options);
  return function* enumerated(...args: A) {
    const first = given ?? -1 - maxBatchRank(model, args);
    return yield* wrap(model, () => enumerationHandler(first))(...args);
  };
}

function firstDimOf(options: EnumerateOptions): number | undefined {
  const { maxPlateNesting, firstAvailableDim } = options;
  if (
    maxPlateNesting !== undefined &&
    (!Number.isInteger(maxPlateNesting) || maxPlateNesting < 0)
  ) {
    throw new ArgumentError({
      message: `enumerate: maxPlateNesting must be a non-negative integer, got ${maxPlateNesting}`,
      api: "enumerate",
      argument: "maxPlateNesting",
    });
  }
  if (
    firstAvailableDim !== undefined &&
    (!Number.isInteger(firstAvailableDim) || firstAvailableDim >= 0)
  ) {
    throw new ArgumentError({
      message: `enumerate: firstAvailableDim must be a negative integer, got ${firstAvailableDim}`,
      api: "enumerate",
      argument: "firstAvailableDim",
    });
  }
  if (
    maxPlateNesting !== undefined &&
    firstAvailableDim !== undefined &&
    firstAvailableDim !== -1 - maxPlateNesting
  ) {
    throw new ArgumentError({
      message: `enumerate: firstAvailableDim ${firstAvailableDim} disagrees with maxPlateNesting ${maxPlateNesting} (firstAvailableDim = -1 - maxPlateNesting); give one of them`,
      api: "enumerate",
      argument: "firstAvailableDim",
    });
  }
  return firstAvailableDim ?? (maxPlateNesting === undefined ? undefined : -1 - maxPlateNesting);
}

/** The handler of one run: allocates dims and records them on the messages. */
function enumerationHandler(firstAvailableDim: number): Handler {
  let count = 0;
  // The variables whose dims are in use; steps only advance, so a released one stays released.
  let live: Variable[] = [];
  // The latest step seen of each markov loop.
  const latestStep = new Map<number, number>();
  const enumerated = new Map<SampleMessage, tf.Tensor>();
  const released = (v: Variable) =>
    v.markov.some((f) => (latestStep.get(f.id) ?? f.step) - f.step > f.history);
  return {
    process(msg) {
      if (msg.type !== "sample") return;
      const site = msg;
      for (const f of site.markov ?? []) {
        latestStep.set(f.id, Math.max(latestStep.get(f.id) ?? f.step, f.step));
      }
      if (site.markov !== undefined) live = live.filter((v) => !released(v));
      const dims = new Map(live.map((v) => [v.dim, v.id]));
      // A scan's site whose probe this handler enumerated comes back once, stacked, as that
      // variable (scan-enum.ts): it keeps it.
      const preset = site.enumeration?.variable;
      const kept = preset !== undefined && dims.get(preset.dim) === preset.id ? preset : undefined;
      const strategy = site.infer.enumerate;
      if (strategy === undefined || site.isObserved || site.value !== null) {
        site.enumeration = { firstAvailableDim, variable: kept, dims };
        return;
      }
      if (strategy !== "parallel") {
        throw new ModelError({
          message: `enumerate: site "${site.name}" asks for enumerate: "${String(strategy)}"; only "parallel" is supported`,
          site: site.name,
        });
      }
      const values = supportOf(site, firstAvailableDim, dims);
      let dim = firstAvailableDim;
      while (dims.has(dim)) dim--;
      const size = values.shape[0];
      const value = tf.reshape(values, [size, ...new Array<number>(-dim - 1).fill(1)]);
      const variable: Variable = { id: count++, dim, markov: [...(site.markov ?? [])] };
      live.push(variable);
      dims.set(dim, variable.id);
      site.value = value;
      site.enumeration = { firstAvailableDim, variable: { id: variable.id, dim, size }, dims };
      enumerated.set(site, value);
    },
    postprocess(msg) {
      if (msg.type !== "sample") return;
      const value = enumerated.get(msg);
      if (value === undefined) return;
      enumerated.delete(msg);
      if (msg.value !== value) {
        throw new ModelError({
          message: `enumerate: site "${msg.name}" was enumerated, but a handler outside enumerate gave it another value; put condition and substitute inside enumerate`,
          site: msg.name,
        });
      }
    },
  };
}

// The support of an enumerated site as a flat [K] tensor, after checking that the site can be
// enumerated: a finite support, no event dims, and batch dims that are plates or enumeration dims.
function supportOf(
  site: SampleMessage,
  firstAvailableDim: number,
  dims: ReadonlyMap<number, number>,
): tf.Tensor {
  const fn = site.fn;
  if (!fn.hasEnumerateSupport) {
    throw new ModelError({
      message: `enumerate: site "${site.name}" is marked for enumeration, but its distribution (${fn.family}) has no enumerateSupport; only discrete distributions with a finite support can be enumerated`,
      site: site.name,
    });
  }
  if (fn.eventShape.length > 0) {
    throw new ModelError({
      message: `enumerate: site "${site.name}" has event shape ${formatShape(fn.eventShape)}; only sites with scalar values can be enumerated`,
      site: site.name,
    });
  }
  const batch = fn.batchShape;
  for (let i = 0; i < batch.length; i++) {
    const dim = i - batch.length;
    if (batch[i] === 1) continue;
    if (dim > firstAvailableDim) {
      if (!site.plates.some((f) => f.dim === dim)) {
        throw new ModelError({
          message: `enumerate: site "${site.name}" has batch dim ${dim} of size ${batch[i]}, which is not a plate; an enumerated site's batch dims must be plates (wrap the site in plate(...))`,
          site: site.name,
        });
      }
    } else if (!dims.has(dim)) {
      throw new ModelError({
        message: `enumerate: site "${site.name}" has batch dim ${dim} of size ${batch[i]}, left of the plates where enumeration puts its dims (from ${firstAvailableDim} leftwards); declare that dim with a plate, or give a larger maxPlateNesting`,
        site: site.name,
      });
    }
  }
  const support = fn.enumerateSupport(false);
  return tf.reshape(support, [support.shape[0]]);
}
