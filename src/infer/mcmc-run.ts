/**
 * An MCMC run as data: draws and sampler statistics grouped by chain, and how the run was made.
 * The MCMC driver fills it (`MCMC.toMcmcRun`); the exporters, readers and plots of io/ consume it
 * (io/samples.ts).
 */
import type { Draws } from "./draws.js";

/**
 * Names of the sampler statistics in `McmcRun.extra`, each of shape `[numChains, numDraws]`,
 * with the CmdStan column each one becomes.
 *
 * @example
 * samplerStatColumns.diverging; // "divergent__"
 */
export const samplerStatColumns = {
  /** Log density of the unconstrained parameters including the Jacobian (Stan's `lp__`). */
  lp: "lp__",
  /** Mean Metropolis acceptance probability over the trajectory (`accept_stat__`). */
  acceptProb: "accept_stat__",
  /** Step size used for the transition (`stepsize__`). */
  stepSize: "stepsize__",
  /** Depth of the NUTS tree (`treedepth__`). */
  treeDepth: "treedepth__",
  /** Number of leapfrog steps (`n_leapfrog__`). */
  numSteps: "n_leapfrog__",
  /** 1 when the transition diverged, else 0 (`divergent__`). */
  diverging: "divergent__",
  /** Hamiltonian at the selected point (`energy__`). */
  energy: "energy__",
} as const;

/** A sampler statistic's name: `lp`, `acceptProb`, `stepSize`, `treeDepth`, `numSteps`, `diverging`, `energy`. */
export type SamplerStatName = keyof typeof samplerStatColumns;

/** How the run was made: CmdStan's configuration header is written from these fields. */
export interface McmcMetadata {
  numWarmup: number;
  /**
   * Post-warmup iterations per chain before thinning (CmdStan's `num_samples`); a complete
   * run holds `ceil(numSamples / thinning)` draws per chain.
   */
  numSamples: number;
  numChains: number;
  thinning: number;
  seed?: number;
  /** Model name, written as CmdStan's `model = ...`. */
  model?: string;
  algorithm: "NUTS" | "HMC";
  maxTreeDepth?: number;
  targetAcceptProb?: number;
  metric: "diag_e" | "dense_e";
  /** Step size per chain after adaptation. */
  stepSize: number[];
  /**
   * Inverse metric per chain after adaptation, flattened: the diagonal (`diag_e`), or the
   * `dim x dim` matrix in row-major order (`dense_e`).
   */
  inverseMetric: number[][];
  /** Seconds spent in warmup, per chain. */
  warmupSeconds: number[];
  /** Seconds spent sampling, per chain. */
  samplingSeconds: number[];
}

/** Posterior draws grouped by chain: site name to `Draws` of shape `[numChains, numDraws, ...siteShape]`. */
export type ChainSamples = Record<string, Draws>;

/**
 * An MCMC run as the driver hands it over: draws and sampler statistics grouped by chain,
 * and the run's configuration and adaptation results.
 *
 * @example
 * const run: McmcRun = {
 *   samples: { mu: { shape: [1, 2], data: Float64Array.of(0.1, 0.2) } },
 *   extra: { lp: { shape: [1, 2], data: Float64Array.of(-1, -1.1) } },
 *   metadata: { numWarmup: 10, numSamples: 2, numChains: 1, thinning: 1, algorithm: "NUTS",
 *     metric: "diag_e", stepSize: [0.9], inverseMetric: [[1]], warmupSeconds: [0.01],
 *     samplingSeconds: [0.01] },
 * };
 */
export interface McmcRun {
  samples: ChainSamples;
  /**
   * Sampler statistics keyed by `SamplerStatName`; others are allowed and kept by JSON. The
   * CSV writer takes `lp__` from `lp`, or from `-potentialEnergy` (what `MCMC.getExtraFields`
   * returns) when `lp` is absent.
   */
  extra: Record<string, Draws>;
  metadata: McmcMetadata;
}
