/**
 * The order of a reduction loop's dimensions. Reduced dimensions innermost let the reduction
 * accumulate in a local and let elementwise consumers of its result run in the same loop nest,
 * right after the accumulation; moving them there is worth it unless the kept dimensions they
 * would cross are long (then the loop keeps memory order and accumulates into the output).
 */

// Longest run of kept elements inside the reduced dimensions that is still moved out of the way.
const MAX_CROSSED = 16;

/** How a loop over `shape` reducing `axes` runs. */
export interface LoopOrder {
  /** Loop dimensions, outermost first (a permutation of the shape's dimensions). */
  readonly order: readonly number[];
  /** Whether the reduced dimensions are innermost, so accumulators are locals. */
  readonly localAccumulators: boolean;
}

/**
 * The loop order for a step over `shape` whose reductions reduce `axes` (none: memory order).
 *
 * @example
 * loopOrder([70, 3, 3], [1]); // { order: [0, 2, 1], localAccumulators: true }
 * loopOrder([5000, 20], [0]); // { order: [0, 1], localAccumulators: false }
 */
export function loopOrder(
  shape: readonly number[],
  axes: readonly number[] | undefined,
): LoopOrder {
  const identity = shape.map((_, d) => d);
  if (axes === undefined || axes.length === 0) return { order: identity, localAccumulators: false };
  const reduced = (d: number) => axes.includes(d) && shape[d] > 1;
  const kept = (d: number) => !axes.includes(d) && shape[d] > 1;
  const firstReduced = identity.findIndex(reduced);
  if (firstReduced < 0) return { order: identity, localAccumulators: true };
  const crossed = identity
    .filter((d) => d > firstReduced && kept(d))
    .reduce((n, d) => n * shape[d], 1);
  if (crossed === 1) return { order: identity, localAccumulators: true };
  if (crossed > MAX_CROSSED) return { order: identity, localAccumulators: false };
  const isReduced = (d: number) => axes.includes(d);
  return {
    order: [...identity.filter((d) => !isReduced(d)), ...identity.filter(isReduced)],
    localAccumulators: true,
  };
}
