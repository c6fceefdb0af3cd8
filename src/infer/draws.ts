/**
 * `Draws`: plain row-major float64 arrays with a shape, the form in which inference returns
 * values (leading dimension the draws, or chains x draws when grouped by chain).
 */
import { readFloat64, type tf } from "../tf.js";
import { siteRecord } from "../util/records.js";

/** A row-major float64 array with its shape. */
export interface Draws {
  shape: number[];
  data: Float64Array;
}

/** A tensor's values as Draws (float64 values of constants are kept exactly). */
export function toDraws(t: tf.Tensor): Draws {
  return { shape: t.shape.slice(), data: Float64Array.from(readFloat64(t)) };
}

/**
 * `n` records of Draws stacked along a new leading dimension.
 *
 * @example
 * stackDraws(3, (i) => ({ x: { shape: [], data: Float64Array.of(i) } })).x; // shape [3], data [0, 1, 2]
 */
export function stackDraws(
  n: number,
  at: (i: number) => Record<string, Draws>,
): Record<string, Draws> {
  const out = siteRecord<Draws>();
  for (let i = 0; i < n; i++) {
    for (const [name, d] of Object.entries(at(i))) {
      const entry = (out[name] ??= {
        shape: [n, ...d.shape],
        data: new Float64Array(n * d.data.length),
      });
      entry.data.set(d.data, i * d.data.length);
    }
  }
  return out;
}
