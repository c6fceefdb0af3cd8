/**
 * Highest density interval from draws: the narrowest interval containing at least a fraction
 * `prob` of them (Hyndman 1996; Kruschke 2015), found by sliding a window of ceil(prob n)
 * sorted draws. Exact for unimodal posteriors; for multimodal ones it is the narrowest single
 * interval, as in ArviZ's and NumPyro's `hpdi`.
 */
import { ArgumentError } from "../../errors.js";

/**
 * The narrowest interval `[lower, upper]` that contains at least `prob` of `values`.
 *
 * @example
 * hdi([1, 2, 3, 4, 100], 0.6); // [1, 3]
 */
export function hdi(values: ArrayLike<number>, prob = 0.94): [number, number] {
  if (!(prob > 0 && prob <= 1)) {
    throw new ArgumentError({
      api: "hdi",
      argument: "prob",
      message: `hdi: prob must be in (0, 1], got ${prob}`,
    });
  }
  const n = values.length;
  if (n === 0) {
    throw new ArgumentError({
      api: "hdi",
      argument: "values",
      message: "hdi: values must contain at least one draw, got none",
    });
  }
  const sorted = Float64Array.from(values).sort();
  if (Number.isNaN(sorted[n - 1])) {
    throw new ArgumentError({
      api: "hdi",
      argument: "values",
      message: "hdi: values must not contain NaN",
    });
  }
  const count = Math.max(1, Math.ceil(prob * n - 1e-9));
  let best = 0;
  let bestWidth = Number.POSITIVE_INFINITY;
  for (let i = 0; i + count - 1 < n; i++) {
    const width = sorted[i + count - 1] - sorted[i];
    if (width < bestWidth) {
      bestWidth = width;
      best = i;
    }
  }
  return [sorted[best], sorted[best + count - 1]];
}
