/**
 * L-BFGS minimization of a potential U(q) that records its path, for Pathfinder (Zhang,
 * Carpenter, Gelman & Vehtari 2022, "Pathfinder: parallel quasi-Newton variational
 * inference", JMLR 23(306), section 2). The search direction is the two-loop recursion of
 * Nocedal (1980) over the last `historySize` curvature pairs with the initial scaling
 * s^T y / y^T y (Nocedal & Wright 2006, "Numerical Optimization", algorithm 7.4); the step
 * length satisfies the strong Wolfe conditions (c1 = 1e-4, c2 = `lineSearchCurvature`, default
 * 0.9) by their bracketing and
 * zoom line search (algorithms 3.5 and 3.6, with cubic interpolation). A point where U or its
 * gradient is not finite counts as too far along the line.
 *
 * Convergence as Stan's L-BFGS decides it (defaults from pathfinderDefaults in
 * mcmc/defaults.ts): any of an absolute or relative decrease of U, a gradient norm, a relative
 * gradient g^T H g / max(|U|, 1), or a step below its tolerance.
 */
import type { GradientTarget } from "../../potential-types.js";

/** Tolerances of the L-BFGS run (Stan's names, in camelCase). */
export interface LbfgsSettings {
  /** Curvature pairs kept for the search direction. */
  readonly historySize: number;
  readonly maxIterations: number;
  /** Absolute decrease of U. */
  readonly tolObj: number;
  /** Relative decrease of U, in units of machine epsilon. */
  readonly tolRelObj: number;
  /** Gradient norm. */
  readonly tolGrad: number;
  /** Relative gradient, in units of machine epsilon. */
  readonly tolRelGrad: number;
  /** Norm of the step. */
  readonly tolParam: number;
  /**
   * The curvature constant c2 of the strong Wolfe conditions (0.9, usual for quasi-Newton
   * methods); near 0 the line search is almost exact, and on a Gaussian target with
   * `historySize` >= dim the inverse Hessian, hence Pathfinder's approximation, becomes exact
   * after dim steps (the hereditary property of BFGS under exact line searches).
   */
  readonly lineSearchCurvature: number;
  /**
   * Stop early once U has fallen by less than `minDecrease` over the last `window` iterations
   * (status "stalled"). Off by default (Stan's tolerances alone); Pathfinder as an MCMC
   * initialization sets it, since the last fractions of a nat do not change where a chain starts.
   */
  readonly stall?: { readonly window: number; readonly minDecrease: number };
}

/** The optimization path: positions, gradients of U and U at each iterate (0 = the start). */
export interface LbfgsPath {
  readonly positions: Float64Array[];
  readonly gradients: Float64Array[];
  readonly values: number[];
  /** Evaluations of U and its gradient, the start's included. */
  readonly numEvaluations: number;
  /** Why the run stopped. */
  readonly status:
    | "converged"
    | "stalled"
    | "max iterations"
    | "line search failed"
    | "non-finite start";
}

const EPSILON = 2.220446049250313e-16;
const C1 = 1e-4;
const MAX_LINE_SEARCH = 40;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function isFiniteArray(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

/** H g by the two-loop recursion over pairs (s, y), oldest first; H0 = (s^T y / y^T y) I. */
function inverseHessianTimes(
  g: Float64Array,
  pairs: ReadonlyArray<{ s: Float64Array; y: Float64Array; rho: number }>,
): Float64Array {
  const q = Float64Array.from(g);
  const alphas = new Float64Array(pairs.length);
  for (let j = pairs.length - 1; j >= 0; j--) {
    const { s, y, rho } = pairs[j];
    alphas[j] = rho * dot(s, q);
    for (let i = 0; i < q.length; i++) q[i] -= alphas[j] * y[i];
  }
  if (pairs.length > 0) {
    const { s, y } = pairs[pairs.length - 1];
    const scale = dot(s, y) / dot(y, y);
    for (let i = 0; i < q.length; i++) q[i] *= scale;
  }
  for (let j = 0; j < pairs.length; j++) {
    const { s, y, rho } = pairs[j];
    const beta = rho * dot(y, q);
    for (let i = 0; i < q.length; i++) q[i] += (alphas[j] - beta) * s[i];
  }
  return q;
}

/** A point on the line x + t d with U and its gradient there. */
interface LinePoint {
  readonly t: number;
  readonly x: Float64Array;
  readonly value: number;
  readonly gradient: Float64Array;
  /** Directional derivative g^T d. */
  readonly slope: number;
  readonly finite: boolean;
}

/** The minimizer of the cubic interpolating two line points, kept inside (lo, hi). */
function cubicStep(a: LinePoint, b: LinePoint): number {
  const lo = Math.min(a.t, b.t);
  const hi = Math.max(a.t, b.t);
  const d1 = a.slope + b.slope - (3 * (a.value - b.value)) / (a.t - b.t);
  const root = d1 * d1 - a.slope * b.slope;
  let t = Number.NaN;
  if (root >= 0) {
    const d2 = Math.sign(b.t - a.t) * Math.sqrt(root);
    t = b.t - (b.t - a.t) * ((b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2));
  }
  // Stay away from the ends, and bisect when the interpolation is useless.
  const margin = 0.1 * (hi - lo);
  if (!(t > lo + margin && t < hi - margin)) t = (lo + hi) / 2;
  return t;
}

/**
 * Minimizes U from `start` by L-BFGS and returns the path of iterates.
 *
 * @example
 * const path = lbfgs(target, Float64Array.of(1, 1), pathfinderDefaults.lbfgs);
 * path.positions.at(-1); // near the mode
 */
export function lbfgs(
  target: GradientTarget,
  start: Float64Array,
  settings: LbfgsSettings,
): LbfgsPath {
  const dim = target.dim;
  let numEvaluations = 0;
  const evaluate = (x: Float64Array, t: number, direction: Float64Array): LinePoint => {
    const gradient = new Float64Array(dim);
    const value = target.valueAndGrad(Float64Array.from(x), gradient);
    numEvaluations++;
    const finite = Number.isFinite(value) && isFiniteArray(gradient);
    return { t, x, value, gradient, slope: dot(gradient, direction), finite };
  };

  const x0 = Float64Array.from(start);
  const first = evaluate(x0, 0, new Float64Array(dim));
  const positions: Float64Array[] = [x0];
  const gradients: Float64Array[] = [first.gradient];
  const values = [first.value];
  if (!first.finite) {
    return { positions, gradients, values, numEvaluations, status: "non-finite start" };
  }
  const pairs: Array<{ s: Float64Array; y: Float64Array; rho: number }> = [];
  let x: Float64Array = x0;
  let value = first.value;
  let gradient = first.gradient;
  let status: LbfgsPath["status"] = "max iterations";
  for (let iteration = 0; iteration < settings.maxIterations; iteration++) {
    const direction = inverseHessianTimes(gradient, pairs).map((v) => -v);
    let slope0 = dot(gradient, direction);
    if (!(slope0 < 0)) {
      // Not a descent direction (a poor curvature history): steepest descent instead.
      pairs.length = 0;
      for (let i = 0; i < dim; i++) direction[i] = -gradient[i];
      slope0 = dot(gradient, direction);
    }
    // The first step is scaled so that it moves about a unit (as Stan's 1e-3 first step is
    // conservative); later ones start at the quasi-Newton step.
    const initialStep =
      pairs.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(direction, direction))) : 1;
    const origin: LinePoint = { t: 0, x, value, gradient, slope: slope0, finite: true };
    const accepted = lineSearch(origin, initialStep, settings.lineSearchCurvature, (t) => {
      const trial = new Float64Array(dim);
      for (let i = 0; i < dim; i++) trial[i] = x[i] + t * direction[i];
      return evaluate(trial, t, direction);
    });
    if (accepted === undefined) {
      status = "line search failed";
      break;
    }
    const s = new Float64Array(dim);
    const y = new Float64Array(dim);
    for (let i = 0; i < dim; i++) {
      s[i] = accepted.x[i] - x[i];
      y[i] = accepted.gradient[i] - gradient[i];
    }
    const sy = dot(s, y);
    if (sy > EPSILON * dot(y, y)) {
      pairs.push({ s, y, rho: 1 / sy });
      if (pairs.length > settings.historySize) pairs.shift();
    }
    const decrease = value - accepted.value;
    x = accepted.x;
    value = accepted.value;
    gradient = accepted.gradient;
    positions.push(x);
    gradients.push(gradient);
    values.push(value);
    const scale = Math.max(Math.abs(value), Math.abs(value + decrease), 1);
    const gradientNorm = Math.sqrt(dot(gradient, gradient));
    const relativeGradient =
      pairs.length > 0 ? dot(gradient, inverseHessianTimes(gradient, pairs)) / scale : Infinity;
    if (
      Math.abs(decrease) < settings.tolObj ||
      Math.abs(decrease) / scale < settings.tolRelObj * EPSILON ||
      gradientNorm < settings.tolGrad ||
      relativeGradient < settings.tolRelGrad * EPSILON ||
      Math.sqrt(dot(s, s)) < settings.tolParam
    ) {
      status = "converged";
      break;
    }
    const stall = settings.stall;
    if (
      stall !== undefined &&
      values.length > stall.window &&
      values[values.length - 1 - stall.window] - value < stall.minDecrease
    ) {
      status = "stalled";
      break;
    }
  }
  return { positions, gradients, values, numEvaluations, status };
}

/**
 * A step length along `direction` meeting the strong Wolfe conditions, or undefined when none
 * was found within the evaluation budget (or none decreases U).
 */
function lineSearch(
  origin: LinePoint,
  initialStep: number,
  c2: number,
  at: (t: number) => LinePoint,
): LinePoint | undefined {
  const sufficient = (p: LinePoint) =>
    p.finite && p.value <= origin.value + C1 * p.t * origin.slope;
  const curvature = (p: LinePoint) => Math.abs(p.slope) <= -c2 * origin.slope;

  const zoom = (loStart: LinePoint, hiStart: LinePoint, budget: number): LinePoint | undefined => {
    let lo = loStart;
    let hi = hiStart;
    for (let k = 0; k < budget; k++) {
      const t = hi.finite ? cubicStep(lo, hi) : (lo.t + hi.t) / 2;
      const p = at(t);
      if (!sufficient(p) || p.value >= lo.value) {
        hi = p;
      } else {
        if (curvature(p)) return p;
        if (p.slope * (hi.t - lo.t) >= 0) hi = lo;
        lo = p;
      }
      if (Math.abs(hi.t - lo.t) < 1e-16 * Math.max(1, Math.abs(lo.t))) break;
    }
    // Out of budget: the best point with sufficient decrease, if any.
    return lo.t > 0 ? lo : undefined;
  };

  let previous = origin;
  let t = initialStep;
  for (let k = 0; k < MAX_LINE_SEARCH; k++) {
    const p = at(t);
    if (!p.finite) {
      // Too far: look between the last good point and here.
      return zoom(previous, p, MAX_LINE_SEARCH - k);
    }
    if (!sufficient(p) || (k > 0 && p.value >= previous.value)) {
      return zoom(previous, p, MAX_LINE_SEARCH - k);
    }
    if (curvature(p)) return p;
    if (p.slope >= 0) return zoom(p, previous, MAX_LINE_SEARCH - k);
    previous = p;
    t *= 2;
  }
  return previous.t > 0 ? previous : undefined;
}
