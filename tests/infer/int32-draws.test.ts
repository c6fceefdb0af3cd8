/**
 * int32 discrete draws through inference: a potential with a fixed discrete site that the
 * model uses as an index (both engines), the Gibbs path of MCMC, Predictive with posterior
 * draws, CmdStan CSV and JSON export, and the summary.
 *
 * The model: z ~ Categorical(w), y ~ Normal(locs[z], 1) observed, and an unrelated continuous
 * site s ~ Normal(0, 1) for NUTS. Its posterior of z is exact by enumeration:
 * p(z = k | y) = w_k N(y; locs_k, 1) / sum_j w_j N(y; locs_j, 1).
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  ArgumentError,
  Categorical,
  DiscreteHMCGibbs,
  MCMC,
  Normal,
  NUTS,
  PRNGKey,
  Predictive,
  sample,
  tf,
} from "../../src/index.js";
import { potential } from "../../src/infer/index.js";
import { formatCmdStanCSV, formatJSON, parseCmdStanCSV, parseJSON } from "../../src/io/index.js";

const weights = [0.2, 0.3, 0.5];
const locs = [-1, 0.5, 2];
const y = 0.8;

function* indexed(obs: number) {
  yield* sample("s", Normal(0, 1));
  const z = yield* sample("z", Categorical({ probs: weights }));
  yield* sample("y", Normal(tf.gather(tf.tensor(locs), z), 1), { obs });
}

const logNormal = (x: number, m: number, s: number) =>
  -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
const exactPosterior = (() => {
  const joint = weights.map((w, k) => w * Math.exp(logNormal(y, locs[k], 1)));
  const total = joint.reduce((a, b) => a + b, 0);
  return joint.map((p) => p / total);
})();

const info = vi.spyOn(console, "info").mockImplementation(() => {});
afterAll(() => info.mockRestore());

describe("a potential with a fixed discrete site used as an index", () => {
  it("is compiled (a Cast to int32 feeding a Gather) and equals the float64 log density", () => {
    const U = potential(indexed, [y], { fixed: { z: 2 } });
    expect(U.engine).toBe("compiled");
    const s = 0.3;
    const expected = (k: number) =>
      logNormal(s, 0, 1) + Math.log(weights[k]) + logNormal(y, locs[k], 1);
    expect(Math.abs(U.logDensity(Float64Array.of(s)) - expected(2))).toBeLessThan(1e-12);
    U.setFixed({ z: 0 });
    expect(Math.abs(U.logDensity(Float64Array.of(s)) - expected(0))).toBeLessThan(1e-12);
    const eager = potential(indexed, [y], { fixed: { z: 1 }, engine: "eager" });
    expect(eager.logDensity(Float64Array.of(s))).toBeCloseTo(expected(1), 5);
  });

  it("rejects a fractional value for the discrete site, naming it", () => {
    expect(() => potential(indexed, [y], { fixed: { z: 1.5 } })).toThrow(ArgumentError);
    const U = potential(indexed, [y], { fixed: { z: 1 } });
    expect(() => U.setFixed({ z: 0.5 })).toThrow(/"z" is discrete; its values must be whole/);
  });
});

describe("MCMC with a discrete site used as an index (DiscreteHMCGibbs)", async () => {
  // MCMC alone would sum z out (tests/infer/enum); DiscreteHMCGibbs samples it.
  const mcmc = new MCMC(new DiscreteHMCGibbs(new NUTS(indexed)), {
    numWarmup: 200,
    numSamples: 2000,
    numChains: 1,
    progressBar: false,
  });
  await mcmc.run(PRNGKey(0), y);
  const samples = mcmc.getSamples();

  it("draws z from its exact posterior (frequencies within 4.5 standard errors)", () => {
    const z = samples.z.data;
    expect(z.every((v) => Number.isInteger(v) && v >= 0 && v <= 2)).toBe(true);
    // z is independent of s given y, so each Gibbs update is an independent exact draw.
    exactPosterior.forEach((p, k) => {
      const frequency = z.filter((v) => v === k).length / z.length;
      const se = Math.sqrt((p * (1 - p)) / z.length);
      expect(Math.abs(frequency - p) / se, `z = ${k}`).toBeLessThan(4.5);
    });
  });

  it("writes z as integers to CmdStan CSV and JSON, which read back", () => {
    const run = mcmc.toMcmcRun();
    const text = formatCmdStanCSV(run, 0);
    const rows = text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    const zColumn = rows[0].split(",").indexOf("z");
    expect(zColumn).toBeGreaterThan(0);
    for (const row of rows.slice(1, 20)) expect(row.split(",")[zColumn]).toMatch(/^[012]$/);
    const back = parseCmdStanCSV(text);
    const column = back.columns.indexOf("z");
    const zBack = Array.from(
      { length: back.numDraws },
      (_, i) => back.values[i * back.columns.length + column],
    );
    expect(zBack).toEqual(Array.from(run.samples.z.data));
    expect(Array.from(parseJSON(formatJSON(run)).samples.z.data)).toEqual(
      Array.from(run.samples.z.data),
    );
  });

  it("summarizes z", () => {
    const row = mcmc.summary().z;
    const mean = exactPosterior.reduce((acc, p, k) => acc + p * k, 0);
    expect(Math.abs(row.mean - mean) / (row.sd / Math.sqrt(row.essBulk))).toBeLessThan(4.5);
  });

  for (const parallel of [true, false]) {
    it(`Predictive (${parallel ? "batched" : "draw by draw"}) substitutes the posterior draws of z as int32 indices`, () => {
      const n = 400;
      const first = (d: { data: Float64Array }) => ({ shape: [n], data: d.data.slice(0, n) });
      const predicted = new Predictive(indexed, {
        posteriorSamples: { s: first(samples.s), z: first(samples.z) },
        returnSites: ["y"],
        parallel,
      }).run(PRNGKey(1), y);
      expect(predicted.y.shape).toEqual([n]);
      // y | z ~ Normal(locs[z], 1): the residuals against locs[z] have mean 0 and sd 1.
      const residuals = Array.from(predicted.y.data, (v, i) => v - locs[samples.z.data[i]]);
      const mean = residuals.reduce((a, b) => a + b, 0) / residuals.length;
      expect(Math.abs(mean) * Math.sqrt(residuals.length)).toBeLessThan(4.5);
    });
  }
});
