/**
 * Data that users give to sites (observations, `condition` and `substitute` data, points of
 * `logDensity`): converted to tensors with errors that name the API, the site and the bad
 * value, and observations checked for NaN, which no density can score.
 */
import { tensorValidationActive } from "../dist/validation.js";
import { ModelError } from "../errors.js";
import { type ArrayLike, constant, float64Of, NotNumbersError, type tf } from "../tf.js";

/**
 * `constant(value)` for a value given to a site; a value that is not numbers (`"3"`, `null`,
 * `[1, "a"]`) is a ModelError naming `api`, the site and the value.
 *
 * @example
 * siteConstant([1, "a"], "sample", "y"); // throws: ... got the string "a" at index [1]
 */
export function siteConstant(value: ArrayLike, api: string, site: string): tf.Tensor {
  try {
    return constant(value);
  } catch (error) {
    if (!(error instanceof NotNumbersError)) throw error;
    throw new ModelError({
      message: `${api}: the value of site "${site}" must be numbers (a number, nested arrays of numbers, a typed array or a tensor), got ${error.got}`,
      site,
    });
  }
}

/**
 * Throws a ModelError naming the site and the index when an observed value contains NaN.
 * Values made from numbers are always checked; other tensors only outside inference (reading
 * them there would stall every gradient and stop the compiled engine from tracing).
 *
 * @example
 * checkObserved("y", constant([1, Number.NaN])); // throws: ... NaN at index [1]
 */
export function checkObserved(site: string, value: tf.Tensor): void {
  let values: Float64Array | Float32Array | undefined = float64Of(value);
  if (values === undefined) {
    if (!tensorValidationActive() || value.dtype !== "float32") return;
    values = value.dataSync() as Float32Array;
  }
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) {
      throw new ModelError({
        message: `sample("${site}"): the observed value contains NaN at index [${unravelIndex(i, value.shape).join(", ")}] (shape [${value.shape.join(", ")}]); drop or impute missing observations`,
        site,
      });
    }
  }
}

function unravelIndex(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}
