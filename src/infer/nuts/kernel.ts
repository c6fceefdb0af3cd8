/**
 * NUTS and static HMC transition kernels over a `GradientTarget`, in BlackJAX's style: `init`
 * turns a position into a carried state, `step(key, state, parameters)` returns the next state
 * and what happened (`info`). State and parameters are read-only inputs; a kernel keeps only
 * scratch buffers between calls, so the same key, state and parameters give the same result.
 *
 * - NUTS: Hoffman & Gelman (2014), in Stan's multinomial form with the generalized no-U-turn
 *   criterion (Betancourt 2017); see trajectory.ts.
 * - HMC: Duane et al. (1987), Neal (2011): a fixed number of leapfrog steps
 *   (trajectoryLength / stepSize, truncated, at least 1, as Stan's static HMC) and a
 *   Metropolis correction.
 */
import { type Key, split, uniform } from "../../primitives/prng.js";
import type { GradientTarget } from "../potential-types.js";
import { leapfrog, refreshPoint } from "./integrator.js";
import type { Metric } from "./metric.js";
import { copyPhasePoint, createPhasePoint, hamiltonian, type PhasePoint } from "./phase-point.js";
import type { Proposal } from "./proposal.js";
import { UniformStream } from "./random-stream.js";
import { TrajectoryBuilder } from "./trajectory.js";

/** The state a kernel carries from one iteration to the next. */
export interface HmcState {
  readonly position: Float64Array;
  /** U(position) = -log density. */
  readonly potentialEnergy: number;
  /** dU/dq at `position`. */
  readonly gradient: Float64Array;
}

/** What one transition reports (Stan's sampler parameters). */
export interface HmcInfo {
  /** Stan's accept_stat: mean Metropolis acceptance over the trajectory (NUTS) or of the proposal (HMC). */
  readonly acceptProb: number;
  readonly diverging: boolean;
  /** Completed doublings (NUTS); 0 for HMC. */
  readonly treeDepth: number;
  /** Leapfrog steps taken (gradient evaluations). */
  readonly numSteps: number;
  /** Hamiltonian at the returned state with its momentum. */
  readonly energy: number;
  readonly stepSize: number;
}

/** Parameters of a NUTS transition. */
export interface NutsParameters {
  readonly stepSize: number;
  readonly metric: Metric;
  /** Largest number of doublings (default 10: at most 1023 leapfrog steps). */
  readonly maxTreeDepth?: number;
  /** Energy error beyond which a step diverges (default 1000). */
  readonly maxDeltaEnergy?: number;
}

/** Parameters of a static HMC transition. */
export interface HmcParameters {
  readonly stepSize: number;
  readonly metric: Metric;
  /** Integration time; the kernel takes max(1, floor(trajectoryLength / stepSize)) steps. */
  readonly trajectoryLength: number;
  readonly maxDeltaEnergy?: number;
}

/** A transition kernel: `init` and `step`. */
export interface Kernel<P> {
  init(position: Float64Array): HmcState;
  step(key: Key, state: HmcState, parameters: P): { state: HmcState; info: HmcInfo };
}

/**
 * The carried state at `position`: its potential energy and gradient (which may be non-finite;
 * see init.ts for finding a finite start).
 */
function initState(target: GradientTarget, position: Float64Array, api: string): HmcState {
  if (!(position instanceof Float64Array) || position.length !== target.dim) {
    throw new TypeError(
      `${api}.init: position must be a Float64Array of length ${target.dim}, got ${describeArray(position)}`,
    );
  }
  const gradient = new Float64Array(target.dim);
  const copy = Float64Array.from(position);
  const potentialEnergy = target.valueAndGrad(copy, gradient);
  return { position: copy, potentialEnergy, gradient };
}

function describeArray(x: unknown): string {
  if (x instanceof Float64Array) return `a Float64Array of length ${x.length}`;
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  return typeof x;
}

function checkParameters(
  api: string,
  target: GradientTarget,
  state: HmcState,
  parameters: { stepSize: number; metric: Metric },
): void {
  const { stepSize, metric } = parameters;
  if (!(stepSize > 0 && Number.isFinite(stepSize))) {
    throw new RangeError(`${api}.step: stepSize must be positive and finite, got ${stepSize}`);
  }
  if (metric?.dim !== target.dim) {
    throw new RangeError(
      `${api}.step: metric must have dimension ${target.dim} (the target's), got ${metric?.dim}`,
    );
  }
  if (state?.position?.length !== target.dim || state.gradient?.length !== target.dim) {
    throw new TypeError(
      `${api}.step: state must come from init (position and gradient of length ${target.dim})`,
    );
  }
}

/** Loads a state and a fresh momentum drawn with `key` into `point`. */
function loadStart(point: PhasePoint, state: HmcState, metric: Metric, key: Key): void {
  point.position.set(state.position);
  point.gradient.set(state.gradient);
  point.potentialEnergy = state.potentialEnergy;
  metric.sampleMomentum(key, point.momentum);
  refreshPoint(metric, point);
}

function stateOf(point: Proposal): HmcState {
  return {
    position: point.position.slice(),
    potentialEnergy: point.potentialEnergy,
    gradient: point.gradient.slice(),
  };
}

/**
 * The No-U-Turn Sampler over `target`.
 *
 * @example
 * const nuts = nutsKernel(target);
 * let state = nuts.init(new Float64Array(target.dim));
 * const metric = diagonalMetric(new Float64Array(target.dim).fill(1));
 * const { state: next, info } = nuts.step(PRNGKey(0), state, { stepSize: 0.5, metric });
 * info.treeDepth; // doublings taken
 */
export function nutsKernel(target: GradientTarget): Kernel<NutsParameters> {
  const start = createPhasePoint(target.dim);
  let builder: TrajectoryBuilder | undefined;
  return {
    init: (position) => initState(target, position, "nutsKernel"),
    step(key, state, parameters) {
      checkParameters("nutsKernel", target, state, parameters);
      const maxTreeDepth = parameters.maxTreeDepth ?? 10;
      if (!(Number.isInteger(maxTreeDepth) && maxTreeDepth >= 1)) {
        throw new RangeError(
          `nutsKernel.step: maxTreeDepth must be a positive integer, got ${maxTreeDepth}`,
        );
      }
      if (builder?.maxTreeDepth !== maxTreeDepth) {
        builder = new TrajectoryBuilder(target, maxTreeDepth);
      }
      const [momentumKey, treeKey] = split(key);
      loadStart(start, state, parameters.metric, momentumKey);
      const result = builder.build(
        start,
        parameters.metric,
        parameters.stepSize,
        new UniformStream(treeKey),
        parameters.maxDeltaEnergy ?? 1000,
      );
      return {
        state: stateOf(result.sample),
        info: {
          acceptProb: result.acceptProb,
          diverging: result.diverging,
          treeDepth: result.treeDepth,
          numSteps: result.numSteps,
          energy: result.energy,
          stepSize: parameters.stepSize,
        },
      };
    },
  };
}

/**
 * Static HMC over `target`: a fixed integration time, then a Metropolis accept/reject step.
 * Integration stops early at a divergence (the proposal is then rejected).
 *
 * @example
 * const hmc = hmcKernel(target);
 * const metric = diagonalMetric(new Float64Array(target.dim).fill(1));
 * hmc.step(PRNGKey(0), hmc.init(x0), { stepSize: 0.1, metric, trajectoryLength: 1 });
 */
export function hmcKernel(target: GradientTarget): Kernel<HmcParameters> {
  const start = createPhasePoint(target.dim);
  const point = createPhasePoint(target.dim);
  return {
    init: (position) => initState(target, position, "hmcKernel"),
    step(key, state, parameters) {
      checkParameters("hmcKernel", target, state, parameters);
      const { stepSize, metric, trajectoryLength } = parameters;
      if (!(trajectoryLength > 0 && Number.isFinite(trajectoryLength))) {
        throw new RangeError(
          `hmcKernel.step: trajectoryLength must be positive and finite, got ${trajectoryLength}`,
        );
      }
      const maxDeltaEnergy = parameters.maxDeltaEnergy ?? 1000;
      const numSteps = Math.max(1, Math.floor(trajectoryLength / stepSize));
      const [momentumKey, acceptKey] = split(key);
      loadStart(start, state, metric, momentumKey);
      copyPhasePoint(start, point);
      const initialEnergy = hamiltonian(start);
      let diverging = false;
      let stepsTaken = 0;
      while (stepsTaken < numSteps && !diverging) {
        leapfrog(target, metric, point, stepSize);
        stepsTaken++;
        diverging = !(hamiltonian(point) - initialEnergy <= maxDeltaEnergy);
      }
      const deltaEnergy = initialEnergy - hamiltonian(point);
      const acceptProb = diverging ? 0 : Math.min(1, Math.exp(deltaEnergy));
      const accepted = !diverging && uniform(acceptKey, 1)[0] < acceptProb;
      const chosen = accepted ? point : start;
      return {
        state: accepted ? stateOf(point) : state,
        info: {
          acceptProb,
          diverging,
          treeDepth: 0,
          numSteps: stepsTaken,
          energy: hamiltonian(chosen),
          stepSize,
        },
      };
    },
  };
}
