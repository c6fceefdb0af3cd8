/**
 * The batch dimensions that `vmap` adds around the model code now running. Distributions
 * consult them in `expand`, so that `Normal(mu, 1).expand([12])` keeps a batch dimension that
 * `vmap` gave `mu` instead of failing: batching stays invisible to a model that names its own
 * shapes (NumPyro's vmap is invisible the same way).
 *
 * The frames are active only while the model's generator runs (between its yields), so
 * handlers outside `vmap` never see them.
 */
import type { Message } from "./messages.js";

/** A batch dimension added by vmap: its (negative) dim, counted on values, and size. */
export interface BatchFrame {
  readonly dim: number;
  readonly size: number;
}

const active: BatchFrame[] = [];

/** The batch frames around the code now running, outermost first. */
export function activeBatchFrames(): readonly BatchFrame[] {
  return active;
}

/**
 * Runs `gen` with `frame` active whenever its code runs.
 *
 * @example
 * yield* withBatchFrame(model(...args), { dim: -2, size: 100 });
 */
export function* withBatchFrame<R>(
  gen: Generator<Message, R, unknown>,
  frame: BatchFrame,
): Generator<Message, R, unknown> {
  const step = () => {
    active.push(frame);
    try {
      return gen.next();
    } finally {
      active.pop();
    }
  };
  let next = step();
  while (!next.done) {
    yield next.value;
    next = step();
  }
  return next.value;
}

/**
 * The batch shape that `expand(requested)` means for a distribution of batch shape `current`
 * and `eventRank` event dims under the active frames: when `current` has more dims than
 * `requested` and the extra leading ones are batch frames' dims (or 1), they are kept in
 * front of `requested`. Otherwise `requested` as given.
 *
 * @example
 * // Under vmap({ size: 4 }) at dim -2: mu has shape [4, 1]
 * batchAwareShape([4, 1], [12], 0); // [4, 12]
 */
export function batchAwareShape(
  current: readonly number[],
  requested: readonly number[],
  eventRank: number,
): readonly number[] {
  const extra = current.length - requested.length;
  if (active.length === 0 || extra <= 0) return requested;
  const lead = current.slice(0, extra);
  const fits = lead.every((size, i) => {
    if (size === 1) return true;
    const dim = i - current.length;
    return active.some((f) => f.dim + eventRank === dim && f.size === size);
  });
  return fits ? [...lead, ...requested] : requested;
}
