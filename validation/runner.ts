/**
 * One validation run: NUTS on a posterior of the set with fixed settings and seed, its draws
 * compared with the reference by the rule in compare.ts, and the sampler's cost.
 */
import { MCMC, NUTS, type NutsOptions, PRNGKey } from "../src/index.js";
import { type CompareOptions, type Comparison, compareToReference } from "./compare.js";
import { loadReference, type PosteriorDefinition, scalarChains } from "./posteriordb.js";

/** Settings of one run. */
export interface RunSettings {
  readonly numWarmup: number;
  readonly numSamples: number;
  readonly numChains: number;
  readonly seed: number;
  readonly chainMethod?: "sequential" | "parallel";
  /** NUTS options (targetAcceptProb, maxTreeDepth, denseMass, ...). */
  readonly nuts?: NutsOptions;
  /** Options of the comparison (z_crit, which scalars and statistics count). */
  readonly compare?: Omit<CompareOptions, "numDivergences">;
}

/** What one run produced. */
export interface RunOutcome {
  readonly comparison: Comparison;
  readonly numDivergences: number;
  /** Fraction of post-warmup draws whose tree reached the maximum depth. */
  readonly maxDepthFraction: number;
  /** Post-warmup leapfrog steps (gradient evaluations), all chains. */
  readonly leapfrogSteps: number;
  readonly numDraws: number;
  /** Seconds from the start of `run` until the draws of every site are available. */
  readonly wallSeconds: number;
  /** Seconds in warmup and in sampling, summed over chains. */
  readonly warmupSeconds: number;
  readonly samplingSeconds: number;
  /** The engine that computed gradients. */
  readonly engine: string;
}

/**
 * Runs NUTS on `definition` and compares the draws of every reference scalar.
 *
 * @example
 * const outcome = await runPosterior(arK, { numWarmup: 1000, numSamples: 1000, numChains: 4, seed: 1 });
 * outcome.comparison.passed;
 */
export async function runPosterior(
  definition: PosteriorDefinition,
  settings: RunSettings,
): Promise<RunOutcome> {
  const data = definition.loadData();
  const mcmc = new MCMC(new NUTS(definition.model, settings.nuts ?? {}), {
    numWarmup: settings.numWarmup,
    numSamples: settings.numSamples,
    numChains: settings.numChains,
    chainMethod: settings.chainMethod ?? "sequential",
    progressBar: false,
  });
  const start = performance.now();
  await mcmc.run(PRNGKey(settings.seed), data);
  const latent = mcmc.getSamples({ groupByChain: true });
  const samples = { ...latent, ...definition.derive?.(latent, data) };
  const wallSeconds = (performance.now() - start) / 1000;

  const reference = loadReference(definition.posterior);
  const comparison = compareToReference(
    scalarChains(samples, definition.scalars),
    reference.parameters,
    { ...settings.compare, numDivergences: mcmc.numDivergences },
  );
  const { treeDepth, numSteps } = mcmc.getExtraFields();
  const maxDepth = settings.nuts?.maxTreeDepth ?? 10;
  let saturated = 0;
  let leapfrogSteps = 0;
  for (let i = 0; i < treeDepth.data.length; i++) {
    if (treeDepth.data[i] >= maxDepth) saturated++;
    leapfrogSteps += numSteps.data[i];
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    comparison,
    numDivergences: mcmc.numDivergences,
    maxDepthFraction: saturated / treeDepth.data.length,
    leapfrogSteps,
    numDraws: treeDepth.data.length,
    wallSeconds,
    warmupSeconds: sum(mcmc.timings.warmupSeconds),
    samplingSeconds: sum(mcmc.timings.samplingSeconds),
    engine: mcmc.potential.engine,
  };
}
