/**
 * Checks with R itself that the CmdStan CSV files are read by `rstan::read_stan_csv` (and by
 * `posterior`) with the same means, dimensions, sampler parameters, step sizes and times.
 * Runs only where `Rscript` with rstan is installed; CI has no R, so it skips there.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { toCmdStanCSV } from "../../src/io/cmdstan-csv-write.js";
import { ar1Run, elementMeans } from "./fixture.js";

function hasRstan(): boolean {
  const probe = spawnSync("Rscript", ["-e", "cat(requireNamespace('rstan', quietly = TRUE))"], {
    encoding: "utf8",
    timeout: 60_000,
  });
  return probe.status === 0 && probe.stdout.trim().endsWith("TRUE");
}

const rstanAvailable = hasRstan();
if (!rstanAvailable) {
  console.log("tests/io/rstan.test.ts skipped: Rscript with the rstan package is not installed");
}

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("CmdStan CSV read by R", () => {
  it.skipIf(!rstanAvailable)("rstan::read_stan_csv and posterior read the files", async () => {
    dir = await mkdtemp(join(tmpdir(), "tyche-rstan-"));
    const run = ar1Run({ numChains: 3, numDraws: 100 });
    const paths = await toCmdStanCSV(run, join(dir, "ar1.csv"));
    // Also a static-HMC run with a dense metric, and bare samples (CmdStan's fixed_param).
    const dense = ar1Run({ numChains: 2, numDraws: 20, metric: "dense_e" });
    dense.metadata.algorithm = "HMC";
    delete dense.metadata.maxTreeDepth;
    const densePaths = await toCmdStanCSV(dense, join(dir, "dense.csv"));
    const bare = ar1Run({ numChains: 2, numDraws: 20 }).samples;
    const barePaths = await toCmdStanCSV(bare, join(dir, "bare.csv"));
    const script = join(dir, "check.R");
    await writeFile(
      script,
      `
suppressPackageStartupMessages({ library(rstan); library(jsonlite); library(posterior) })
groups <- strsplit(commandArgs(trailingOnly = TRUE), ",", fixed = TRUE)
read <- function(files) withCallingHandlers(read_stan_csv(files), warning = function(w) stop(conditionMessage(w)))
fit <- read(groups[[1]])
dense <- read(groups[[2]])
bare <- read(groups[[3]])
arr <- as.array(fit)
sp <- get_sampler_params(fit, inc_warmup = FALSE)
draws <- posterior::as_draws_df(posterior::as_draws_array(arr))
out <- list(
  dims = dim(arr),
  names = dimnames(arr)$parameters,
  means = unname(apply(arr, 3, mean)),
  par_dims = lapply(fit@par_dims, I),
  divergent = sum(sapply(sp, function(x) sum(x[, "divergent__"]))),
  treedepth_mean = mean(sapply(sp, function(x) mean(x[, "treedepth__"]))),
  sampler_t = fit@stan_args[[1]]$sampler_t,
  adaptation = get_adaptation_info(fit)[[2]],
  elapsed_warmup = unname(get_elapsed_time(fit)[, 1]),
  elapsed_sample = unname(get_elapsed_time(fit)[, 2]),
  posterior_mu_mean = mean(draws$mu),
  posterior_nchains = posterior::nchains(draws),
  dense_sampler_t = dense@stan_args[[1]]$sampler_t,
  dense_adaptation = get_adaptation_info(dense)[[1]],
  dense_dims = dim(as.array(dense)),
  bare_dims = dim(as.array(bare)),
  bare_means = unname(apply(as.array(bare), 3, mean))
)
cat(toJSON(out, digits = NA, auto_unbox = TRUE))
`,
    );
    const groups = [paths, densePaths, barePaths].map((g) => g.join(","));
    const result = spawnSync("Rscript", [script, ...groups], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    const r = JSON.parse(result.stdout);

    // rstan's parameters: the sites' elements (CmdStan order) and lp__, renamed theta[1] etc.
    expect(r.dims).toEqual([100, 3, 1 + 3 + 6 + 1]);
    expect(r.names).toEqual([
      "mu",
      "theta[1]",
      "theta[2]",
      "theta[3]",
      "Sigma[1,1]",
      "Sigma[2,1]",
      "Sigma[1,2]",
      "Sigma[2,2]",
      "Sigma[1,3]",
      "Sigma[2,3]",
      "lp__",
    ]);
    expect(r.par_dims).toEqual({ mu: [], theta: [3], Sigma: [2, 3], lp__: [] });
    const sigma = elementMeans(run.samples.Sigma); // row-major [i, j] -> 3 i + j
    const expected = [
      ...elementMeans(run.samples.mu),
      ...elementMeans(run.samples.theta),
      ...[0, 3, 1, 4, 2, 5].map((k) => sigma[k]),
      ...elementMeans(run.extra.lp),
    ];
    r.means.forEach((m: number, k: number) => expect(m).toBeCloseTo(expected[k], 12));
    expect(r.posterior_mu_mean).toBeCloseTo(expected[0], 12);
    expect(r.posterior_nchains).toBe(3);

    const divergent = run.extra.diverging.data.reduce((a, b) => a + b, 0);
    expect(r.divergent).toBe(divergent);
    expect(r.treedepth_mean).toBeCloseTo(elementMeans(run.extra.treeDepth)[0], 12);
    expect(r.sampler_t).toBe("NUTS(diag_e)");
    expect(r.adaptation).toContain("# Step size = 0.6");
    expect(r.elapsed_warmup).toEqual(run.metadata.warmupSeconds);
    expect(r.elapsed_sample).toEqual(run.metadata.samplingSeconds);

    expect(r.dense_sampler_t).toBe("HMC");
    expect(r.dense_adaptation).toContain("# Elements of inverse mass matrix:");
    expect(r.dense_dims).toEqual([20, 2, 11]);
    expect(r.bare_dims).toEqual([20, 2, 11]);
    const bareMu = elementMeans(bare.mu)[0];
    expect(r.bare_means[0]).toBeCloseTo(bareMu, 12);
    expect(r.bare_means[10]).toBe(0); // lp__ of fixed_param draws
  });
});
