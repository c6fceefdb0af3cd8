/**
 * What `MCMC` runs: a model with a sampling algorithm's settings, and how to set up a chain of
 * that algorithm over the model's potential. NUTS and HMC (src/infer/nuts/sampler.ts) and the
 * random-walk Metropolis sampler (random-walk.ts) are such descriptions; the driver knows no
 * other detail of them.
 */

import type { EngineName, GradientTarget } from "../../potential-types.js";
import type { Model } from "../../primitives/runtime.js";
import type { McmcMetadata } from "../mcmc-run.js";
import type { ChainPlan } from "./chain.js";
import type { InitStrategy } from "./init-strategies.js";
import type { AnyChainSetup, ChainSetup } from "./sampling-algorithm.js";

/** The algorithm's part of a run's metadata (CmdStan's header), from each chain's parameters. */
export type SamplerMetadata = Pick<
  McmcMetadata,
  "algorithm" | "maxTreeDepth" | "targetAcceptProb" | "metric" | "stepSize" | "inverseMetric"
>;

/**
 * A sampler description that `MCMC` can run; `P` is its algorithm's tuning parameters (what
 * each chain ends with and can continue from).
 */
export interface McmcSampler<A extends unknown[], P = any> {
  /** The algorithm's name for messages and metadata ("NUTS", "HMC", "RWM"). */
  readonly name: string;
  readonly model: Model<A, unknown>;
  /** Which engine computes gradients (default compiled) and where chains start. */
  readonly options: { readonly engine?: EngineName; readonly initStrategy: InitStrategy };
  /** The algorithm's settings as plain data: worker threads receive them. */
  readonly settings: unknown;
  /**
   * URL of a module that exports `chainSetup(settings, target, plan)`, so that worker threads
   * can set up the same chains (chainMethod "parallel"); without it chains run sequentially.
   */
  readonly module?: string;
  /** The algorithm, initial parameters and warmup of one chain over `target`. */
  chainSetup(target: GradientTarget, plan: ChainPlan): ChainSetup<P, any, any, any>;
  /** The algorithm's metadata for the exporters, from each chain's final parameters. */
  runMetadata?(adapted: readonly P[]): SamplerMetadata;
}

/** The function a sampler's `module` exports for worker threads. */
export type ChainSetupFunction = (
  settings: unknown,
  target: GradientTarget,
  plan: ChainPlan,
) => AnyChainSetup;

/** @deprecated The former name of `McmcSampler`. */
export type SamplerKernel<A extends unknown[], P = any> = McmcSampler<A, P>;
