import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArgumentError } from "../../src/errors.js";
import { chainsToRun, parseCmdStanCSV, readCmdStanCSV } from "../../src/io/cmdstan-csv-read.js";
import {
  cmdstanCSVPaths,
  formatCmdStanCSV,
  formatSeconds,
  toCmdStanCSV,
} from "../../src/io/cmdstan-csv-write.js";
import { cmdstanColumns, parseCmdstanColumn } from "../../src/io/cmdstan-names.js";
import { formatNumber, parseNumber } from "../../src/io/number-text.js";
import { ar1Run } from "./fixture.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tyche-csv-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("CmdStan column names", () => {
  it("orders container elements column-major with 1-based indices", () => {
    expect(cmdstanColumns("mu", []).map((c) => c.name)).toEqual(["mu"]);
    expect(cmdstanColumns("theta", [3]).map((c) => c.name)).toEqual([
      "theta.1",
      "theta.2",
      "theta.3",
    ]);
    const sigma = cmdstanColumns("Sigma", [2, 3]);
    expect(sigma.map((c) => c.name)).toEqual([
      "Sigma.1.1",
      "Sigma.2.1",
      "Sigma.1.2",
      "Sigma.2.2",
      "Sigma.1.3",
      "Sigma.2.3",
    ]);
    // Row-major offsets of [i, j] in a 2 x 3 array are 3 i + j.
    expect(sigma.map((c) => c.offset)).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it("parses names back to sites and 0-based indices", () => {
    expect(parseCmdstanColumn("Sigma.2.1")).toEqual({ site: "Sigma", index: [1, 0] });
    expect(parseCmdstanColumn("mu")).toEqual({ site: "mu", index: [] });
    expect(parseCmdstanColumn("left/mu")).toEqual({ site: "left/mu", index: [] });
  });
});

describe("number text", () => {
  it("round-trips every float64 through its shortest decimal", () => {
    const values = [
      0.1,
      1 / 3,
      -2.5e-310,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      123456789.12345679,
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ];
    for (const x of values) expect(Object.is(parseNumber(formatNumber(x)), x)).toBe(true);
    expect(formatNumber(Number.NaN)).toBe("nan");
    expect(formatNumber(Number.NEGATIVE_INFINITY)).toBe("-inf");
    expect(parseNumber("abc")).toBeUndefined();
    expect(parseNumber("")).toBeUndefined();
    expect(parseNumber("1e5x")).toBeUndefined();
  });

  it("writes times in fixed notation (rstan keeps only digits and dots)", () => {
    expect(formatSeconds(1e-7)).toBe("0");
    expect(formatSeconds(0.0001234)).toBe("0.000123");
    expect(formatSeconds(12)).toBe("12");
  });
});

describe("toCmdStanCSV / readCmdStanCSV", () => {
  it("writes one file per chain with CmdStan's names", () => {
    expect(cmdstanCSVPaths("out/eight_schools.csv", 2)).toEqual([
      "out/eight_schools_1.csv",
      "out/eight_schools_2.csv",
    ]);
    expect(cmdstanCSVPaths("out/run", 1)).toEqual(["out/run_1.csv"]);
  });

  it("lays the file out as CmdStan does", () => {
    const run = ar1Run({ numChains: 2, numDraws: 5 });
    const lines = formatCmdStanCSV(run, 1).split("\n").slice(0, -1);
    const header = lines.findIndex((l) => !l.startsWith("#"));
    expect(lines[header]).toBe(
      "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__," +
        "mu,theta.1,theta.2,theta.3,Sigma.1.1,Sigma.2.1,Sigma.1.2,Sigma.2.2,Sigma.1.3,Sigma.2.3",
    );
    const config = lines.slice(0, header);
    expect(config).toContain("# method = sample");
    expect(config).toContain("#     num_samples = 5");
    expect(config).toContain("#     num_warmup = 150");
    expect(config).toContain("#     save_warmup = 0");
    expect(config).toContain("#     thin = 1");
    expect(config).toContain("#     algorithm = hmc");
    expect(config).toContain("#         engine = nuts");
    expect(config).toContain("#             max_depth = 10");
    expect(config).toContain("#         metric = diag_e");
    expect(config).toContain("# id = 2");
    expect(config).toContain("#   seed = 1234");
    expect(lines.slice(header + 1, header + 5)).toEqual([
      "# Adaptation terminated",
      "# Step size = 0.6",
      "# Diagonal elements of inverse mass matrix:",
      `# ${run.metadata.inverseMetric[1].join(", ")}`,
    ]);
    const draws = lines.slice(header + 5, header + 10);
    expect(draws.every((l) => l.split(",").length === 17)).toBe(true);
    expect(lines.slice(header + 10)).toEqual([
      "# ",
      "#  Elapsed Time: 1.125 seconds (Warm-up)",
      "#                1.25 seconds (Sampling)",
      "#                2.375 seconds (Total)",
      "# ",
    ]);
  });

  it("round-trips draws, statistics and metadata exactly", async () => {
    const run = ar1Run({ numChains: 3, numDraws: 40 });
    const paths = await toCmdStanCSV(run, join(dir, "roundtrip.csv"));
    expect(paths).toEqual([1, 2, 3].map((k) => join(dir, `roundtrip_${k}.csv`)));
    const back = await readCmdStanCSV(paths);
    expect(Object.keys(back.samples)).toEqual(["mu", "theta", "Sigma"]);
    for (const [name, draws] of Object.entries(run.samples)) {
      expect(back.samples[name].shape).toEqual(draws.shape);
      expect(back.samples[name].data).toEqual(draws.data);
    }
    expect(Object.keys(back.extra).sort()).toEqual(Object.keys(run.extra).sort());
    for (const [name, draws] of Object.entries(run.extra)) {
      expect(back.extra[name]).toEqual(draws);
    }
    expect(back.metadata).toEqual(run.metadata);
  });

  it("round-trips a dense metric, thinning and non-finite values", async () => {
    const run = ar1Run({ numChains: 2, numDraws: 6, metric: "dense_e" });
    run.metadata.thinning = 2;
    run.metadata.numSamples = 12;
    run.metadata.algorithm = "HMC";
    delete run.metadata.maxTreeDepth; // static HMC has no tree
    run.samples.mu.data[3] = Number.NaN;
    run.samples.mu.data[4] = Number.NEGATIVE_INFINITY;
    run.samples.theta.data[0] = -0;
    const paths = await toCmdStanCSV(run, join(dir, "dense"));
    const text = await readFile(paths[0], "utf8");
    expect(text).toContain("# Elements of inverse mass matrix:");
    expect(text).toContain("#         engine = static");
    const back = await readCmdStanCSV(paths);
    expect(back.metadata).toEqual(run.metadata);
    expect(back.samples.mu.data).toEqual(run.samples.mu.data);
    expect(Object.is(back.samples.theta.data[0], -0)).toBe(true);
  });

  it("reports the iterations a cancelled run's draws cover, and zeros for a missing lp", () => {
    const run = ar1Run({ numChains: 1, numDraws: 30 });
    run.metadata.numSamples = 100; // cancelled after 30 of 100 draws
    run.metadata.thinning = 2;
    delete run.extra.lp;
    delete run.extra.energy;
    const text = formatCmdStanCSV(run, 0);
    expect(text).toContain("#     num_samples = 60\n");
    expect(text).toContain(
      "\nlp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,mu,",
    );
    const row = text.split("\n").find((l) => /^-?\d/.test(l))!;
    expect(row.startsWith("0,")).toBe(true);
  });

  it("takes lp__ from -potentialEnergy when a run has no lp (MCMC.getExtraFields)", () => {
    const run = ar1Run({ numChains: 1, numDraws: 3 });
    const lp = run.extra.lp;
    delete run.extra.lp;
    run.extra.potentialEnergy = { shape: lp.shape, data: lp.data.map((v) => -v) };
    const back = chainsToRun([parseCmdStanCSV(formatCmdStanCSV(run, 0))]);
    expect(back.extra.lp).toEqual(lp);
  });

  it("writes bare samples as CmdStan's fixed_param sampler does", async () => {
    const { samples } = ar1Run({ numChains: 2, numDraws: 4 });
    const text = formatCmdStanCSV(samples, 0);
    expect(text).toContain("#     algorithm = fixed_param");
    expect(text).not.toContain("Adaptation terminated");
    expect(text).toContain("\nlp__,accept_stat__,mu,theta.1,");
    const back = await readCmdStanCSV(await toCmdStanCSV(samples, join(dir, "bare.csv")));
    expect(back.samples.Sigma).toEqual(samples.Sigma);
    expect(back.extra.lp.data.every((x) => x === 0)).toBe(true);
  });

  it("reads CmdStan's own layout, skipping saved warmup draws", () => {
    const text = [
      "# model = two_params_model",
      "# method = sample (Default)",
      "#   sample",
      "#     num_samples = 3",
      "#     num_warmup = 4",
      "#     save_warmup = true",
      "#     thin = 2",
      "#     algorithm = hmc (Default)",
      "#       hmc",
      "#         engine = nuts (Default)",
      "#         metric = diag_e (Default)",
      "lp__,accept_stat__,a,b.1,b.2",
      "-9,0.5,100,100,100",
      "-9,0.5,100,100,100",
      "# Adaptation terminated",
      "# Step size = 0.75",
      "# Diagonal elements of inverse mass matrix:",
      "# 0.5, 0.25, 2",
      "-1.5,0.9,1,2,3",
      "-2.5,0.8,4,5,6",
      "# ",
      "#  Elapsed Time: 0.012 seconds (Warm-up)",
      "#                0.003 seconds (Sampling)",
      "#                0.015 seconds (Total)",
      "# ",
      "",
    ].join("\n");
    const chain = parseCmdStanCSV(text);
    expect(chain.numDraws).toBe(2);
    expect(Array.from(chain.values)).toEqual([-1.5, 0.9, 1, 2, 3, -2.5, 0.8, 4, 5, 6]);
    expect(chain.stepSize).toBe(0.75);
    expect(chain.inverseMetric).toEqual([0.5, 0.25, 2]);
    expect(chain.warmupSeconds).toBe(0.012);
    expect(chain.samplingSeconds).toBe(0.003);
    expect(chain.config.model).toBe("two_params_model");
    expect(chain.config.metric).toBe("diag_e");
  });

  it("names the API, the argument and the problem in its errors", async () => {
    const run = ar1Run({ numChains: 1, numDraws: 3 });
    run.samples["bad.name"] = run.samples.mu;
    expect(() => formatCmdStanCSV(run, 0)).toThrow(/toCmdStanCSV: site names .* got "bad\.name"/);
    const ragged = ar1Run({ numChains: 1, numDraws: 3 });
    ragged.samples.theta = { shape: [1, 2, 3], data: new Float64Array(6) };
    expect(() => formatCmdStanCSV(ragged, 0)).toThrow(ArgumentError);
    expect(() => formatCmdStanCSV(ragged, 0)).toThrow(/same \[numChains, numDraws\]/);
    expect(() => parseCmdStanCSV("lp__,a\n1,2\n3\n", "x.csv")).toThrow(
      /readCmdStanCSV: x\.csv line 3 must have 2 fields, got 1/,
    );
    expect(() => parseCmdStanCSV("lp__,a\n1,zz\n", "x.csv")).toThrow(
      /must have a number, got "zz"/,
    );
    await expect(readCmdStanCSV([])).rejects.toThrow(/at least one CSV file/);
  });
});
