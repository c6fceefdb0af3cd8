/**
 * The generalized no-U-turn criterion (Betancourt 2017, "A conceptual introduction to
 * Hamiltonian Monte Carlo", appendix A.4.2): a trajectory keeps expanding while the summed
 * momentum rho across it still points along the velocities ("sharp" momenta M^{-1} p) at both
 * of its ends: p#(minus) . rho > 0 and p#(plus) . rho > 0. It replaces the position-difference
 * criterion of Hoffman & Gelman (2014) and holds for any metric.
 *
 * Stan (since 2.23) also applies the criterion across the seam of every merge: the first
 * subtree extended by the first point of the second, and the second extended by the last point
 * of the first, which catches U-turns that the two halves hide from each other.
 */

/**
 * Whether the trajectory with summed momentum `rho` and end velocities `velocityMinus`,
 * `velocityPlus` has not turned back (true: keep going).
 *
 * @example
 * noUTurn(Float64Array.of(1), Float64Array.of(1), Float64Array.of(3)); // true
 * noUTurn(Float64Array.of(1), Float64Array.of(-1), Float64Array.of(0.5)); // false
 */
export function noUTurn(
  velocityMinus: Float64Array,
  velocityPlus: Float64Array,
  rho: Float64Array,
): boolean {
  let minusDot = 0;
  let plusDot = 0;
  for (let i = 0; i < rho.length; i++) {
    minusDot += velocityMinus[i] * rho[i];
    plusDot += velocityPlus[i] * rho[i];
  }
  return plusDot > 0 && minusDot > 0;
}

/**
 * The criterion for a subtree extended by one more point: summed momentum `rho + momentum`,
 * computed without allocating.
 *
 * @example
 * noUTurnExtended(Float64Array.of(1), Float64Array.of(1), Float64Array.of(2), Float64Array.of(1)); // true
 */
export function noUTurnExtended(
  velocityMinus: Float64Array,
  velocityPlus: Float64Array,
  rho: Float64Array,
  momentum: Float64Array,
): boolean {
  let minusDot = 0;
  let plusDot = 0;
  for (let i = 0; i < rho.length; i++) {
    const extended = rho[i] + momentum[i];
    minusDot += velocityMinus[i] * extended;
    plusDot += velocityPlus[i] * extended;
  }
  return plusDot > 0 && minusDot > 0;
}
