/**
 * Issue 12, item 6: a site may be called `constructor`, `toString`, `__proto__` (names that a
 * plain JavaScript object answers for itself) and still work everywhere: handlers, densities,
 * the potential, MCMC, summaries, Predictive and export. CmdStan CSV reserves names ending in
 * `__` for the sampler's columns: such sites are refused there (and round-trip through JSON).
 */
import { describe, expect, it } from "vitest";
import { HalfNormal, Normal } from "../../src/dist/index.js";
import { ArgumentError } from "../../src/errors.js";
import { condition } from "../../src/handlers/condition.js";
import { seed } from "../../src/handlers/seed.js";
import { trace } from "../../src/handlers/trace.js";
import { logDensity, pointLogProbs } from "../../src/infer/log-density.js";
import { MCMC, NUTS } from "../../src/infer/mcmc/index.js";
import { potential } from "../../src/infer/potential.js";
import { Predictive } from "../../src/infer/predictive.js";
import { chainsToRun, parseCmdStanCSV } from "../../src/io/cmdstan-csv-read.js";
import { formatCmdStanCSV } from "../../src/io/cmdstan-csv-write.js";
import { formatJSON, parseJSON } from "../../src/io/json.js";
import { sample } from "../../src/primitives/effects.js";
import { PRNGKey } from "../../src/primitives/prng.js";
import { ar1Run } from "../io/fixture.js";

const NAMES = ["constructor", "toString", "__proto__", "hasOwnProperty"] as const;
const LOG_2PI = Math.log(2 * Math.PI);

/** Each named site ~ Normal(i, 1), the last one HalfNormal(1); y ~ Normal(first, 1) observed. */
function* model(y: number) {
  let first: unknown;
  for (let i = 0; i < NAMES.length; i++) {
    const dist = i === NAMES.length - 1 ? HalfNormal(1) : Normal(i, 1);
    const x = yield* sample(NAMES[i], dist);
    if (i === 0) first = x;
  }
  yield* sample("y", Normal(first as number, 1), { obs: y });
}

// Own properties for every name, "__proto__" included (a literal { __proto__: 1 } would set
// the prototype instead).
const point = Object.fromEntries(
  NAMES.map((name, i) => [name, i === NAMES.length - 1 ? 1.5 : i + 0.25]),
);

function normalLogPdf(x: number, loc: number): number {
  return -0.5 * (x - loc) ** 2 - 0.5 * LOG_2PI;
}

describe("sites named after Object.prototype's members", () => {
  it("condition with no data leaves them latent", () => {
    const tr = trace(seed(condition(model, {}), 0)).getTrace(0.5);
    for (const name of NAMES)
      expect(tr.sampleSites().find((s) => s.name === name)?.isObserved).toBe(false);
  });

  it("logDensity and pointLogProbs give each site its own term", () => {
    const expected = Object.fromEntries([
      ["constructor", normalLogPdf(0.25, 0)],
      ["toString", normalLogPdf(1.25, 1)],
      ["__proto__", normalLogPdf(2.25, 2)],
      ["hasOwnProperty", Math.log(2) + normalLogPdf(1.5, 0)],
      ["y", normalLogPdf(0.5, 0.25)],
    ]);
    const perSite = pointLogProbs(model, [0.5], point);
    expect(Object.keys(perSite).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, value] of Object.entries(expected))
      expect(perSite[name]).toBeCloseTo(value, 5);
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    expect(logDensity(model, [0.5], point)).toBeCloseTo(total, 5);
  });

  it("a missing value for such a site is reported, not read from Object.prototype", () => {
    const partial = Object.fromEntries(
      Object.entries(point).filter(([name]) => name !== "constructor"),
    );
    expect(() => logDensity(model, [0.5], partial)).toThrow(
      /no value for the latent site "constructor"/,
    );
  });

  it("potential lays them out and unravel gives them back", () => {
    const p = potential(model, [0.5]);
    expect(p.dim).toBe(NAMES.length);
    const q = p.ravel(point);
    const back = p.unravel(q);
    expect(Object.keys(back)).toEqual([...NAMES]);
    for (const name of NAMES) expect(back[name].data[0]).toBeCloseTo(point[name], 12);
  });

  it("MCMC samples them, summarizes them, and Predictive returns them", async () => {
    const mcmc = new MCMC(new NUTS(model), { numWarmup: 100, numSamples: 100, progressBar: false });
    await mcmc.run(PRNGKey(0), 0.5);
    const samples = mcmc.getSamples();
    expect(Object.keys(samples)).toEqual([...NAMES]);
    for (const name of NAMES) expect(samples[name].data.length).toBe(100);
    expect(Object.keys(mcmc.summary())).toEqual([...NAMES]);
    const predictive = new Predictive(model, { posteriorSamples: samples }).run(PRNGKey(1), 0.5);
    expect(Object.keys(predictive)).toEqual(["y"]);
    // The observed site's predictive mean follows "constructor", draw by draw.
    const y = predictive.y.data;
    const c = samples["constructor"].data;
    let residual = 0;
    for (let i = 0; i < y.length; i++) residual += y[i] - c[i];
    expect(Math.abs(residual / y.length)).toBeLessThan(4.5 / Math.sqrt(y.length));
  });
});

/** An AR(1) fixture run whose sites carry the given names (the fixture builds a plain record). */
function runWithSites(names: readonly string[], numChains: number, numDraws: number) {
  const run = ar1Run({
    numChains,
    numDraws,
    sites: Object.fromEntries(
      names.map((_, i) => [
        `site${i}`,
        { shape: i === 1 ? [2] : [], mean: (k: number) => i + k, sd: 1 },
      ]),
    ),
  });
  return {
    ...run,
    samples: Object.fromEntries(names.map((name, i) => [name, run.samples[`site${i}`]])),
  };
}

describe("CmdStan CSV and site names", () => {
  it("round-trips sites named constructor and toString", () => {
    const run = runWithSites(["constructor", "toString"], 2, 20);
    const back = chainsToRun([0, 1].map((c) => parseCmdStanCSV(formatCmdStanCSV(run, c))));
    expect(Object.keys(back.samples).sort()).toEqual(["constructor", "toString"]);
    for (const name of ["constructor", "toString"]) {
      expect(back.samples[name].shape).toEqual(run.samples[name].shape);
      expect(Array.from(back.samples[name].data)).toEqual(Array.from(run.samples[name].data));
    }
    expect(Object.keys(back.extra)).not.toContain("constructor");
  });

  it.each(["lp__", "stepsize__", "accept_stat__", "energy__", "__proto__"])(
    "refuses a site named %s (a sampler column), naming it",
    (name) => {
      const run = runWithSites([name], 1, 5);
      let error: unknown;
      try {
        formatCmdStanCSV(run, 0);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ArgumentError);
      expect((error as Error).message).toContain(`site "${name}" ends in "__"`);
    },
  );

  it("JSON keeps sites named lp__ and __proto__ apart from the sampler statistics", () => {
    const run = runWithSites(["lp__", "__proto__"], 2, 10);
    const back = parseJSON(formatJSON(run));
    expect(Object.keys(back.samples).sort()).toEqual(["__proto__", "lp__"]);
    for (const name of ["lp__", "__proto__"])
      expect(Array.from(back.samples[name].data)).toEqual(Array.from(run.samples[name].data));
    expect(Array.from(back.extra.lp.data)).toEqual(Array.from(run.extra.lp.data));
  });
});
