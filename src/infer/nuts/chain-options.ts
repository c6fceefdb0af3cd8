/**
 * Options of a single MCMC chain, their defaults (Stan's and NumPyro's) and their validation.
 */
import type { AdaptationScheduleOptions } from "./adaptation-schedule.js";
import type { DualAveragingOptions } from "./dual-averaging.js";
import type { InitOptions } from "./init.js";

/** Options of `runChain` and friends. */
export interface ChainOptions {
  /** Warmup (adaptation) iterations; their draws are not kept unless `saveWarmup`. */
  readonly numWarmup: number;
  /** Sampling iterations after warmup. */
  readonly numSamples: number;
  /** Keep every `thinning`-th sampling iteration, starting with the first (default 1). */
  readonly thinning?: number;
  /** "nuts" (default) or "hmc" (static trajectory of `trajectoryLength`). */
  readonly kernel?: "nuts" | "hmc";
  /** Integration time of static HMC (default 2 pi, as NumPyro). */
  readonly trajectoryLength?: number;
  /** Target of step-size adaptation (default 0.8). */
  readonly targetAcceptProb?: number;
  /** Largest NUTS tree depth (default 10). */
  readonly maxTreeDepth?: number;
  /** Energy error that counts as a divergence (default 1000). */
  readonly maxDeltaEnergy?: number;
  /** Adapt a dense rather than diagonal inverse mass matrix (default false). */
  readonly denseMass?: boolean;
  /** Adapt the step size during warmup (default true). */
  readonly adaptStepSize?: boolean;
  /** Adapt the inverse mass matrix during warmup (default true). */
  readonly adaptMassMatrix?: boolean;
  /** Start here instead of a random uniform(-2, 2) point. */
  readonly initialPosition?: Float64Array;
  /** Initial step size (default 1; searched from when adapting). */
  readonly stepSize?: number;
  /** Initial inverse mass matrix: `dim` entries, or dim * dim row-major when `denseMass`. */
  readonly inverseMassMatrix?: Float64Array;
  /** Keep warmup draws too (default false). */
  readonly saveWarmup?: boolean;
  /** Random initialization settings (radius, attempts, failure description hook). */
  readonly init?: InitOptions;
  /** t0, kappa, gamma of dual averaging. */
  readonly dualAveraging?: Omit<DualAveragingOptions, "targetAcceptProb">;
  /** Window sizes of metric adaptation (75 / 25 / 50). */
  readonly schedule?: AdaptationScheduleOptions;
}

/** Options with every default filled in. */
export type ResolvedChainOptions = Required<
  Omit<
    ChainOptions,
    "initialPosition" | "inverseMassMatrix" | "init" | "dualAveraging" | "schedule"
  >
> &
  Pick<
    ChainOptions,
    "initialPosition" | "inverseMassMatrix" | "init" | "dualAveraging" | "schedule"
  >;

function requireInteger(api: string, name: string, value: unknown, min: number): void {
  if (!(typeof value === "number" && Number.isInteger(value) && value >= min)) {
    const rule = min === 0 ? "a non-negative integer" : `an integer >= ${min}`;
    throw new RangeError(`${api}: options.${name} must be ${rule}, got ${String(value)}`);
  }
}

function requirePositive(api: string, name: string, value: unknown): void {
  if (!(typeof value === "number" && value > 0 && Number.isFinite(value))) {
    throw new RangeError(
      `${api}: options.${name} must be positive and finite, got ${String(value)}`,
    );
  }
}

/**
 * Fills defaults and checks every option; errors name `api`, the option, the rule and the value.
 *
 * @example
 * resolveChainOptions("runChain", { numWarmup: 500, numSamples: 500 }, 3).maxTreeDepth; // 10
 */
export function resolveChainOptions(
  api: string,
  options: ChainOptions,
  dim: number,
): ResolvedChainOptions {
  if (options == null || typeof options !== "object") {
    throw new TypeError(
      `${api}: options must be an object with numWarmup and numSamples, got ${String(options)}`,
    );
  }
  const resolved: ResolvedChainOptions = {
    thinning: 1,
    kernel: "nuts",
    trajectoryLength: 2 * Math.PI,
    targetAcceptProb: 0.8,
    maxTreeDepth: 10,
    maxDeltaEnergy: 1000,
    denseMass: false,
    adaptStepSize: true,
    adaptMassMatrix: true,
    stepSize: 1,
    saveWarmup: false,
    ...options,
  };
  requireInteger(api, "numWarmup", resolved.numWarmup, 0);
  requireInteger(api, "numSamples", resolved.numSamples, 0);
  requireInteger(api, "thinning", resolved.thinning, 1);
  requireInteger(api, "maxTreeDepth", resolved.maxTreeDepth, 1);
  if (resolved.maxTreeDepth > 30) {
    throw new RangeError(
      `${api}: options.maxTreeDepth must be at most 30, got ${resolved.maxTreeDepth}`,
    );
  }
  if (resolved.kernel !== "nuts" && resolved.kernel !== "hmc") {
    throw new RangeError(
      `${api}: options.kernel must be "nuts" or "hmc", got ${String(resolved.kernel)}`,
    );
  }
  requirePositive(api, "trajectoryLength", resolved.trajectoryLength);
  requirePositive(api, "stepSize", resolved.stepSize);
  requirePositive(api, "maxDeltaEnergy", resolved.maxDeltaEnergy);
  if (!(resolved.targetAcceptProb > 0 && resolved.targetAcceptProb < 1)) {
    throw new RangeError(
      `${api}: options.targetAcceptProb must be in (0, 1), got ${resolved.targetAcceptProb}`,
    );
  }
  const position = resolved.initialPosition;
  if (position !== undefined && (!(position instanceof Float64Array) || position.length !== dim)) {
    throw new TypeError(
      `${api}: options.initialPosition must be a Float64Array of length ${dim} (the target's dim), got ${position instanceof Float64Array ? `length ${position.length}` : typeof position}`,
    );
  }
  const inverse = resolved.inverseMassMatrix;
  const expected = resolved.denseMass ? dim * dim : dim;
  if (
    inverse !== undefined &&
    (!(inverse instanceof Float64Array) || inverse.length !== expected)
  ) {
    throw new TypeError(
      `${api}: options.inverseMassMatrix must be a Float64Array of ${expected} entries (${resolved.denseMass ? "dense: dim * dim" : "diagonal: dim"}), got ${inverse instanceof Float64Array ? `${inverse.length} entries` : typeof inverse}`,
    );
  }
  return resolved;
}
