/**
 * Tyche against Stan (rstan), in the same run, on the three models of ../shared/peers:
 * eight schools non-centred and logistic regression 5000 x 20 (4 chains x (1000 + 1000)), and
 * the marginal HMM of the PyMC/JAX notebook (2 chains x (1000 + 1000)). For each: wall and
 * chain times, min bulk ESS, ESS per second of sampling wall time and of total time, leapfrog
 * steps per draw, and the ratio Tyche / Stan. Not part of the tests; run with
 * `npx tsx bench/vs-stan.ts` (add model names to run only those: eight, logistic, hmm).
 * Without Rscript and rstan it runs Tyche alone and says so.
 *
 * The first summary is the per-core table (min bulk ESS per summed chain-second, ratio Tyche /
 * Stan; issue 17's goal is >= 1.5 on all three), then the time to first draw (from run() to
 * the first warmup iteration) with the workers' start-up, then ESS per second of wall time.
 * Run with TYCHE_SHARED pointing at the shared folder when it is not ../shared.
 *
 * Tyche runs twice per model: chains one after another in this thread ("sequential"), and in
 * worker threads ("parallel", as Stan's cores = 2 runs them in processes). The goal is Tyche's
 * ESS/s >= Stan's on all three.
 *
 * Times: "sampling wall" is, for Stan, rstan's sampling() call (its chains, forked on 2 cores;
 * the model is compiled, or loaded from cache, before); for Tyche, MCMC.run (building and
 * compiling the potential, worker start-up, chains, post-processing) and getSamples. "total" is,
 * for Stan, the whole Rscript process (R start-up, package loading, compile or cache load,
 * sampling, summary); for Tyche, from loading the data to the summary's diagnostics. "chains" is
 * the sum over chains of their warmup and sampling seconds.
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { MCMC, NUTS, PRNGKey } from "../src/index.js";
import { chainWorkerEntry } from "../src/infer/mcmc/worker-entry.js";
import { eightSchoolsNoncentered } from "../validation/models/eight-schools-noncentered.js";
import {
  hmm,
  loadHmmData,
  loadLogisticData,
  logisticRegression,
  runStan,
  type StanResult,
  sharedDir,
  stanAvailability,
} from "./peers.js";

// --- Cases -----------------------------------------------------------------------------------

interface BenchCase {
  readonly name: string;
  readonly stanFile: string;
  readonly stanData: string;
  readonly chains: number;
  readonly run: (chainMethod: "sequential" | "parallel") => Promise<TycheResult>;
}

const peers = resolve(sharedDir, "peers");

const CASES: readonly BenchCase[] = [
  {
    name: "eight schools (non-centred)",
    stanFile: resolve(peers, "eight_schools_noncentered.stan"),
    stanData: resolve(sharedDir, "posteriordb/eight_schools-eight_schools_noncentered/data.json"),
    chains: 4,
    run: (method) =>
      runTyche(eightSchoolsNoncentered.model, () => eightSchoolsNoncentered.loadData(), 4, method),
  },
  {
    name: "logistic regression 5000x20",
    stanFile: resolve(peers, "logistic_regression.stan"),
    stanData: resolve(sharedDir, "data/logistic_5000x20.json"),
    chains: 4,
    run: (method) => runTyche(logisticRegression, loadLogisticData, 4, method),
  },
  {
    name: "HMM (PyMC notebook)",
    stanFile: resolve(peers, "hmm.stan"),
    stanData: resolve(peers, "hmm_stan_data.json"),
    chains: 2,
    run: (method) => runTyche(hmm, loadHmmData, 2, method),
  },
];

// --- Tyche -----------------------------------------------------------------------------------

interface TycheResult {
  readonly samplingWallSeconds: number;
  readonly totalSeconds: number;
  readonly chainSeconds: number;
  readonly warmupSeconds: number;
  readonly samplingSeconds: number;
  /** Seconds of run() outside the chains: potential, workers, post-processing. */
  readonly overheadSeconds: number;
  readonly minEssBulk: number;
  readonly maxRhat: number;
  readonly divergences: number;
  readonly leapfrogPerDraw: number;
  readonly engine: string;
  /** From run() to the first warmup iteration (MCMC.timings.initSeconds). */
  readonly initSeconds: number;
  /** Parallel runs: from starting the workers to the first one ready (MCMC.timings). */
  readonly workerStartSeconds?: number;
}

async function runTyche<D>(
  model: (data: D) => Generator<any, unknown, unknown>,
  loadData: () => D,
  numChains: number,
  chainMethod: "sequential" | "parallel",
): Promise<TycheResult> {
  const start = performance.now();
  const data = loadData();
  const mcmc = new MCMC(new NUTS(model), {
    numWarmup: 1000,
    numSamples: 1000,
    numChains,
    chainMethod,
    progressBar: false,
  });
  const runStart = performance.now();
  await mcmc.run(PRNGKey(1), data);
  mcmc.getSamples();
  const samplingWallSeconds = (performance.now() - runStart) / 1000;
  const rows = Object.values(mcmc.summary());
  const totalSeconds = (performance.now() - start) / 1000;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const warmupSeconds = sum(mcmc.timings.warmupSeconds);
  const samplingSeconds = sum(mcmc.timings.samplingSeconds);
  // Parallel chains share the pool's workers (one per core, at most one per chain), each
  // running its chains one after another: the chains' wall time is about their summed time
  // over the workers.
  const workers = Math.min(numChains, availableParallelism());
  const chainWall =
    chainMethod === "parallel"
      ? (warmupSeconds + samplingSeconds) / workers
      : warmupSeconds + samplingSeconds;
  const { numSteps } = mcmc.getExtraFields();
  return {
    samplingWallSeconds,
    totalSeconds,
    chainSeconds: warmupSeconds + samplingSeconds,
    warmupSeconds,
    samplingSeconds,
    overheadSeconds: samplingWallSeconds - chainWall,
    minEssBulk: Math.min(...rows.map((r) => r.essBulk)),
    maxRhat: Math.max(...rows.map((r) => r.rhat)),
    divergences: mcmc.numDivergences,
    leapfrogPerDraw: sum(Array.from(numSteps.data)) / numSteps.data.length,
    engine: mcmc.potential.engine,
    initSeconds: mcmc.timings.initSeconds,
    workerStartSeconds: mcmc.timings.workerStartSeconds,
  };
}

// --- Report ----------------------------------------------------------------------------------

interface Row {
  readonly label: string;
  readonly samplingWall: number;
  readonly total: number;
  readonly chains: number;
  readonly minEss: number;
  readonly maxRhat: number;
  readonly divergences: number;
  readonly leapfrog: number;
  readonly note: string;
  /** Tyche's runs: what MCMC.timings says of start-up. */
  readonly tyche?: TycheResult;
}

function stanRow(result: StanResult): Row {
  const { run } = result;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    label: `Stan (cores ${run.cores})`,
    samplingWall: run.sample_wall_s,
    total: result.processSeconds,
    chains: sum(run.warmup_s_per_chain) + sum(run.sampling_s_per_chain),
    minEss: run.min_ess_bulk,
    maxRhat: run.max_rhat,
    divergences: run.divergent,
    leapfrog: run.mean_leapfrog,
    note: `compile/load ${run.compile_s.toFixed(1)} s`,
  };
}

function tycheRow(method: string, r: TycheResult): Row {
  return {
    label: `Tyche (${method})`,
    samplingWall: r.samplingWallSeconds,
    total: r.totalSeconds,
    chains: r.chainSeconds,
    minEss: r.minEssBulk,
    maxRhat: r.maxRhat,
    divergences: r.divergences,
    leapfrog: r.leapfrogPerDraw,
    note: `warmup ${r.warmupSeconds.toFixed(1)} s + sampling ${r.samplingSeconds.toFixed(1)} s; outside chains ${r.overheadSeconds.toFixed(1)} s; first iteration after ${r.initSeconds.toFixed(2)} s${r.workerStartSeconds === undefined ? "" : ` (workers ready after ${r.workerStartSeconds.toFixed(2)} s)`}; ${r.engine}`,
    tyche: r,
  };
}

function printCase(name: string, rows: Row[], stan: Row | undefined): void {
  const header = [
    "",
    "sampling wall s",
    "total s",
    "chains s",
    "min ESS_b",
    "ESS/s wall",
    "ESS/s total",
    "ESS/chain-s",
    "ratio wall",
    "ratio total",
    "ratio chain",
    "leapfrog/draw",
    "max R-hat",
    "div",
    "notes",
  ];
  const cells = rows.map((r) => {
    const perWall = r.minEss / r.samplingWall;
    const perTotal = r.minEss / r.total;
    const perChain = r.minEss / r.chains;
    const ratio = (mine: number, theirs: number) =>
      stan === undefined || r === stan ? "" : (mine / theirs).toFixed(2);
    return [
      r.label,
      r.samplingWall.toFixed(2),
      r.total.toFixed(2),
      r.chains.toFixed(2),
      r.minEss.toFixed(0),
      perWall.toFixed(1),
      perTotal.toFixed(1),
      perChain.toFixed(1),
      stan ? ratio(perWall, stan.minEss / stan.samplingWall) : "",
      stan ? ratio(perTotal, stan.minEss / stan.total) : "",
      stan ? ratio(perChain, stan.minEss / stan.chains) : "",
      r.leapfrog.toFixed(2),
      r.maxRhat.toFixed(3),
      String(r.divergences),
      r.note,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i])).join(" | ")} |`;
  console.log(`\n${name}`);
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const c of cells) console.log(line(c));
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2).map((a) => a.toLowerCase());
  const cases = CASES.filter(
    (c) => filters.length === 0 || filters.some((f) => c.name.toLowerCase().includes(f)),
  );
  // From the sources, the workers' bundle is built on first use (then cached): build it now, so
  // that the parallel runs time start-up as a built package has it.
  const bundleStart = performance.now();
  await chainWorkerEntry([]);
  console.log(
    `vs-stan: the chain workers' bundle is ready (${((performance.now() - bundleStart) / 1000).toFixed(2)} s: built or found in node_modules/.cache/tyche)`,
  );
  const stan = stanAvailability();
  if (!stan.available) {
    console.log(`vs-stan: skipping Stan (${stan.reason}); Tyche alone.`);
  }
  console.log(
    "ESS/s wall = min bulk ESS / sampling wall time; ESS/s total = min bulk ESS / total time; " +
      "ESS/chain-s = min bulk ESS / summed chain seconds (work per ESS, apart from parallelism and start-up); " +
      "ratio = Tyche / Stan (> 1: Tyche better).",
  );
  const summary: string[][] = [];
  const perCore: string[][] = [];
  const startUp: string[] = [];
  for (const c of cases) {
    const rows: Row[] = [];
    let stanResult: Row | undefined;
    if (stan.available) {
      process.stderr.write(`vs-stan: ${c.name}: Stan ...\n`);
      stanResult = stanRow(
        runStan(c.stanFile, c.stanData, {
          chains: c.chains,
          warmup: 1000,
          samples: 1000,
          seed: 1,
          cores: 2,
        }),
      );
      rows.push(stanResult);
    }
    for (const method of ["sequential", "parallel"] as const) {
      process.stderr.write(`vs-stan: ${c.name}: Tyche (${method}) ...\n`);
      rows.push(tycheRow(method, await c.run(method)));
    }
    printCase(c.name, rows, stanResult);
    summary.push(summaryLine(c.name, rows, stanResult));
    perCore.push(perCoreLine(c.name, rows, stanResult));
    startUp.push(startUpLine(c.name, rows));
  }
  printPerCore(perCore, stan.available);
  console.log(`\nTime to first draw (run() to the first warmup iteration; worker start-up):`);
  for (const l of startUp) console.log(`  ${l}`);
  printSummary(summary, stan.available);
  const { loadavg, cpus } = await import("node:os");
  console.log(
    `\n(load average at the end ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")} on ${cpus().length} cores)`,
  );
}

/**
 * One model's line of the per-core table: min bulk ESS per summed chain-second (work per ESS,
 * apart from parallelism and process start-up) of Stan and of Tyche's sequential and parallel
 * runs, with the ratios Tyche / Stan.
 */
function perCoreLine(name: string, rows: Row[], stan: Row | undefined): string[] {
  const perChain = (r: Row) => r.minEss / r.chains;
  const tyche = rows.filter((r) => r !== stan);
  const cells = tyche.flatMap((r) => [
    perChain(r).toFixed(1),
    stan === undefined ? "-" : (perChain(r) / perChain(stan)).toFixed(2),
  ]);
  return [name, stan === undefined ? "-" : perChain(stan).toFixed(1), ...cells];
}

function printPerCore(lines: string[][], withStan: boolean): void {
  const header = [
    "model",
    "Stan",
    "Tyche sequential",
    "Tyche / Stan",
    "Tyche parallel",
    "Tyche / Stan",
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i])).join(" | ")} |`;
  console.log("\nPer core: min bulk ESS per summed chain-second (ratio Tyche / Stan; goal >= 1.5)");
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const l of lines) console.log(line(l));
  if (!withStan) console.log("(Stan was not run.)");
}

/** One model's time to first draw, sequential and parallel, and its workers' start-up. */
function startUpLine(name: string, rows: Row[]): string {
  const runs = rows.filter((r) => r.tyche !== undefined);
  const parts = runs.map(
    (r) => `${r.label.replace("Tyche ", "")} ${r.tyche?.initSeconds.toFixed(2)} s`,
  );
  const workers = runs.find((r) => r.tyche?.workerStartSeconds !== undefined)?.tyche
    ?.workerStartSeconds;
  return `${name}: ${parts.join(", ")}${workers === undefined ? "" : `; worker start-up ${workers.toFixed(2)} s`}`;
}

/** One model's line of the closing summary: ESS/s over sampling wall time, and the ratios. */
function summaryLine(name: string, rows: Row[], stan: Row | undefined): string[] {
  const perWall = (r: Row) => r.minEss / r.samplingWall;
  const tyche = rows.filter((r) => r !== stan);
  const cells = tyche.map((r) => {
    const ratio = stan === undefined ? "" : ` (${(perWall(r) / perWall(stan)).toFixed(2)}x)`;
    return `${perWall(r).toFixed(1)}${ratio}`;
  });
  const best = Math.max(...tyche.map(perWall));
  const verdict = stan === undefined ? "" : best >= perWall(stan) ? "yes" : "no";
  return [name, stan === undefined ? "-" : perWall(stan).toFixed(1), ...cells, verdict];
}

function printSummary(lines: string[][], withStan: boolean): void {
  const header = [
    "model",
    "Stan ESS/s",
    "Tyche sequential ESS/s",
    "Tyche parallel ESS/s",
    "Tyche >= Stan",
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i])).join(" | ")} |`;
  console.log("\nSummary: min bulk ESS per second of sampling wall time (ratio Tyche / Stan)");
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const l of lines) console.log(line(l));
  if (!withStan) console.log("(Stan was not run.)");
}

await main();
