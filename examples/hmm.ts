/**
 * The main demo: the marginal hidden Markov model of the PyMC example "How to wrap a JAX
 * function for use in PyMC", fitted with NUTS.
 *
 *   npm run demo            (npx tsx examples/hmm.ts)
 *
 * 70 sequences of 51 observations; 3 hidden states with Normal((state + 1) * signal, noise)
 * emissions; the states are summed out by the forward algorithm. The likelihood comes in two
 * versions (examples/hmm-likelihood.ts): (a) tfjs ops, which the compiled engine turns into
 * float64 JavaScript, and (b) a custom op with its backward-pass derivative. The demo prints
 * the log-likelihood and its gradient at the true parameters, the per-site log-probabilities
 * at the unconstrained zero point, then samples 2 chains x (1000 warmup + 1000 draws) and
 * writes the summary, plots and CmdStan CSV files.
 */
import { fileURLToPath } from "node:url";
import {
  constant,
  constraints,
  Dirichlet,
  factor,
  HalfNormal,
  ImproperUniform,
  MCMC,
  Normal,
  NUTS,
  PRNGKey,
  plot,
  sample,
  tf,
} from "../src/index.js";
import { potential } from "../src/infer/index.js";
import { toCmdStanCSV } from "../src/io/index.js";
import data from "./data/hmm_data.json" with { type: "json" };
import { hmmLogLikelihoodOp, hmmLogLikelihoodScan, hmmLogLikelihoodTf } from "./hmm-likelihood.js";

/** The observations: 70 sequences x 51 emissions. */
export const emissions: number[][] = data.emission_observed;

/** The parameters the notebook simulated the data from. */
export const trueParameters = {
  signal: 1.15,
  noise: 0.15,
  pInitial: [0.9, 0.09, 0.01],
  pTransition: [
    [0.9, 0.09, 0.01],
    [0.1, 0.8, 0.1],
    [0.2, 0.1, 0.7],
  ],
};

/** Which likelihood the model adds: (a) tfjs ops (a for-loop, or `scan` over time), or (b) the custom op. */
export type Likelihood = "tfjs" | "scan" | "op";

/**
 * The model: signal ~ Normal(0, 1), noise ~ HalfNormal(1), p_initial ~ Dirichlet(1, 1, 1),
 * each row of p_transition ~ Dirichlet(1, 1, 1), and the marginal likelihood as a factor.
 */
export function* hmmModel(y: number[][], likelihood: Likelihood = "tfjs") {
  const signal = yield* sample("signal", Normal(0, 1));
  const noise = yield* sample("noise", HalfNormal(1));
  const pInitial = yield* sample("p_initial", Dirichlet([1, 1, 1]));
  const pTransition = yield* sample("p_transition", Dirichlet(tf.ones([3, 3])));
  const observed = constant(y);
  const logLikelihood =
    likelihood === "scan"
      ? yield* hmmLogLikelihoodScan(signal, noise, pInitial, pTransition, observed)
      : (likelihood === "op" ? hmmLogLikelihoodOp : hmmLogLikelihoodTf)(
          signal,
          noise,
          pInitial,
          pTransition,
          observed,
        );
  yield* factor("emission", logLikelihood);
}

/** Options of the demo (the tests run it smaller). */
export interface DemoOptions {
  numWarmup?: number;
  numSamples?: number;
  likelihood?: Likelihood;
  /** Where plots and CSV files go (default out/hmm); null to write nothing. */
  outDir?: string | null;
  print?: (line: string) => void;
}

/** The log-likelihood (float64, through the compiled engine) and d/dsignal at the true parameters. */
export function likelihoodAtTruth(sequences: number[][]): {
  logLikelihood: number;
  dSignal: number;
} {
  const { signal, noise, pInitial, pTransition } = trueParameters;
  // The likelihood alone, as a function of signal with the rest fixed: a potential whose only
  // latent site is signal, with a flat prior (so its value is the log-likelihood).
  function* likelihoodOnly() {
    const s = yield* sample("signal", ImproperUniform(constraints.real));
    yield* factor(
      "emission",
      hmmLogLikelihoodTf(
        s,
        constant(noise),
        constant(pInitial),
        constant(pTransition),
        constant(sequences),
      ),
    );
  }
  const U = potential(likelihoodOnly, []);
  const grad = new Float64Array(1);
  const energy = U.valueAndGrad(Float64Array.of(signal), grad);
  return { logLikelihood: -energy, dSignal: -grad[0] };
}

/**
 * Runs the demo and returns what it printed and computed.
 *
 * @example
 * await runDemo({ numWarmup: 200, numSamples: 200, outDir: null });
 */
export async function runDemo(options: DemoOptions = {}) {
  const print = options.print ?? console.log;
  const { numWarmup = 1000, numSamples = 1000, likelihood = "tfjs" } = options;
  const outDir = options.outDir === undefined ? "out/hmm" : options.outDir;

  print('Tyche: the marginal HMM of PyMC\'s "wrap a JAX function" example');
  print(
    `data: ${emissions.length} sequences x ${emissions[0].length} observations, 3 hidden states\n`,
  );

  const first = likelihoodAtTruth([emissions[0]]);
  const all = likelihoodAtTruth(emissions);
  print("log-likelihood at the true parameters (float64):");
  print(`  first sequence:  ${first.logLikelihood.toFixed(6)}`);
  print(`  all 70:          ${all.logLikelihood.toFixed(6)}`);
  print(`  d/dsignal there: ${all.dSignal.toFixed(6)}\n`);

  const U = potential(hmmModel, [emissions, likelihood]);
  const zeroPoint = U.pointLogProbs(new Float64Array(U.dim));
  print(
    `per-site log-probabilities at the unconstrained zero point (PyMC's point_logps), engine: ${U.engine}`,
  );
  for (const [site, value] of Object.entries(zeroPoint))
    print(`  ${site.padEnd(13)} ${value.toFixed(4)}`);
  print("");

  print(`NUTS: 2 chains x (${numWarmup} warmup + ${numSamples} draws), in parallel worker threads`);
  const mcmc = new MCMC(new NUTS(hmmModel), {
    numWarmup,
    numSamples,
    numChains: 2,
    chainMethod: "parallel",
    // Worker threads import the module that defines the custom op of likelihood (b).
    workerImports: [new URL("./hmm-likelihood.ts", import.meta.url).href],
  });
  const started = performance.now();
  await mcmc.run(PRNGKey(0), emissions, likelihood);
  const wallSeconds = (performance.now() - started) / 1000;
  const summary = mcmc.summary();
  mcmc.printSummary();
  const steps = mcmc.getExtraFields().numSteps.data;
  print(
    `wall time ${wallSeconds.toFixed(1)} s (sampling ${Math.max(...mcmc.timings.samplingSeconds).toFixed(1)} s), ` +
      `${(steps.reduce((a, b) => a + b, 0) / steps.length).toFixed(1)} leapfrog steps per draw, engine: ${mcmc.potential.engine}`,
  );

  const files: string[] = [];
  if (outDir !== null) {
    const sites = ["signal", "noise", "p_initial"];
    files.push(
      ...(await toCmdStanCSV(mcmc, `${outDir}/hmm.csv`)),
      (await plot.trace(mcmc, { sites, out: `${outDir}/trace.svg` })).path as string,
      (await plot.posterior(mcmc, { sites, out: `${outDir}/posterior.svg` })).path as string,
      (await plot.pair(mcmc, { sites: ["signal", "noise"], out: `${outDir}/pair.svg` }))
        .path as string,
      (await plot.energy(mcmc, { out: `${outDir}/energy.svg` })).path as string,
    );
    print(`\nwrote ${files.join(", ")}`);
  }
  return { first, all, zeroPoint, summary, mcmc, wallSeconds, files };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runDemo();
