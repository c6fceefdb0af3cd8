/**
 * The peers of the benchmarks (../shared/peers): Stan (rstan) run through run_stan.R, and the
 * Tyche models of the same posteriors with their data loaders.
 *
 * Stan: the .stan file and its data are copied into out/stan/ (the shared folder is read-only,
 * and rstan caches the compiled model beside the .stan file), Rscript runs there, and its one
 * JSON line is parsed. Not part of the tests.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { hmmLogLikelihoodScan } from "../examples/hmm-likelihood.js";
import {
  Bernoulli,
  constant,
  Dirichlet,
  factor,
  HalfNormal,
  Normal,
  sample,
  tf,
} from "../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));

/** Where the shared reference files are: TYCHE_SHARED, else ../shared beside the repository. */
export const sharedDir = process.env.TYCHE_SHARED ?? resolve(here, "../../shared");

/** The working folder for Stan's compiled models (gitignored). */
export const stanWorkDir = resolve(here, "../out/stan");

/** What run_stan.R prints (one JSON line). */
export interface StanRun {
  readonly model: string;
  readonly chains: number;
  readonly warmup: number;
  readonly samples: number;
  readonly cores: number;
  /** Compilation, or loading the cached compiled model. */
  readonly compile_s: number;
  /** Wall time of rstan's sampling() call, chains included. */
  readonly sample_wall_s: number;
  readonly warmup_s_per_chain: number[];
  readonly sampling_s_per_chain: number[];
  readonly divergent: number;
  /** Mean leapfrog steps per post-warmup draw. */
  readonly mean_leapfrog: number;
  readonly min_ess_bulk: number;
  readonly max_rhat: number;
}

/** A Stan run and the wall time of the whole Rscript process (start-up, compile or load, summary). */
export interface StanResult {
  readonly run: StanRun;
  readonly processSeconds: number;
}

/**
 * Whether Rscript with rstan can be run here; the reason when not.
 *
 * @example
 * const { available, reason } = stanAvailability();
 */
export function stanAvailability(): { available: boolean; reason?: string } {
  const probe = spawnSync("Rscript", ["-e", "suppressMessages(library(rstan))"], {
    encoding: "utf8",
  });
  if (probe.error !== undefined) return { available: false, reason: "Rscript is not installed" };
  if (probe.status !== 0) return { available: false, reason: "R has no rstan package" };
  return { available: true };
}

/** Options of `runStan`. */
export interface StanRunOptions {
  readonly chains: number;
  readonly warmup: number;
  readonly samples: number;
  readonly seed: number;
  /** Chains run in parallel processes on this many cores. */
  readonly cores: number;
}

/**
 * Runs Stan's NUTS on `stanFile` with `dataFile` (both copied into out/stan/ first).
 *
 * @example
 * const { run } = runStan(`${sharedDir}/peers/hmm.stan`, `${sharedDir}/peers/hmm_stan_data.json`,
 *   { chains: 2, warmup: 1000, samples: 1000, seed: 1, cores: 2 });
 */
export function runStan(stanFile: string, dataFile: string, options: StanRunOptions): StanResult {
  mkdirSync(stanWorkDir, { recursive: true });
  const model = resolve(stanWorkDir, basename(stanFile));
  const data = resolve(stanWorkDir, `${basename(stanFile, ".stan")}.data.json`);
  // Copy only when changed: rstan recompiles when the .stan file is newer than its cache.
  if (!existsSync(model) || readFileSync(model, "utf8") !== readFileSync(stanFile, "utf8")) {
    copyFileSync(stanFile, model);
  }
  copyFileSync(dataFile, data);
  const args = [
    resolve(sharedDir, "peers/run_stan.R"),
    model,
    data,
    String(options.chains),
    String(options.warmup),
    String(options.samples),
    String(options.seed),
    String(options.cores),
  ];
  const start = performance.now();
  const result = spawnSync("Rscript", args, {
    cwd: stanWorkDir,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const processSeconds = (performance.now() - start) / 1000;
  const line = result.stdout
    ?.split("\n")
    .reverse()
    .find((l) => l.trim().startsWith("{"));
  if (result.status !== 0 || line === undefined) {
    throw new Error(
      `runStan: Rscript run_stan.R ${basename(stanFile)} failed (status ${result.status}): ${(result.stderr ?? "").slice(-2000)}`,
    );
  }
  return { run: JSON.parse(line) as StanRun, processSeconds };
}

// --- Tyche models of the peers' posteriors ----------------------------------------------------------------------------------

/** Logistic regression: alpha ~ N(0, 1), beta ~ N(0, 1), y ~ Bernoulli(logit = alpha + X beta). */
export function* logisticRegression(data: { x: tf.Tensor; y: number[] }) {
  const [n, d] = data.x.shape;
  const alpha = yield* sample("alpha", Normal(0, 1));
  const beta = yield* sample("beta", Normal(0, 1).expand([d]));
  const logits = tf.add(alpha, tf.reshape(tf.matMul(data.x, tf.reshape(beta, [d, 1])), [n]));
  yield* sample("y", Bernoulli({ logits }), { obs: data.y });
}

/**
 * The marginal HMM of the PyMC notebook: signal ~ N(0, 1), noise ~ HalfNormal(1),
 * p_initial ~ Dirichlet(1, 1, 1), each row of p_transition ~ Dirichlet(1, 1, 1), and the
 * forward algorithm in tfjs ops as a factor, its recursion over time a `scan` as the notebook's
 * JAX code writes it with lax.scan (examples/hmm-likelihood.ts; the for-loop form there has the
 * same value and gradient, and takes about twice as long to build).
 */
export function* hmm(data: { y: tf.Tensor }) {
  const signal = yield* sample("signal", Normal(0, 1));
  const noise = yield* sample("noise", HalfNormal(1));
  const pInitial = yield* sample("p_initial", Dirichlet([1, 1, 1]));
  const pTransition = yield* sample(
    "p_transition",
    Dirichlet(
      constant([
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ]),
    ),
  );
  yield* factor(
    "emission",
    yield* hmmLogLikelihoodScan(signal, noise, pInitial, pTransition, data.y),
  );
}

/** The logistic regression's data: X as a float64 constant, y as numbers. */
export function loadLogisticData(): { x: tf.Tensor; y: number[] } {
  const raw = JSON.parse(
    readFileSync(resolve(sharedDir, "data/logistic_5000x20.json"), "utf8"),
  ) as {
    X: number[][];
    y: number[];
  };
  return { x: constant(raw.X), y: raw.y };
}

/** The HMM's observations (70 sequences x 51 steps) as a float64 constant. */
export function loadHmmData(): { y: tf.Tensor } {
  const raw = JSON.parse(readFileSync(resolve(sharedDir, "data/hmm_data.json"), "utf8")) as {
    emission_observed: number[][];
  };
  return { y: constant(raw.emission_observed) };
}
