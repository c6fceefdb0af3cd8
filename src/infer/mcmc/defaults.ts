/**
 * The defaults of MCMC and of the HMC family, in one table: Stan's and NumPyro's values.
 * Options are decoded against it once, at the API boundary (`MCMC`, `NUTS`, `HMC`, `runChain`);
 * the layers below receive fully resolved records and never fill or check them again.
 */

/** Defaults of the MCMC driver and of every chain. */
export const mcmcDefaults = {
  numChains: 1,
  thinning: 1,
  chainMethod: "sequential",
  progressBar: true,
  saveWarmup: false,
  /** Half-width of the uniform(-radius, radius) box of random initial points. */
  initRadius: 2,
  /** Random initial points tried before giving up. */
  initAttempts: 100,
} as const;

/** Defaults of NUTS and static HMC and of their warmup (Stan's). */
export const hmcDefaults = {
  /** Target of step-size adaptation (delta). */
  targetAcceptProb: 0.8,
  /** Largest NUTS tree depth: at most 2^10 - 1 leapfrog steps per draw. */
  maxTreeDepth: 10,
  /** Energy error that counts as a divergence. */
  maxDeltaEnergy: 1000,
  /** Integration time of static HMC (NumPyro's 2 pi). */
  trajectoryLength: 2 * Math.PI,
  /** Initial step size (searched from when adapting). */
  stepSize: 1,
  denseMass: false,
  adaptStepSize: true,
  adaptMassMatrix: true,
  /** Dual averaging's t0, kappa and gamma (Hoffman & Gelman 2014, section 3.2.1). */
  dualAveraging: { t0: 10, kappa: 0.75, gamma: 0.05 },
  /** Windowed adaptation: initial fast, first slow and terminal fast window sizes. */
  schedule: { initBuffer: 75, baseWindow: 25, termBuffer: 50 },
} as const;
