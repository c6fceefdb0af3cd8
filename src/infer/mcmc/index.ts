/** The MCMC driver: samplers on models, chains, draws and diagnostics. */

export {
  type CompoundKernel,
  DiscreteHMCGibbs,
  type GibbsFn,
  type GibbsSpec,
  HMCGibbs,
} from "./gibbs.js";
export { type InitStrategy, initToMedian, initToUniform, initToValue } from "./init-strategies.js";
export {
  HMC,
  type HmcOptions,
  type KernelOptions,
  NUTS,
  type NutsOptions,
  type SamplerKernel,
} from "./kernels.js";
export { type ChainState, MCMC, type McmcOptions, type McmcProgress } from "./mcmc.js";
