/**
 * loo, waic and compareModels against R's loo 2.5.1 (tests/oracles/loo.json, made by
 * tests/oracles/regenerate-loo.R): four log-likelihood matrices of 4 chains x 100 draws, one
 * with Pareto k above 0.7, one from an autocorrelated Gibbs sampler (r_eff from 0.53 to 1.18).
 * Everything that R computes deterministically must agree within 1e-6 relative.
 */
import { describe, expect, it } from "vitest";
import { compareModels } from "../../src/io/compare-models.js";
import { loo } from "../../src/io/loo.js";
import { waic } from "../../src/io/waic.js";
import { readOracle } from "../oracles/paths.js";

interface Case {
  chains: number;
  draws: number;
  observations: number;
  log_lik: number[];
  r_eff: number[];
  loo: Record<string, number | number[]>;
  waic: Record<string, number | number[]>;
}
const oracle = readOracle<{
  cases: Record<string, Case>;
  compare: { order: string[]; elpd_diff: number[]; se_diff: number[] };
}>("loo.json");

const logLik = (c: Case) => ({
  shape: [c.chains * c.draws, c.observations],
  data: Float64Array.from(c.log_lik),
});

function close(actual: number, expected: number, rtol = 1e-6, atol = 1e-12): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(
    rtol * Math.abs(expected) + atol,
  );
}
function closeAll(actual: ArrayLike<number>, expected: number[], rtol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) close(actual[i], expected[i], rtol);
}

describe.each(Object.keys(oracle.cases))("%s log-likelihood", (name) => {
  const c = oracle.cases[name];

  it("loo equals R loo: elpd, p, looic with SEs, every Pareto k, n_eff, r_eff and MCSE", () => {
    const r = loo(logLik(c), { numChains: c.chains });
    closeAll(r.pointwise.rEff, c.r_eff);
    close(r.elpdLoo, c.loo.elpd_loo as number);
    close(r.seElpdLoo, c.loo.se_elpd_loo as number);
    close(r.pLoo, c.loo.p_loo as number);
    close(r.sePLoo, c.loo.se_p_loo as number);
    close(r.looic, c.loo.looic as number);
    close(r.seLooic, c.loo.se_looic as number);
    closeAll(r.pointwise.elpdLoo, c.loo.pointwise_elpd_loo as number[]);
    closeAll(r.pointwise.pLoo, c.loo.pointwise_p_loo as number[]);
    closeAll(r.pointwise.paretoK, c.loo.pareto_k as number[]);
    closeAll(r.pointwise.nEff, c.loo.n_eff as number[]);
    closeAll(r.pointwise.mcseElpdLoo, c.loo.pointwise_mcse_elpd_loo as number[]);
    close(r.mcseElpdLoo, c.loo.mcse_elpd_loo as number);
    const high = (c.loo.pareto_k as number[]).some((k) => k > 0.7);
    expect(r.warning !== undefined).toBe(high);
  });

  it("waic equals R waic", () => {
    const r = waic(logLik(c));
    close(r.elpdWaic, c.waic.elpd_waic as number);
    close(r.seElpdWaic, c.waic.se_elpd_waic as number);
    close(r.pWaic, c.waic.p_waic as number);
    close(r.sePWaic, c.waic.se_p_waic as number);
    close(r.waic, c.waic.waic as number);
    close(r.seWaic, c.waic.se_waic as number);
    closeAll(r.pointwise.elpdWaic, c.waic.pointwise_elpd_waic as number[]);
    closeAll(r.pointwise.pWaic, c.waic.pointwise_p_waic as number[]);
  });
});

describe("compareModels", () => {
  it("ranks and differences models as R loo_compare", () => {
    const { linear, intercept } = oracle.cases;
    // Given worst first: the ranking must not depend on the order of the record.
    const table = compareModels({
      intercept: loo(logLik(intercept), { numChains: 4 }),
      linear: loo(logLik(linear), { numChains: 4 }),
    });
    expect(table.map((row) => row.name)).toEqual(oracle.compare.order);
    closeAll(
      table.map((row) => row.elpdDiff),
      oracle.compare.elpd_diff,
    );
    closeAll(
      table.map((row) => row.seDiff),
      oracle.compare.se_diff,
    );
    close(table[0].elpd, linear.loo.elpd_loo as number);
  });

  it("refuses models of different observations and mixed criteria", () => {
    const { linear, hierarchical } = oracle.cases;
    expect(() => compareModels({ a: loo(logLik(linear)), b: loo(logLik(hierarchical)) })).toThrow(
      /same observations/,
    );
    expect(() => compareModels({ a: loo(logLik(linear)), b: waic(logLik(linear)) })).toThrow(
      /same criterion/,
    );
  });
});

describe("loo input checks", () => {
  it("names the problem", () => {
    expect(() => loo({ shape: [3, 2], data: Float64Array.of(0, 1, 2, Number.NaN, 4, 5) })).toThrow(
      /finite, got NaN at draw 1, observation 1/,
    );
    expect(() =>
      loo({
        a: { shape: [2, 1], data: new Float64Array(2) },
        b: { shape: [2, 1], data: new Float64Array(2) },
      }),
    ).toThrow(/varName/);
    expect(() => loo({ shape: [9, 2], data: new Float64Array(18) }, { numChains: 2 })).toThrow(
      /divides the 9 draws/,
    );
  });
});
