/**
 * InferenceData from a fit of eight schools (non-centred), written as Zarr and as JSON, then
 * read by Python: the Zarr store the way az.from_zarr does (zarr.open(...).groups() and
 * xr.open_zarr(path, group=NAME)), the JSON through a re-implementation of az.from_json's
 * from_dict rules (tests/io/inference_data_check.py). Every group must open with the dims and
 * coords toInferenceData was given and with values equal to the MCMC draws bit for bit. Both
 * forms also round-trip through readInferenceData.
 *
 * Needs a python3 with xarray and zarr (Debian python3-xarray python3-zarr); where there is
 * none the Python checks skip with a message, except in CI (CI=true), where they fail.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eightSchools, sigma, y } from "../../examples/browser/eight-schools.js";
import { MCMC, NUTS, PRNGKey } from "../../src/index.js";
import { logLikelihood } from "../../src/infer/index.js";
import {
  type InferenceData,
  readInferenceData,
  toInferenceData,
  writeInferenceData,
} from "../../src/io/index.js";
import { version } from "../../src/version.js";

const script = fileURLToPath(new URL("./inference_data_check.py", import.meta.url));
const schools = ["A", "B", "C", "D", "E", "F", "G", "H"];

/** The first python3 that imports xarray and zarr, or undefined. */
function findPython(): string | undefined {
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    try {
      execFileSync(candidate, ["-c", "import xarray, zarr"], { stdio: "ignore" });
      return candidate;
    } catch {}
  }
  return undefined;
}
const python = findPython();
if (python === undefined) {
  const message =
    "tests/io/inference-data.test.ts: no python3 with xarray and zarr (apt-get install python3-xarray python3-zarr)";
  if (process.env.CI) throw new Error(`${message}; CI must run these checks`);
  console.log(`${message}: the Python checks are skipped`);
}

interface PyVariable {
  dims: string[];
  dtype: string;
  shape: number[];
  values: (number | string | boolean)[];
}
interface PyGroup {
  attrs: Record<string, unknown>;
  coords: Record<string, (number | string)[]>;
  vars: Record<string, PyVariable>;
}
function readWithPython(format: "zarr" | "json", path: string) {
  const text = execFileSync(python as string, [script, format, path], { encoding: "utf8" });
  return JSON.parse(text) as { groups: Record<string, PyGroup>; warnings: string[] };
}
const decode = (v: number | string | boolean) =>
  v === "NaN"
    ? Number.NaN
    : v === "Infinity"
      ? Infinity
      : v === "-Infinity"
        ? -Infinity
        : Number(v);

let dir: string;
let idata: InferenceData;
let samples: Record<string, { shape: number[]; data: Float64Array }>;
let stats: Record<string, { shape: number[]; data: Float64Array }>;
let ll: Record<string, { shape: number[]; data: Float64Array }>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tyche-idata-"));
  const mcmc = new MCMC(new NUTS(eightSchools), {
    numWarmup: 100,
    numSamples: 50,
    numChains: 2,
    chainMethod: "sequential",
    progressBar: false,
  });
  await mcmc.run(PRNGKey(3), sigma, y);
  samples = mcmc.getSamples({ groupByChain: true });
  stats = mcmc.getExtraFields({ groupByChain: true });
  ll = logLikelihood(eightSchools, mcmc.getSamples(), sigma, y);
  idata = toInferenceData(mcmc, {
    logLikelihood: ll,
    observedData: { y },
    constantData: { sigma },
    coords: { school: schools },
    dims: { eta: ["school"], theta: ["school"], y: ["school"], sigma: ["school"] },
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("toInferenceData", () => {
  it("has ArviZ's groups, dims, coords, sample-stat names and attributes", () => {
    expect(Object.keys(idata)).toEqual([
      "posterior",
      "sample_stats",
      "log_likelihood",
      "observed_data",
      "constant_data",
    ]);
    const post = idata.posterior!;
    expect(post.variables.mu.dims).toEqual(["chain", "draw"]);
    expect(post.variables.theta.dims).toEqual(["chain", "draw", "school"]);
    expect(post.variables.theta.shape).toEqual([2, 50, 8]);
    expect(post.coords).toEqual({
      chain: [0, 1],
      draw: Array.from({ length: 50 }, (_, i) => i),
      school: schools,
    });
    expect(Object.keys(idata.sample_stats!.variables).sort()).toEqual(
      ["acceptance_rate", "diverging", "energy", "lp", "n_steps", "step_size", "tree_depth"].sort(),
    );
    expect(idata.sample_stats!.variables.diverging.dtype).toBe("bool");
    expect(idata.sample_stats!.variables.tree_depth.dtype).toBe("int64");
    // lp is the log density: minus MCMC's potential energy.
    const lp = idata.sample_stats!.variables.lp.data;
    stats.potentialEnergy.data.forEach((u, i) => {
      expect(lp[i]).toBe(-u);
    });
    expect(idata.log_likelihood!.variables.y.dims).toEqual(["chain", "draw", "school"]);
    expect(idata.observed_data!.variables.y.dims).toEqual(["school"]);
    for (const group of Object.values(idata)) {
      expect(group!.attrs.inference_library).toBe("tyche");
      expect(group!.attrs.inference_library_version).toBe(version);
      expect(Number.isNaN(Date.parse(String(group!.attrs.created_at)))).toBe(false);
    }
  });

  it("names unnamed dimensions <var>_dim_<k> and refuses coords of the wrong length", () => {
    const plain = toInferenceData({ theta: { shape: [1, 3, 2], data: new Float64Array(6) } });
    expect(plain.posterior!.variables.theta.dims).toEqual(["chain", "draw", "theta_dim_0"]);
    expect(plain.posterior!.coords.theta_dim_0).toEqual([0, 1]);
    expect(() =>
      toInferenceData(
        { theta: { shape: [1, 3, 2], data: new Float64Array(6) } },
        { dims: { theta: ["school"] }, coords: { school: ["a", "b", "c"] } },
      ),
    ).toThrow(
      /coords of "school" have 3 values, but dimension 2 of "theta" in posterior has size 2/,
    );
  });

  it("version.ts matches package.json", async () => {
    const { readFile } = await import("node:fs/promises");
    const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8"));
    expect(version).toBe(pkg.version);
  });
});

/** Checks what Python read against Tyche's draws: dims, coords and values bit for bit. */
function checkAgainstDraws(groups: Record<string, PyGroup>): void {
  expect(Object.keys(groups).sort()).toEqual(Object.keys(idata).sort());
  const post = groups.posterior;
  expect(post.coords.school).toEqual(schools);
  expect(post.coords.chain).toEqual([0, 1]);
  for (const [site, draws] of Object.entries(samples)) {
    const v = post.vars[site];
    expect(v.shape, site).toEqual(draws.shape);
    expect(v.dtype).toBe("float64");
    expect(v.dims).toEqual(
      site === "mu" || site === "tau" ? ["chain", "draw"] : ["chain", "draw", "school"],
    );
    expect(v.values.map(decode), site).toEqual(Array.from(draws.data));
  }
  const ss = groups.sample_stats;
  expect(ss.vars.diverging.dtype).toBe("bool");
  expect(ss.vars.diverging.values.map(Number)).toEqual(Array.from(stats.diverging.data));
  expect(ss.vars.tree_depth.dtype).toBe("int64");
  expect(ss.vars.tree_depth.values).toEqual(Array.from(stats.treeDepth.data));
  expect(ss.vars.n_steps.values).toEqual(Array.from(stats.numSteps.data));
  expect(ss.vars.step_size.values.map(decode)).toEqual(Array.from(stats.stepSize.data));
  expect(ss.vars.acceptance_rate.values.map(decode)).toEqual(Array.from(stats.acceptProb.data));
  expect(ss.vars.energy.values.map(decode)).toEqual(Array.from(stats.energy.data));
  expect(ss.vars.lp.values.map(decode)).toEqual(Array.from(stats.potentialEnergy.data, (u) => -u));
  expect(ss.attrs.inference_library).toBe("tyche");
  const lik = groups.log_likelihood.vars.y;
  expect(lik.dims).toEqual(["chain", "draw", "school"]);
  expect(lik.shape).toEqual([2, 50, 8]);
  expect(lik.values.map(decode)).toEqual(Array.from(ll.y.data));
  expect(groups.observed_data.vars.y).toMatchObject({ dims: ["school"], shape: [8], values: y });
  expect(groups.constant_data.vars.sigma).toMatchObject({ dims: ["school"], values: sigma });
}

describe.skipIf(python === undefined)("read by Python", () => {
  it("Zarr: every group opens with xr.open_zarr(path, group=NAME), no warnings", async () => {
    const path = await writeInferenceData(join(dir, "eight.zarr"), idata, { format: "zarr" });
    const read = readWithPython("zarr", path);
    expect(read.warnings).toEqual([]);
    checkAgainstDraws(read.groups);
    expect(read.groups.posterior.attrs).toEqual(idata.posterior!.attrs);
  });

  it("JSON: from_dict's layout rules give the same datasets", async () => {
    const path = await writeInferenceData(join(dir, "eight.json"), idata, { format: "json" });
    const read = readWithPython("json", path);
    expect(read.warnings).toEqual([]);
    checkAgainstDraws(read.groups);
    expect(read.groups.posterior.attrs).toMatchObject(idata.posterior!.attrs);
  });
});

describe.skipIf(python === undefined)("readInferenceData of a store xarray wrote", () => {
  it("reads every group of InferenceData.to_zarr's layout (Blosc chunks, booleans as int8)", async () => {
    const path = join(dir, "from-xarray.zarr");
    // What InferenceData.to_zarr does: Dataset.to_zarr(store, group=name) for each group.
    const program = [
      "import sys, numpy as np, xarray as xr",
      "path = sys.argv[1]",
      "theta = np.arange(2 * 3 * 4, dtype=float).reshape(2, 3, 4) / 7",
      "post = xr.Dataset({'mu': (('chain', 'draw'), theta[:, :, 0]), 'theta': (('chain', 'draw', 'school'), theta)},",
      "    coords={'chain': [0, 1], 'draw': [0, 1, 2], 'school': ['Choate', 'Deerfield', 'Exeter', 'Hotchkiss']},",
      "    attrs={'inference_library': 'numpyro'})",
      "post.to_zarr(path, group='posterior', mode='w')",
      "stats = xr.Dataset({'diverging': (('chain', 'draw'), np.array([[True, False, False], [False, False, True]]))},",
      "    coords={'chain': [0, 1], 'draw': [0, 1, 2]})",
      "stats.to_zarr(path, group='sample_stats', mode='a')",
    ].join("\n");
    execFileSync(python as string, ["-c", program, path]);
    const back = await readInferenceData(path);
    expect(Object.keys(back).sort()).toEqual(["posterior", "sample_stats"]);
    const post = back.posterior!;
    expect(post.attrs.inference_library).toBe("numpyro");
    expect(post.coords.school).toEqual(["Choate", "Deerfield", "Exeter", "Hotchkiss"]);
    expect(post.variables.theta.dims).toEqual(["chain", "draw", "school"]);
    expect(Array.from(post.variables.theta.data)).toEqual(
      Array.from({ length: 24 }, (_, i) => i / 7),
    );
    expect(Array.from(post.variables.mu.data)).toEqual([0, 4, 8, 12, 16, 20].map((i) => i / 7));
    const diverging = back.sample_stats!.variables.diverging;
    expect(diverging.dtype).toBe("bool");
    expect(Array.from(diverging.data)).toEqual([1, 0, 0, 0, 0, 1]);
  });
});

describe("readInferenceData", () => {
  for (const format of ["zarr", "json"] as const) {
    it(`round-trips ${format}`, async () => {
      const path = join(dir, `round.${format}`);
      await writeInferenceData(path, idata, { format });
      const back = await readInferenceData(path);
      expect(Object.keys(back).sort()).toEqual(Object.keys(idata).sort());
      for (const [group, dataset] of Object.entries(idata)) {
        expect(back[group]!.coords, group).toEqual(dataset!.coords);
        expect(back[group]!.attrs, group).toEqual(dataset!.attrs);
        for (const [name, v] of Object.entries(dataset!.variables)) {
          const w = back[group]!.variables[name];
          expect({ dims: w.dims, shape: w.shape, dtype: w.dtype }, `${group}.${name}`).toEqual({
            dims: v.dims,
            shape: v.shape,
            dtype: v.dtype,
          });
          expect(Array.from(w.data)).toEqual(Array.from(v.data));
        }
      }
    });
  }

  it("keeps NaN, infinities and -0 in JSON", async () => {
    const data = Float64Array.of(Number.NaN, Infinity, -Infinity, -0, 1, 0.1);
    const tiny = toInferenceData({ x: { shape: [1, 6], data } });
    const path = await writeInferenceData(join(dir, "special.json"), tiny, { format: "json" });
    const back = await readInferenceData(path);
    const read = back.posterior!.variables.x.data;
    expect(Number.isNaN(read[0])).toBe(true);
    expect(Array.from(read.slice(1))).toEqual([Infinity, -Infinity, -0, 1, 0.1]);
    expect(Object.is(read[3], -0)).toBe(true);
  });
});
