/**
 * The sampler descriptions that `MCMC` runs: `NUTS` and `HMC` on a model, with their options
 * validated by Effect Schema.
 */
import { Schema } from "effect";
import type { Model } from "../../primitives/runtime.js";
import { decodeOptions, integerAtLeast, numberBetween } from "../../util/options.js";
import type { EngineName } from "../potential-types.js";
import { type InitStrategy, initToUniform } from "./init-strategies.js";

const positive = Schema.Number.pipe(
  Schema.filter((n) => n > 0 && Number.isFinite(n), {
    message: (i) => `must be positive and finite, got ${String(i.actual)}`,
  }),
);

const KernelOptionsSchema = Schema.Struct({
  targetAcceptProb: Schema.optional(numberBetween(0, 1)),
  maxTreeDepth: Schema.optional(integerAtLeast(1)),
  denseMass: Schema.optional(Schema.Boolean),
  stepSize: Schema.optional(positive),
  adaptStepSize: Schema.optional(Schema.Boolean),
  adaptMassMatrix: Schema.optional(Schema.Boolean),
  trajectoryLength: Schema.optional(positive),
  engine: Schema.optional(Schema.Literal("eager", "compiled")),
  initStrategy: Schema.optional(Schema.Any),
});

/** Options shared by NUTS and HMC. */
export interface KernelOptions {
  /** Target acceptance statistic of step-size adaptation (default 0.8). */
  targetAcceptProb?: number;
  /** Adapt a dense inverse mass matrix instead of a diagonal one (default false). */
  denseMass?: boolean;
  /** Initial step size (default 1; adapted unless `adaptStepSize: false`). */
  stepSize?: number;
  adaptStepSize?: boolean;
  adaptMassMatrix?: boolean;
  /** Where chains start (default `initToUniform()`). */
  initStrategy?: InitStrategy;
  /** Which engine computes gradients (default: the compiled one when the model compiles). */
  engine?: EngineName;
}

/** Options of NUTS. */
export interface NutsOptions extends KernelOptions {
  /** Largest tree depth (default 10): at most 2^maxTreeDepth - 1 leapfrog steps per draw. */
  maxTreeDepth?: number;
}

/** Options of HMC. */
export interface HmcOptions extends KernelOptions {
  /** Integration time per draw (default 2 pi). */
  trajectoryLength?: number;
}

/** What MCMC needs from a sampler description. */
export interface SamplerKernel<A extends unknown[]> {
  readonly kind: "nuts" | "hmc";
  readonly model: Model<A, unknown>;
  readonly options: Readonly<NutsOptions & HmcOptions> & { initStrategy: InitStrategy };
}

/**
 * The No-U-Turn Sampler (Hoffman and Gelman 2014) as Stan runs it: multinomial sampling along
 * the trajectory, the generalized no-U-turn criterion, dual-averaging step size and windowed
 * metric adaptation.
 *
 * @example
 * const mcmc = new MCMC(new NUTS(model, { targetAcceptProb: 0.9 }), { numWarmup: 500, numSamples: 500 });
 */
export class NUTS<A extends unknown[]> implements SamplerKernel<A> {
  readonly kind = "nuts";
  readonly options: SamplerKernel<A>["options"];
  constructor(
    readonly model: Model<A, unknown>,
    options: NutsOptions = {},
  ) {
    const { trajectoryLength: _, ...rest } = decodeOptions(
      "NUTS",
      KernelOptionsSchema,
      options,
    ) as NutsOptions & HmcOptions;
    this.options = { ...rest, initStrategy: options.initStrategy ?? initToUniform() };
  }
}

/**
 * Hamiltonian Monte Carlo with a fixed integration time, adapting step size and metric as NUTS does.
 *
 * @example
 * const mcmc = new MCMC(new HMC(model, { trajectoryLength: 2 }), { numWarmup: 500, numSamples: 500 });
 */
export class HMC<A extends unknown[]> implements SamplerKernel<A> {
  readonly kind = "hmc";
  readonly options: SamplerKernel<A>["options"];
  constructor(
    readonly model: Model<A, unknown>,
    options: HmcOptions = {},
  ) {
    const decoded = decodeOptions("HMC", KernelOptionsSchema, options) as NutsOptions & HmcOptions;
    this.options = { ...decoded, initStrategy: options.initStrategy ?? initToUniform() };
  }
}
