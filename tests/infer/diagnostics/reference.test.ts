/**
 * Every diagnostic against the R package `posterior` 1.4.0, on the synthetic chains of
 * tests/oracles/diagnostics.json (iid, AR(0.9), antithetic with a capped ESS, a stuck
 * chain, heavy tails, a single chain).
 */
import { describe, expect, it } from "vitest";
import {
  essBulk,
  essMean,
  essTail,
  mcseMean,
  mcseSd,
  quantile,
  rhat,
  rhatBasic,
  summary,
} from "../../../src/infer/diagnostics/index.js";
import { readOracle } from "../../oracles/paths.js";

interface ReferenceCase {
  name: string;
  draws: number[][];
  rhat: number;
  rhat_basic: number;
  ess_bulk: number;
  ess_tail: number;
  ess_basic: number;
  mcse_mean: number;
  mcse_sd: number;
  mean: number;
  sd: number;
  q05: number;
  q95: number;
}

const reference: { cases: ReferenceCase[] } = readOracle("diagnostics.json");

function expectRelative(actual: number, expected: number, rtol = 1e-6) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

describe("diagnostics against posterior 1.4.0", () => {
  it("has the six reference cases, one with a capped ESS", () => {
    expect(reference.cases.map((c) => c.name)).toHaveLength(6);
    // The antithetic case's bulk ESS is exactly the cap S log10(S).
    const capped = reference.cases.find((c) => c.name === "antithetic_2x800")!;
    const total = capped.draws.length * capped.draws[0].length;
    expectRelative(capped.ess_bulk, total * Math.log10(total), 1e-9);
  });

  for (const c of reference.cases) {
    describe(c.name, () => {
      const chains = c.draws;
      it("R-hat (rank-normalized and basic split)", () => {
        expectRelative(rhat(chains), c.rhat);
        expectRelative(rhatBasic(chains), c.rhat_basic);
      });
      it("bulk, tail and basic ESS", () => {
        expectRelative(essBulk(chains), c.ess_bulk);
        expectRelative(essTail(chains), c.ess_tail);
        expectRelative(essMean(chains), c.ess_basic);
      });
      it("MCSE of the mean and of the sd", () => {
        expectRelative(mcseMean(chains), c.mcse_mean);
        expectRelative(mcseSd(chains), c.mcse_sd);
      });
      it("quantiles and the summary row", () => {
        const pooled = chains.flat();
        expectRelative(quantile(pooled, 0.05), c.q05);
        expectRelative(quantile(pooled, 0.95), c.q95);
        const row = summary({ x: chains.map((chain) => Float64Array.from(chain)) }).x;
        expectRelative(row.mean, c.mean);
        expectRelative(row.sd, c.sd);
        expectRelative(row.q5, c.q05);
        expectRelative(row.q95, c.q95);
        expectRelative(row.essBulk, c.ess_bulk);
        expectRelative(row.essTail, c.ess_tail);
        expectRelative(row.rhat, c.rhat);
      });
    });
  }
});
