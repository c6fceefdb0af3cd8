/**
 * `Draws`: plain row-major float64 arrays with a shape, the form in which inference returns
 * values (leading dimension the draws, or chains x draws when grouped by chain).
 */
import { readFloat64, type tf } from "../tf.js";

/** A row-major float64 array with its shape. */
export interface Draws {
  shape: number[];
  data: Float64Array;
}

/** A tensor's values as Draws (float64 values of constants are kept exactly). */
export function toDraws(t: tf.Tensor): Draws {
  return { shape: t.shape.slice(), data: Float64Array.from(readFloat64(t)) };
}
