/**
 * NUTS and static HMC as sampling algorithms (src/infer/mcmc/sampling-algorithm.ts) over a
 * `GradientTarget`, in BlackJAX's style: `init` turns a position into a carried state,
 * `step(state, key)` returns the next state and what happened (`info`). The tuning parameters
 * (step size and metric) are bound when the algorithm is built from them; the scratch buffers
 * of a trajectory are kept per target, so the same key, state and parameters give the same
 * result and nothing is allocated per leapfrog step.
 *
 * - NUTS: Hoffman & Gelman (2014), in Stan's multinomial form with the generalized no-U-turn
 *   criterion (Betancourt 2017); see trajectory.ts.
 * - HMC: Duane et al. (1987), Neal (2011): a fixed number of leapfrog steps
 *   (trajectoryLength / stepSize, truncated, at least 1, as Stan's static HMC) and a
 *   Metropolis correction.
 */

import type { GradientTarget } from "../../potential-types.js";
import { type Key, split, splitInto, uniform } from "../../primitives/prng.js";
import type {
  InfoFields,
  KernelState,
  SamplingAlgorithm,
  TunableAlgorithm,
} from "../mcmc/sampling-algorithm.js";
import { ArrayArena } from "./array-arena.js";
import { leapfrog, refreshPoint } from "./integrator.js";
import { type LowRankCorrection, lowRankMetricOf } from "./low-rank-metric.js";
import { type Metric, metricOf } from "./metric.js";
import { copyPhasePoint, createPhasePoint, hamiltonian, type PhasePoint } from "./phase-point.js";
import type { Proposal } from "./proposal.js";
import { UniformStream } from "./random-stream.js";
import { TrajectoryBuilder } from "./trajectory.js";

/** The state an HMC-family kernel carries from one iteration to the next. */
export interface HmcState extends KernelState {
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

/**
 * The tuning parameters of NUTS and HMC, as plain data: what warmup adapts, what a chain
 * continues from, what crosses to worker threads.
 */
export interface HmcParameters {
  readonly stepSize: number;
  /**
   * M^{-1}: `dim` entries (diagonal) or dim * dim row-major (dense). Treated as immutable: the
   * metric built from it is cached by the array's identity.
   */
  readonly inverseMassMatrix: Float64Array;
  readonly denseMass: boolean;
  /**
   * A low-rank correction (low-rank-metric.ts): the metric is then
   * D (I + U (Lambda - I) U^T) D with D^2 = `inverseMassMatrix` (diagonal, `denseMass` false).
   */
  readonly lowRankCorrection?: LowRankCorrection;
}

/** Settings of NUTS that warmup does not tune. */
export interface NutsSettings {
  /** Largest number of doublings: at most 2^maxTreeDepth - 1 leapfrog steps. */
  readonly maxTreeDepth: number;
  /** Energy error beyond which a step diverges. */
  readonly maxDeltaEnergy: number;
}

/** Settings of static HMC that warmup does not tune. */
export interface StaticHmcSettings {
  /** Integration time; the kernel takes max(1, floor(trajectoryLength / stepSize)) steps. */
  readonly trajectoryLength: number;
  readonly maxDeltaEnergy: number;
}

/** The columns of `HmcInfo` as the chain loop stores them, with U at each draw. */
export type HmcInfoColumns = {
  readonly diverging: Uint8Array;
  readonly treeDepth: Uint8Array;
  readonly numSteps: Uint32Array;
  readonly stepSize: Float64Array;
  readonly energy: Float64Array;
  readonly acceptProb: Float64Array;
  readonly potentialEnergy: Float64Array;
};

/** The statistics of HMC and NUTS transitions (Stan's columns, in CmdStan's order). */
export const hmcInfoFields: InfoFields<HmcInfo> = {
  diverging: "bool",
  treeDepth: "uint8",
  numSteps: "uint32",
  stepSize: "float64",
  energy: "float64",
  acceptProb: "float64",
};

/**
 * The carried state at `position`: its potential energy and gradient (which may be non-finite;
 * the chain loop finds a finite start).
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
  return { target, position: copy, potentialEnergy, gradient };
}

function describeArray(x: unknown): string {
  if (x instanceof Float64Array) return `a Float64Array of length ${x.length}`;
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  return typeof x;
}

function checkStepSize(api: string, stepSize: number): void {
  if (!(stepSize > 0 && Number.isFinite(stepSize))) {
    throw new RangeError(`${api}: stepSize must be positive and finite, got ${stepSize}`);
  }
}

/** The metric of `parameters` for the state's target (cached: built once per matrix). */
function metricFor(api: string, state: HmcState, parameters: HmcParameters): Metric {
  const dim = state.target.dim;
  const expected = parameters.denseMass ? dim * dim : dim;
  if (parameters.inverseMassMatrix.length !== expected) {
    throw new RangeError(
      `${api}.step: inverseMassMatrix must have ${expected} entries (${parameters.denseMass ? "dense" : "diagonal"}, the target's dim is ${dim}), got ${parameters.inverseMassMatrix.length}`,
    );
  }
  return parametersMetric(dim, parameters);
}

/**
 * The metric that `parameters` describe over `dim` coordinates (diagonal, dense or low-rank),
 * built once per matrix and then reused.
 *
 * @example
 * parametersMetric(2, { stepSize: 0.1, inverseMassMatrix: Float64Array.of(1, 4), denseMass: false });
 */
export function parametersMetric(dim: number, parameters: HmcParameters): Metric {
  if (parameters.lowRankCorrection !== undefined) {
    if (parameters.denseMass) {
      throw new RangeError(
        "parametersMetric: a low-rank correction goes with a diagonal inverseMassMatrix (denseMass false), got denseMass true",
      );
    }
    return lowRankMetricOf(parameters.inverseMassMatrix, parameters.lowRankCorrection);
  }
  return metricOf(dim, parameters.inverseMassMatrix, parameters.denseMass);
}

/** Loads a state and a fresh momentum drawn with `key` into `point`. */
function loadStart(point: PhasePoint, state: HmcState, metric: Metric, key: Key): void {
  const { position, gradient } = point;
  for (let i = 0; i < position.length; i++) {
    position[i] = state.position[i];
    gradient[i] = state.gradient[i];
  }
  point.potentialEnergy = state.potentialEnergy;
  metric.sampleMomentum(key, point.momentum);
  refreshPoint(metric, point);
}

function stateOf(target: GradientTarget, point: Proposal, arena: ArrayArena): HmcState {
  return {
    target,
    position: arena.copyOf(point.position),
    potentialEnergy: point.potentialEnergy,
    gradient: arena.copyOf(point.gradient),
  };
}

/** Scratch of one kind per target, made on first use. */
function perTarget<T>(make: (target: GradientTarget) => T): (target: GradientTarget) => T {
  const cache = new WeakMap<GradientTarget, T>();
  return (target) => {
    let value = cache.get(target);
    if (value === undefined) cache.set(target, (value = make(target)));
    return value;
  };
}

/**
 * The No-U-Turn Sampler, as a function of its step size and metric.
 *
 * @example
 * const nuts = nutsAlgorithm({ maxTreeDepth: 10, maxDeltaEnergy: 1000 });
 * const algorithm = nuts({ stepSize: 0.5, inverseMassMatrix: Float64Array.of(1, 1), denseMass: false });
 * const state = algorithm.init(Float64Array.of(0, 0), target, PRNGKey(0));
 * const { state: next, info } = algorithm.step(state, PRNGKey(1));
 * info.treeDepth; // doublings taken
 */
export function nutsAlgorithm(
  settings: NutsSettings,
): TunableAlgorithm<HmcParameters, HmcState, HmcInfo> {
  const { maxTreeDepth, maxDeltaEnergy } = settings;
  const scratch = perTarget((target) => ({
    start: createPhasePoint(target.dim),
    builder: new TrajectoryBuilder(target, maxTreeDepth),
    arena: new ArrayArena(target.dim),
    // The two keys split from an iteration's key, and the tree's stream: refilled each step.
    keys: [new Uint32Array(2), new Uint32Array(2)] as Key[],
    stream: new UniformStream(new Uint32Array(2) as Key),
  }));
  return (parameters): SamplingAlgorithm<HmcState, HmcInfo> => {
    checkStepSize("nutsAlgorithm", parameters.stepSize);
    const { stepSize } = parameters;
    return {
      infoFields: hmcInfoFields,
      init: (position, target) => initState(target, position, "nutsAlgorithm"),
      step(state, key) {
        const metric = metricFor("nutsAlgorithm", state, parameters);
        const { start, builder, arena, keys, stream } = scratch(state.target);
        splitInto(key, keys); // split(key): the momentum's key and the tree's
        loadStart(start, state, metric, keys[0]);
        const result = builder.build(
          start,
          metric,
          stepSize,
          stream.restart(keys[1]),
          maxDeltaEnergy,
        );
        return {
          state: stateOf(state.target, result.sample, arena),
          info: {
            acceptProb: result.acceptProb,
            diverging: result.diverging,
            treeDepth: result.treeDepth,
            numSteps: result.numSteps,
            energy: result.energy,
            stepSize,
          },
        };
      },
    };
  };
}

/**
 * Static HMC: a fixed integration time, then a Metropolis accept/reject step. Integration
 * stops early at a divergence (the proposal is then rejected).
 *
 * @example
 * const hmc = hmcAlgorithm({ trajectoryLength: 1, maxDeltaEnergy: 1000 });
 * const algorithm = hmc({ stepSize: 0.1, inverseMassMatrix: Float64Array.of(1, 1), denseMass: false });
 * algorithm.step(algorithm.init(Float64Array.of(0.5, 0), target, PRNGKey(0)), PRNGKey(1));
 */
export function hmcAlgorithm(
  settings: StaticHmcSettings,
): TunableAlgorithm<HmcParameters, HmcState, HmcInfo> {
  const { trajectoryLength, maxDeltaEnergy } = settings;
  const scratch = perTarget((target) => ({
    start: createPhasePoint(target.dim),
    point: createPhasePoint(target.dim),
    arena: new ArrayArena(target.dim),
  }));
  return (parameters): SamplingAlgorithm<HmcState, HmcInfo> => {
    checkStepSize("hmcAlgorithm", parameters.stepSize);
    const { stepSize } = parameters;
    const numSteps = Math.max(1, Math.floor(trajectoryLength / stepSize));
    return {
      infoFields: hmcInfoFields,
      init: (position, target) => initState(target, position, "hmcAlgorithm"),
      step(state, key) {
        const { target } = state;
        const metric = metricFor("hmcAlgorithm", state, parameters);
        const { start, point, arena } = scratch(target);
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
          state: accepted ? stateOf(target, point, arena) : state,
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
  };
}
