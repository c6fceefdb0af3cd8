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
  /**
   * How warmup adapts the metric: "windowed" (Stan's), "fisher-diag" or "low-rank" (from draws
   * and gradients, Seyboldt, Carlson & Carpenter 2026; see nuts/fisher-warmup.ts), or "auto":
   * low-rank up to `lowRankMaxDim` dimensions, fisher-diag above, windowed for a dense metric.
   */
  adaptation: "auto",
  /**
   * The largest dimension "auto" adapts a low-rank metric for. Each low-rank update costs
   * O(k^3), k = min(dim, twice the window's draws), about 56 times per warmup: about 4 ms at 50
   * dimensions and 25 ms at 100 from 200 draws (bench/low-rank-estimate.ts). On the non-centred
   * stochastic volatility model low-rank gave 2.7 times fisher-diag's ESS per second of the
   * whole run at 102 dimensions and 0.57 times at 202 (bench/adaptation-dim.ts; guide,
   * "Metric adaptation").
   */
  lowRankMaxDim: 100,
  /**
   * Where NUTS and HMC chains start: "pathfinder" (a Pathfinder path from a uniform(-2, 2)
   * point, its approximation's covariance as the first metric) or "uniform" (the point itself).
   */
  initStrategy: "pathfinder",
  /**
   * The schedule of "fisher-diag" and "low-rank" (nutpie's): early phase 30% of warmup with a
   * window switch every 10 draws, then windows from 80 draws growing by 1.5, the last 15% for
   * the step size alone; the metric is updated every iteration (diagonal) or every 20 (low rank).
   */
  fisherSchedule: {
    earlyWindow: 0.3,
    stepSizeWindow: 0.15,
    earlySwitchEvery: 10,
    switchEvery: 80,
    windowGrowth: 1.5,
    updateEvery: { diagonal: 1, lowRank: 20 },
  },
  /**
   * The low-rank estimator (nutpie's): regularization gamma (scatter matrices / gamma + I) and
   * the eigenvalue cutoff c (eigenvalues in [1/c, c] are dropped); and our variance floor: the
   * metric's variance in any direction is at least that fraction of the draws' variance there
   * (nuts/fisher-metric.ts). On gp_pois_regr at the validation's settings (seeds 23-38) floor
   * 0.5 raised the median of the minimum bulk ESS from about 460 to 570 (1: about 715), with
   * no loss on the posteriordb benchmark (median ratio to Stan 9.5 against 8.9 without it, same
   * run; 4.7 with floor 1); guide, "Metric adaptation".
   */
  lowRank: { gamma: 1e-5, eigvalCutoff: 2, varianceFloor: 0.5 },
} as const;

/**
 * Defaults of Pathfinder (Zhang, Carpenter, Gelman & Vehtari 2022), standalone and as an
 * initialization of MCMC: Stan's, except the history size (the paper's 6).
 */
export const pathfinderDefaults = {
  /** Independent paths of multi-path Pathfinder (1: single path). */
  numPaths: 4,
  /** Draws returned. */
  numDraws: 1000,
  /** Draws per path before importance resampling. */
  numDrawsPerPath: 1000,
  /** Draws behind each ELBO estimate. */
  numElboDraws: 25,
  /**
   * Draws behind each ELBO estimate when Pathfinder initializes MCMC (initToPathfinder): the
   * paper's 5 rather than Stan's 25. With 25, the ELBO estimates at every L-BFGS iterate were
   * most of an initialization's cost (about 7,600 of 8,000 gradients on the PyMC notebook's
   * HMM; about 1,900 in all with 5), and an initialization needs only a good enough
   * approximation: warmup refines the rest.
   */
  initNumElboDraws: 5,
  /**
   * When Pathfinder initializes MCMC, its ELBO estimates pause where the path has plateaued: 20
   * iterates in a row without the ELBO up by more than 1 nat or U down by more than dim / 2 (see
   * ElboPlateau in pathfinder/single-path.ts); L-BFGS still runs to convergence. On the HMM
   * example (8 seeds) an initialization then takes 790 to 1,950 gradients instead of 1,910 to
   * 3,310 (median ratio 0.46), its approximation's ELBO about 1 nat lower.
   */
  initElboPlateau: { patience: 20, minImprovement: 1 },
  /**
   * When Pathfinder initializes MCMC, L-BFGS also stops once U has fallen by less than 0.1 nat
   * over 20 iterations. On the HMM example, L-BFGS reached within 0.1 nat of its final U
   * after 160 to 290 iterations and spent the remaining 30 to 45% of its 310 to 470 on the
   * rest; the saddle some paths cross first falls by more than 1.7 nats per 20 iterations.
   */
  initLbfgsStall: { window: 20, minDecrease: 0.1 },
  /**
   * When Pathfinder initializes MCMC, the ELBO is estimated at every third iterate (and the
   * last). With the L-BFGS stall above, on the HMM example (8 seeds) an initialization took 410
   * to 760 gradients instead of 910 to 1,370, and the chosen approximation's ELBO (200 draws)
   * was -72.0 to -73.6 instead of -71.9 to -72.1.
   */
  initElboStride: 3,
  /** Importance-resample the pooled draws of several paths (PSIS). */
  importanceResampling: true,
  /** L-BFGS: curvature pairs kept, iterations, and Stan's convergence tolerances. */
  lbfgs: {
    historySize: 6,
    maxIterations: 1000,
    tolObj: 1e-12,
    tolRelObj: 1e4,
    tolGrad: 1e-8,
    tolRelGrad: 1e7,
    tolParam: 1e-8,
    /** The strong Wolfe curvature constant c2 of the line search. */
    lineSearchCurvature: 0.9,
  },
} as const;
