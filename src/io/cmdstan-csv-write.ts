/**
 * Writes MCMC draws in CmdStan's CSV layout (Stan CSV File Format, CmdStan guide), one file
 * per chain, so that `arviz.from_cmdstan`, `rstan::read_stan_csv`, `posterior`, cmdstanpy and
 * cmdstanr read them:
 *
 *   # configuration header (`key = value`, indented as CmdStan does)
 *   lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,mu,theta.1,...
 *   # Adaptation terminated / # Step size = ... / # Diagonal elements of inverse mass matrix: / # ...
 *   draws, one row per draw
 *   # Elapsed Time: ... seconds (Warm-up) / (Sampling) / (Total)
 *
 * Values are written as the shortest decimal that reads back as the same float64 (at most 17
 * significant digits), not CmdStan's default 6 or 8, so a write-read round trip is exact.
 * Times are written in fixed notation because rstan strips every character but digits and
 * dots from them. `save_warmup` is written `0` (CmdStan before 2.33), which rstan 2.21 and
 * ArviZ parse as an integer; `false` breaks both. Plain string building is used rather than a
 * CSV library: every field is a number or an identifier, so nothing needs quoting, and the
 * comment lines inside the table are not something general CSV writers produce.
 */
import { ArgumentError } from "../errors.js";
import type { Draws } from "../infer/draws.js";
import { checkColumnSiteName, cmdstanColumns } from "./cmdstan-names.js";
import { formatNumber } from "./number-text.js";
import {
  type ChainLayout,
  type ChainSamples,
  chainLayout,
  isMcmcRun,
  type McmcRun,
  type RunLike,
  resolveRun,
  type SamplerStatName,
  samplerStatColumns,
} from "./samples.js";

const api = "toCmdStanCSV";

/**
 * The file names for the chains of a run written to `path`: CmdStan's rule for multiple
 * chains, `output.csv` (or `output`) becomes `output_1.csv`, `output_2.csv`, ... The suffix is
 * added even for a single chain, so the names never depend on the number of chains.
 *
 * @example
 * cmdstanCSVPaths("out/eight_schools.csv", 2); // ["out/eight_schools_1.csv", "out/eight_schools_2.csv"]
 */
export function cmdstanCSVPaths(path: string, numChains: number): string[] {
  const base = path.endsWith(".csv") ? path.slice(0, -4) : path;
  return Array.from({ length: numChains }, (_, c) => `${base}_${c + 1}.csv`);
}

/**
 * Writes one CmdStan CSV file per chain and returns their paths (see `cmdstanCSVPaths`).
 * `lp__` is `run.extra.lp`, or `-run.extra.potentialEnergy` when only that is given.
 * Given bare samples rather than a run, writes them as CmdStan's `fixed_param` sampler does:
 * `lp__` and `accept_stat__` columns of zeros and no adaptation block.
 *
 * @example
 * const paths = await toCmdStanCSV(run, "out/eight_schools.csv");
 * // ["out/eight_schools_1.csv", ...]; in R: rstan::read_stan_csv(paths)
 */
export async function toCmdStanCSV(source: RunLike, path: string): Promise<string[]> {
  const run = resolveRun(source);
  if (typeof path !== "string" || path.length === 0) {
    throw new ArgumentError({
      api,
      argument: "path",
      message: `${api}: path must be a non-empty file path or prefix, got ${JSON.stringify(path)}`,
    });
  }
  const layout = chainLayout(isMcmcRun(run) ? run.samples : run, api);
  const paths = cmdstanCSVPaths(path, layout.numChains);
  const { mkdir, writeFile } = await import("node:fs/promises");
  const { dirname, basename } = await import("node:path");
  await mkdir(dirname(paths[0]), { recursive: true });
  for (let chain = 0; chain < layout.numChains; chain++) {
    await writeFile(paths[chain], formatCmdStanCSV(run, chain, basename(paths[chain])));
  }
  return paths;
}

/**
 * The text of one chain's CmdStan CSV file (what `toCmdStanCSV` writes), for use where there
 * is no file system.
 *
 * @example
 * const text = formatCmdStanCSV(run, 0); // "# model = ...\n...lp__,accept_stat__,...\n"
 */
export function formatCmdStanCSV(
  run: McmcRun | ChainSamples,
  chain: number,
  fileName = `output_${chain + 1}.csv`,
): string {
  const samples = isMcmcRun(run) ? run.samples : run;
  const layout = chainLayout(samples, api);
  if (!Number.isInteger(chain) || chain < 0 || chain >= layout.numChains) {
    throw new ArgumentError({
      api,
      argument: "chain",
      message: `${api}: chain must be an integer in [0, ${layout.numChains - 1}], got ${chain}`,
    });
  }
  const stats = isMcmcRun(run) ? statColumns(run, layout) : fixedParamColumns(layout);
  const siteColumns = Object.entries(samples).flatMap(([site, draws]) => {
    checkColumnSiteName(site, api);
    const siteShape = draws.shape.slice(2);
    const perDraw = draws.data.length / (layout.numChains * layout.numDraws);
    return cmdstanColumns(site, siteShape).map((c) => ({
      name: c.name,
      data: draws.data,
      start: chain * layout.numDraws * perDraw + c.offset,
      stride: perDraw,
    }));
  });
  const columns = [
    ...stats.map((s) => ({
      name: s.name,
      data: s.data,
      start: chain * layout.numDraws,
      stride: 1,
    })),
    ...siteColumns,
  ];

  const lines: string[] = [];
  lines.push(...configurationLines(run, layout, chain, fileName));
  lines.push(columns.map((c) => c.name).join(","));
  if (isMcmcRun(run)) lines.push(...adaptationLines(run, chain));
  const row = new Array<string>(columns.length);
  for (let d = 0; d < layout.numDraws; d++) {
    for (let k = 0; k < columns.length; k++) {
      const c = columns[k];
      row[k] = formatNumber(c.data[c.start + d * c.stride]);
    }
    lines.push(row.join(","));
  }
  lines.push(...timingLines(run, chain));
  return `${lines.join("\n")}\n`;
}

interface StatColumn {
  name: string;
  data: Float64Array;
}

function statColumns(run: McmcRun, layout: ChainLayout): StatColumn[] {
  const columns: StatColumn[] = [];
  for (const [stat, column] of Object.entries(samplerStatColumns) as [SamplerStatName, string][]) {
    const draws = stat === "lp" ? lpDraws(run, layout) : run.extra[stat];
    if (draws === undefined) continue;
    if (
      draws.shape.length !== 2 ||
      draws.shape[0] !== layout.numChains ||
      draws.shape[1] !== layout.numDraws ||
      draws.data.length !== numStatValues(layout)
    ) {
      throw new ArgumentError({
        api,
        argument: `extra.${stat}`,
        message: `${api}: extra.${stat} must have shape [numChains, numDraws] = [${layout.numChains}, ${layout.numDraws}], got [${draws.shape.join(", ")}] with ${draws.data.length} values`,
      });
    }
    columns.push({ name: column, data: draws.data });
  }
  return columns;
}

/**
 * lp__: `extra.lp`, else the negated `extra.potentialEnergy` (the driver's U = -lp), else
 * zeros as CmdStan's fixed_param writes, since lp__ is the one column every reader expects.
 */
function lpDraws(run: McmcRun, layout: ChainLayout): Draws {
  if (run.extra.lp !== undefined) return run.extra.lp;
  const potentialEnergy = run.extra.potentialEnergy;
  if (potentialEnergy !== undefined) {
    return {
      shape: potentialEnergy.shape,
      data: Float64Array.from(potentialEnergy.data, (u) => -u),
    };
  }
  return {
    shape: [layout.numChains, layout.numDraws],
    data: new Float64Array(numStatValues(layout)),
  };
}

function fixedParamColumns(layout: ChainLayout): StatColumn[] {
  const zeros = new Float64Array(numStatValues(layout));
  return [
    { name: samplerStatColumns.lp, data: zeros },
    { name: samplerStatColumns.acceptProb, data: zeros },
  ];
}

function numStatValues(layout: ChainLayout): number {
  return layout.numChains * layout.numDraws;
}

function configurationLines(
  run: McmcRun | ChainSamples,
  layout: ChainLayout,
  chain: number,
  fileName: string,
): string[] {
  if (!isMcmcRun(run)) {
    return [
      "# model = tyche_model",
      "# method = sample",
      "#   sample",
      `#     num_samples = ${layout.numDraws}`,
      "#     num_warmup = 0",
      "#     save_warmup = 0",
      "#     thin = 1",
      "#     adapt",
      "#       engaged = 0",
      "#     algorithm = fixed_param",
      `#     num_chains = ${layout.numChains}`,
      `# id = ${chain + 1}`,
      "# output",
      `#   file = ${fileName}`,
      "# writer = tyche",
    ];
  }
  const m = run.metadata;
  // Readers expect ceil(num_samples / thin) draws (rstan warns and resets otherwise). A run
  // cancelled early holds fewer: then report the iterations its draws actually cover.
  const numSamples =
    Math.ceil(m.numSamples / m.thinning) === layout.numDraws
      ? m.numSamples
      : layout.numDraws * m.thinning;
  const lines = [
    `# model = ${sanitize(m.model ?? "tyche_model")}`,
    "# method = sample",
    "#   sample",
    `#     num_samples = ${numSamples}`,
    `#     num_warmup = ${m.numWarmup}`,
    "#     save_warmup = 0",
    `#     thin = ${m.thinning}`,
    "#     adapt",
    `#       engaged = ${m.numWarmup > 0 ? 1 : 0}`,
  ];
  if (m.targetAcceptProb !== undefined) {
    lines.push(`#       delta = ${formatNumber(m.targetAcceptProb)}`);
  }
  lines.push("#     algorithm = hmc", "#       hmc");
  if (m.algorithm === "NUTS") {
    lines.push("#         engine = nuts", "#           nuts");
    if (m.maxTreeDepth !== undefined) lines.push(`#             max_depth = ${m.maxTreeDepth}`);
  } else {
    lines.push("#         engine = static");
  }
  lines.push(
    `#         metric = ${m.metric}`,
    `#     num_chains = ${layout.numChains}`,
    `# id = ${chain + 1}`,
  );
  if (m.seed !== undefined) lines.push("# random", `#   seed = ${m.seed}`);
  lines.push("# output", `#   file = ${fileName}`, "# writer = tyche");
  return lines;
}

function adaptationLines(run: McmcRun, chain: number): string[] {
  const m = run.metadata;
  const stepSize = m.stepSize[chain];
  const inverseMetric = m.inverseMetric[chain];
  if (stepSize === undefined || inverseMetric === undefined) {
    throw new ArgumentError({
      api,
      argument: "metadata",
      message: `${api}: metadata.stepSize and metadata.inverseMetric must have an entry for chain ${chain}, got ${m.stepSize.length} step sizes and ${m.inverseMetric.length} metrics`,
    });
  }
  const lines = ["# Adaptation terminated", `# Step size = ${formatNumber(stepSize)}`];
  if (m.metric === "diag_e") {
    lines.push("# Diagonal elements of inverse mass matrix:");
    lines.push(`# ${inverseMetric.map(formatNumber).join(", ")}`);
  } else {
    const dim = Math.round(Math.sqrt(inverseMetric.length));
    if (dim * dim !== inverseMetric.length) {
      throw new ArgumentError({
        api,
        argument: "metadata.inverseMetric",
        message: `${api}: a dense_e inverse metric must have dim * dim entries, got ${inverseMetric.length} for chain ${chain}`,
      });
    }
    lines.push("# Elements of inverse mass matrix:");
    for (let i = 0; i < dim; i++) {
      lines.push(
        `# ${inverseMetric
          .slice(i * dim, (i + 1) * dim)
          .map(formatNumber)
          .join(", ")}`,
      );
    }
  }
  return lines;
}

function timingLines(run: McmcRun | ChainSamples, chain: number): string[] {
  const warmup = isMcmcRun(run) ? (run.metadata.warmupSeconds[chain] ?? 0) : 0;
  const sampling = isMcmcRun(run) ? (run.metadata.samplingSeconds[chain] ?? 0) : 0;
  return [
    "# ",
    `#  Elapsed Time: ${formatSeconds(warmup)} seconds (Warm-up)`,
    `#                ${formatSeconds(sampling)} seconds (Sampling)`,
    `#                ${formatSeconds(warmup + sampling)} seconds (Total)`,
    "# ",
  ];
}

/**
 * Seconds in fixed notation with up to six decimals and no trailing zeros.
 *
 * @example
 * formatSeconds(0.0001234); // "0.000123"
 */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "0";
  return seconds.toFixed(6).replace(/\.?0+$/, "");
}

/** A header value on one line without '=' or '#' that would confuse the `key = value` parsers. */
function sanitize(value: string): string {
  return value.replace(/[\r\n=#]+/g, "_");
}
