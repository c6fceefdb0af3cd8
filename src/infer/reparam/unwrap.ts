/**
 * Peeling a site's distribution down to its family (NumPyro's `Reparam._unwrap` / `_wrap`):
 * `expand` and `toEvent` wrappers are taken off, remembering the full batch shape and event
 * rank, so that a reparameterizer can rebuild the same wrapping around another distribution.
 */
import { type Distribution, ExpandedDistribution, Independent } from "../../dist/distribution.js";

/** A distribution without its expand and toEvent wrappers, and what they did. */
export interface Unwrapped {
  /** The innermost distribution. */
  readonly base: Distribution;
  /** The full shape less the base's event dims: what the base is expanded to. */
  readonly expandShape: number[];
  /** The wrapped distribution's number of event dims. */
  readonly eventRank: number;
}

/**
 * Takes the expand and toEvent wrappers off `fn`.
 *
 * @example
 * unwrap(Normal(0, 1).expand([3]).toEvent(1)); // { base: Normal(0, 1), expandShape: [3], eventRank: 1 }
 */
export function unwrap(fn: Distribution): Unwrapped {
  const shape = fn.shape();
  let base = fn;
  while (base instanceof ExpandedDistribution || base instanceof Independent) base = base.base;
  return {
    base,
    expandShape: shape.slice(0, shape.length - base.eventShape.length),
    eventRank: fn.eventShape.length,
  };
}

/**
 * `fn` expanded to `expandShape` and with `eventRank` event dims: the inverse of `unwrap`.
 *
 * @example
 * rewrap(Normal(0, 1), [3], 1); // Normal(0, 1).expand([3]).toEvent(1)
 */
export function rewrap(
  fn: Distribution,
  expandShape: readonly number[],
  eventRank: number,
): Distribution {
  const expanded = fn.expand(expandShape);
  const extra = eventRank - expanded.eventShape.length;
  return extra > 0 ? expanded.toEvent(extra) : expanded;
}
