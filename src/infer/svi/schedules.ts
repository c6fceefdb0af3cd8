/**
 * Learning-rate schedules: functions from the step index (0 for the first update) to a step
 * size, as JAX's `example_libraries.optimizers` defines them and NumPyro's optimizers accept.
 */
import { ArgumentError } from "../../errors.js";

/** A step size as a function of the step index (0-based). */
export type Schedule = (step: number) => number;

/** A constant step size or a schedule. */
export type StepSize = number | Schedule;

/** The schedule behind a step size (a constant becomes a constant function). */
export function toSchedule(api: string, stepSize: StepSize): Schedule {
  if (typeof stepSize === "function") return stepSize;
  if (!(Number.isFinite(stepSize) && stepSize > 0)) {
    throw new ArgumentError({
      message: `${api}: stepSize must be a positive finite number or a schedule, got ${stepSize}`,
      api,
      argument: "stepSize",
    });
  }
  return () => stepSize;
}

/**
 * stepSize * decayRate^(step / decaySteps): a smooth exponential decay.
 *
 * @example
 * const optimizer = Adam(exponentialDecay(0.05, 1000, 0.1)); // 0.05 -> 0.005 over 1000 steps
 */
export function exponentialDecay(
  stepSize: number,
  decaySteps: number,
  decayRate: number,
): Schedule {
  positive("exponentialDecay", "stepSize", stepSize);
  positive("exponentialDecay", "decaySteps", decaySteps);
  positive("exponentialDecay", "decayRate", decayRate);
  return (step) => stepSize * decayRate ** (step / decaySteps);
}

/**
 * stepSize / (1 + decayRate * step / decaySteps), or with `staircase` the floor of
 * step / decaySteps: the Robbins-Monro style 1/t decay.
 *
 * @example
 * const optimizer = SGD(inverseTimeDecay(0.1, 100, 1));
 */
export function inverseTimeDecay(
  stepSize: number,
  decaySteps: number,
  decayRate: number,
  staircase = false,
): Schedule {
  positive("inverseTimeDecay", "stepSize", stepSize);
  positive("inverseTimeDecay", "decaySteps", decaySteps);
  if (!(decayRate >= 0)) {
    throw new ArgumentError({
      message: `inverseTimeDecay: decayRate must be nonnegative, got ${decayRate}`,
      api: "inverseTimeDecay",
      argument: "decayRate",
    });
  }
  return (step) => {
    const t = staircase ? Math.floor(step / decaySteps) : step / decaySteps;
    return stepSize / (1 + decayRate * t);
  };
}

/**
 * values[k] where k is the number of boundaries the step has passed (step > boundary), as
 * JAX's `piecewise_constant`: `values` has one more entry than `boundaries`.
 *
 * @example
 * const optimizer = Adam(piecewiseConstant([500, 1500], [0.05, 0.01, 0.002]));
 */
export function piecewiseConstant(
  boundaries: readonly number[],
  values: readonly number[],
): Schedule {
  if (values.length !== boundaries.length + 1) {
    throw new ArgumentError({
      message: `piecewiseConstant: values needs one more entry than boundaries (${boundaries.length + 1}), got ${values.length}`,
      api: "piecewiseConstant",
      argument: "values",
    });
  }
  for (let i = 1; i < boundaries.length; i++) {
    if (!(boundaries[i] > boundaries[i - 1])) {
      throw new ArgumentError({
        message: `piecewiseConstant: boundaries must increase, got ${boundaries.join(", ")}`,
        api: "piecewiseConstant",
        argument: "boundaries",
      });
    }
  }
  values.forEach((v) => positive("piecewiseConstant", "values", v));
  const b = boundaries.slice();
  const v = values.slice();
  return (step) => {
    let k = 0;
    while (k < b.length && step > b[k]) k++;
    return v[k];
  };
}

function positive(api: string, argument: string, x: number): void {
  if (!(Number.isFinite(x) && x > 0)) {
    throw new ArgumentError({
      message: `${api}: ${argument} must be a positive finite number, got ${x}`,
      api,
      argument,
    });
  }
}
