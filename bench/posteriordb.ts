/**
 * Metric adaptations on the posteriordb reference set, against Stan: for each of the 15
 * posteriors of tests/oracles/posteriordb and each adaptation ("windowed": Stan's; "fisher-diag";
 * "low-rank"), each with the default (uniform) and the Pathfinder initialization, NUTS with 4
 * chains x (1000 warmup + 1000 draws) at Stan's default control (target 0.8, depth 10), and:
 *
 * - gradient evaluations in warmup (initialization, step-size searches and Pathfinder
 *   included: every call of the potential is counted) and in sampling;
 * - the minimum bulk ESS over the reference scalars, per 1,000 sampling gradients and per
 *   chain-second (warmup and sampling);
 * - when warmup settled (the median over chains of the warmup iterations after which step size
 *   and metric stayed near their final values; nuts/warmup-convergence.ts);
 * - pass or fail of the reference rule (validation/compare.ts: gate with R-hat, ESS and no
 *   divergence, then z-scores);
 * - Stan's figures for the same posterior and control from ../shared/peers/results/posteriordb
 *   (rstan 2.21, same chains and iterations), and the ratio of ESS per 1,000 sampling gradients
 *   to Stan's; at the end the median ratio per adaptation.
 *
 * The median ratio of one seed moves by about +-0.1 from seed to seed (posteriors near the
 * median lie between 1.0 and 1.5, and each ratio has the sampling error of an ESS estimate);
 * with `--seeds` every case runs at each seed, and the summary gives each seed's median and
 * the median over posteriors of each posterior's median ratio over the seeds.
 *
 * Gradient counts and ESS per gradient do not depend on the machine's load; seconds do.
 *
 *   npx tsx bench/posteriordb.ts                       # everything (long: about an hour)
 *   npx tsx bench/posteriordb.ts arK garch             # posteriors whose names contain these
 *   npx tsx bench/posteriordb.ts --adaptations=fisher-diag,low-rank --init=uniform
 *   npx tsx bench/posteriordb.ts --warmup=400          # shorter warmups
 *   npx tsx bench/posteriordb.ts --seeds=1,2,3,4       # several seeds: per-posterior medians
 *   npx tsx bench/posteriordb.ts --json=out/posteriordb.json
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { withoutTensorValidation } from "../src/dist/validation.js";
import { foldIn, PRNGKey, Predictive } from "../src/index.js";
import { stackDraws } from "../src/infer/draws.js";
import { potential } from "../src/infer/index.js";
import { startChain } from "../src/infer/nuts/runner.js";
import type { Adaptation } from "../src/infer/nuts/sampler.js";
import { discoverModel } from "../src/infer/potential.js";
import { compareToReference } from "../validation/compare.js";
import { POSTERIORS } from "../validation/models/index.js";
import {
  loadReference,
  type PosteriorDefinition,
  scalarChains,
} from "../validation/posteriordb.js";
import { sharedDir } from "./peers.js";

// --- Arguments -------------------------------------------------------------------------------

const args = process.argv.slice(2);
const flag = (name: string): string | undefined =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const filters = args.filter((a) => !a.startsWith("--"));
const ADAPTATIONS = (flag("adaptations") ?? "windowed,fisher-diag,low-rank").split(
  ",",
) as Adaptation[];
const INITS = (flag("init") ?? "uniform,pathfinder").split(",") as Array<"uniform" | "pathfinder">;
const NUM_WARMUP = Number(flag("warmup") ?? 1000);
const NUM_SAMPLES = Number(flag("samples") ?? 1000);
const NUM_CHAINS = Number(flag("chains") ?? 4);
const SEEDS = (flag("seeds") ?? flag("seed") ?? "1").split(",").map(Number);
if (!SEEDS.every(Number.isSafeInteger)) {
  throw new Error(
    `bench/posteriordb.ts: --seeds (or --seed) must be integers separated by commas, got "${flag("seeds") ?? flag("seed")}"`,
  );
}
const JSON_OUT = flag("json");

// --- Stan ------------------------------------------------------------------------------------

interface StanFigures {
  readonly essPerKiloGradient: number;
  readonly essPerChainSecond: number;
  readonly samplingGradients: number;
  readonly minEss: number;
  readonly passed: boolean;
}

function stanFigures(posterior: string): StanFigures | undefined {
  const dir = resolve(sharedDir, "peers/results/posteriordb");
  const runFile = resolve(dir, `${posterior}.json`);
  const checkFile = resolve(dir, `${posterior}.check.json`);
  if (!existsSync(runFile) || !existsSync(checkFile)) return undefined;
  const run = JSON.parse(readFileSync(runFile, "utf8"));
  const check = JSON.parse(readFileSync(checkFile, "utf8"));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const seconds = sum(run.warmup_s_per_chain) + sum(run.sampling_s_per_chain);
  const gradients = run.total_leapfrog_sampling ?? run.mean_leapfrog * run.chains * run.samples;
  return {
    essPerKiloGradient: (1000 * run.min_ess_bulk) / gradients,
    essPerChainSecond: run.min_ess_bulk / seconds,
    samplingGradients: gradients,
    minEss: run.min_ess_bulk,
    passed: check.pass_all === true,
  };
}

// --- Tyche -----------------------------------------------------------------------------------

interface Row {
  readonly posterior: string;
  readonly adaptation: Adaptation;
  readonly init: "uniform" | "pathfinder";
  readonly seed: number;
  readonly warmupGradients: number;
  readonly samplingGradients: number;
  readonly minEss: number;
  readonly essPerKiloGradient: number;
  readonly essPerChainSecond: number;
  readonly divergences: number;
  /** Median over chains of the warmup iterations after which the parameters settled. */
  readonly settledAt: number;
  readonly passed: boolean;
  readonly failures: string;
  readonly stan?: StanFigures;
  readonly error?: string;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? Number.NaN : n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function runCase(
  definition: PosteriorDefinition,
  data: unknown,
  target: ReturnType<typeof potential>,
  adaptation: Adaptation,
  init: "uniform" | "pathfinder",
  seed: number,
): Row {
  let evaluations = 0;
  const counted = {
    dim: target.dim,
    valueAndGrad: (q: Float64Array, g: Float64Array) => {
      evaluations++;
      return target.valueAndGrad(q, g);
    },
  };
  let warmupGradients = 0;
  let samplingGradients = 0;
  let divergences = 0;
  let chainSeconds = 0;
  const settled: number[] = [];
  const perChain: Array<Record<string, { shape: number[]; data: Float64Array }>> = [];
  for (let c = 0; c < NUM_CHAINS; c++) {
    const before = evaluations;
    const run = startChain(
      counted,
      {
        numWarmup: NUM_WARMUP,
        numSamples: NUM_SAMPLES,
        adaptation,
        initStrategy: init,
        targetAcceptProb: 0.8,
        maxTreeDepth: 10,
      },
      foldIn(PRNGKey(seed), c),
    );
    let atSampling = run.phase === "sampling" ? evaluations : -1;
    while (!run.done) {
      if (atSampling < 0 && run.phase === "sampling") atSampling = evaluations;
      run.step();
    }
    const result = run.result();
    warmupGradients += atSampling - before;
    samplingGradients += evaluations - atSampling;
    divergences += result.numDivergences;
    chainSeconds += result.warmupSeconds + result.samplingSeconds;
    settled.push(result.warmup.convergence.settledAt);
    const latent = target.unravelBatch(result.draws, result.numDraws);
    // Deterministic sites, as MCMC computes them: the model run on the latent draws.
    // (Posteriors with `derive` recompute their derived quantities in float64 instead.)
    const returnSites =
      definition.derive === undefined ? discoverModel(definition.model, [data]).deterministic : [];
    // (Eager float32 runs: parameters are not validated, and models that do not vectorize
    // over draws run once per draw, as MCMC does.)
    const options = { posteriorSamples: latent, returnSites: [...returnSites] };
    const deterministic =
      returnSites.length === 0
        ? {}
        : withoutTensorValidation(() => {
            try {
              return new Predictive(definition.model, options).run(0, data);
            } catch {
              return new Predictive(definition.model, { ...options, parallel: false }).run(0, data);
            }
          });
    perChain.push({ ...latent, ...deterministic });
  }
  const latent = stackDraws(NUM_CHAINS, (c) => perChain[c]);
  const samples = { ...latent, ...definition.derive?.(latent, data) };
  const comparison = compareToReference(
    scalarChains(samples, definition.scalars),
    loadReference(definition.posterior).parameters,
    { numDivergences: divergences },
  );
  const minEss = comparison.minEssBulk;
  return {
    posterior: definition.posterior,
    adaptation,
    init,
    seed,
    warmupGradients,
    samplingGradients,
    minEss,
    essPerKiloGradient: (1000 * minEss) / samplingGradients,
    essPerChainSecond: minEss / chainSeconds,
    divergences,
    settledAt: median(settled),
    passed: comparison.passed,
    failures: [...comparison.gateFailures, ...comparison.zFailures].slice(0, 3).join(", "),
    stan: stanFigures(definition.posterior),
  };
}

// --- Report ----------------------------------------------------------------------------------

function fmt(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1000 ? Math.round(x).toLocaleString("en-US") : x.toFixed(digits);
}

function printTable(rows: readonly Row[]): void {
  const header = [
    "posterior",
    "adaptation",
    "init",
    "seed",
    "warmup grad",
    "sampling grad",
    "min ESS",
    "ESS/1k grad",
    "Stan ESS/1k grad",
    "ratio",
    "ESS/chain-s",
    "Stan ESS/s",
    "settled at",
    "div",
    "pass",
    "Stan pass",
  ];
  const lines = rows.map((r) =>
    r.error !== undefined
      ? [
          r.posterior,
          r.adaptation,
          r.init,
          String(r.seed),
          "",
          "",
          "",
          "",
          "",
          "",
          "",
          "",
          "",
          "",
          `ERROR: ${r.error}`,
          "",
        ]
      : [
          r.posterior,
          r.adaptation,
          r.init,
          String(r.seed),
          fmt(r.warmupGradients, 0),
          fmt(r.samplingGradients, 0),
          fmt(r.minEss, 0),
          fmt(r.essPerKiloGradient),
          r.stan ? fmt(r.stan.essPerKiloGradient) : "",
          r.stan ? fmt(r.essPerKiloGradient / r.stan.essPerKiloGradient, 2) : "",
          fmt(r.essPerChainSecond, 0),
          r.stan ? fmt(r.stan.essPerChainSecond, 0) : "",
          fmt(r.settledAt, 0),
          String(r.divergences),
          r.passed ? "pass" : `FAIL (${r.failures})`,
          r.stan ? (r.stan.passed ? "pass" : "fail") : "",
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(row(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const l of lines) console.log(row(l));
}

function printSummary(rows: readonly Row[]): void {
  console.log(
    "\nPer adaptation and initialization (medians over posteriors; ratio = ESS per 1,000 sampling gradients / Stan's; " +
      "with several seeds, each posterior's median ratio over the seeds, and each seed's median in 'per seed'):",
  );
  const header = [
    "adaptation",
    "init",
    "posteriors",
    "median ratio",
    "per seed",
    "median warmup grad",
    "median ESS/chain-s ratio",
    "median settled at",
    "pass (runs)",
    "Stan pass",
  ];
  const out: string[][] = [];
  for (const adaptation of ADAPTATIONS) {
    for (const init of INITS) {
      const group = rows.filter(
        (r) => r.adaptation === adaptation && r.init === init && r.error === undefined,
      );
      if (group.length === 0) continue;
      const withStan = group.filter((r) => r.stan !== undefined);
      const ratio = (r: Row) => r.essPerKiloGradient / r.stan!.essPerKiloGradient;
      const posteriors = [...new Set(withStan.map((r) => r.posterior))];
      const perPosterior = posteriors.map((p) =>
        median(withStan.filter((r) => r.posterior === p).map(ratio)),
      );
      const perSeed = SEEDS.map((seed) =>
        fmt(median(withStan.filter((r) => r.seed === seed).map(ratio)), 2),
      );
      out.push([
        adaptation,
        init,
        String(posteriors.length),
        fmt(median(perPosterior), 2),
        perSeed.join(" "),
        fmt(median(group.map((r) => r.warmupGradients)), 0),
        fmt(median(withStan.map((r) => r.essPerChainSecond / r.stan!.essPerChainSecond)), 2),
        fmt(median(group.map((r) => r.settledAt)), 0),
        `${group.filter((r) => r.passed).length}/${group.length}`,
        `${posteriors.filter((p) => withStan.find((r) => r.posterior === p)!.stan!.passed).length}/${posteriors.length}`,
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...out.map((l) => l[i].length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(row(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const l of out) console.log(row(l));
}

async function main(): Promise<void> {
  const definitions = POSTERIORS.filter(
    (p) => filters.length === 0 || filters.some((f) => p.posterior.includes(f)),
  );
  console.log(
    `posteriordb: ${definitions.length} posteriors x adaptations ${ADAPTATIONS.join(", ")} x init ${INITS.join(", ")}; ${NUM_CHAINS} chains x (${NUM_WARMUP} + ${NUM_SAMPLES}), seeds ${SEEDS.join(",")}, target 0.8, depth 10`,
  );
  const rows: Row[] = [];
  for (const definition of definitions) {
    const data = definition.loadData();
    const target = potential(definition.model, [data]);
    for (const adaptation of ADAPTATIONS) {
      for (const init of INITS) {
        for (const seed of SEEDS) {
          const label = `${definition.posterior} ${adaptation} ${init} seed ${seed}`;
          process.stderr.write(`${label} ...`);
          const started = performance.now();
          try {
            const row = runCase(definition, data, target, adaptation, init, seed);
            rows.push(row);
            process.stderr.write(
              ` ESS/1k grad ${fmt(row.essPerKiloGradient)} (Stan ${row.stan ? fmt(row.stan.essPerKiloGradient) : "-"}), warmup grad ${fmt(row.warmupGradients, 0)}, ${row.passed ? "pass" : `FAIL ${row.failures}`} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
            );
          } catch (error) {
            const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
            rows.push({
              posterior: definition.posterior,
              adaptation,
              init,
              seed,
              warmupGradients: 0,
              samplingGradients: 0,
              minEss: 0,
              essPerKiloGradient: 0,
              essPerChainSecond: 0,
              divergences: 0,
              settledAt: 0,
              passed: false,
              failures: "",
              error: message,
            });
            process.stderr.write(` ERROR ${message}\n`);
          }
        }
      }
    }
  }
  console.log("");
  printTable(rows);
  printSummary(rows);
  console.log(
    "\nwarmup grad: every evaluation of the potential before the first sampling iteration (initial point, step-size searches, Pathfinder); " +
      "ESS: minimum bulk ESS over the reference scalars; ESS/chain-s: min ESS / summed warmup and sampling seconds of the chains; " +
      "settled at: warmup iterations after which step size (within 20%) and metric (within 50% per coordinate) stayed near their final values; " +
      "pass: the reference rule of tests/oracles/posteriordb (gate: R-hat <= 1.01, ESS >= 400, no divergence; |z| <= 4.5). " +
      "Stan: rstan 2.21 at its default control, from ../shared/peers/results/posteriordb.",
  );
  if (JSON_OUT !== undefined) {
    mkdirSync(dirname(resolve(JSON_OUT)), { recursive: true });
    writeFileSync(JSON_OUT, JSON.stringify(rows, null, 2));
  }
}

await main();
