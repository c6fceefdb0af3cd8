/**
 * Highest posterior density interval estimated from draws: the shortest interval between two
 * order statistics that holds a fraction `prob` of the draws (Chen & Shao 1999, "Monte Carlo
 * estimation of Bayesian credible and HPD intervals", JCGS 8), with NumPyro's choice of order
 * statistics: the interval [x(i), x(i + floor(prob n))] of least width.
 */
import { sortedCopy } from "./quantile.js";

/**
 * The `prob` highest posterior density interval of `values` (pooled draws of one scalar).
 *
 * @example
 * hpdi([0.1, 0.2, 0.25, 0.3, 5.0], 0.6); // [0.1, 0.3]
 */
export function hpdi(values: ArrayLike<number>, prob = 0.9): [number, number] {
  if (!(prob > 0 && prob < 1)) {
    throw new RangeError(`hpdi: prob must be in (0, 1), got ${prob}`);
  }
  const sorted = sortedCopy(values, "hpdi");
  const n = sorted.length;
  if (n === 0) throw new RangeError("hpdi: values must hold at least one draw, got 0");
  const span = Math.floor(prob * n);
  let best = 0;
  let bestWidth = Number.POSITIVE_INFINITY;
  for (let i = 0; i + span < n; i++) {
    const width = sorted[i + span] - sorted[i];
    if (width < bestWidth) {
      bestWidth = width;
      best = i;
    }
  }
  return [sorted[best], sorted[Math.min(best + span, n - 1)]];
}
