/**
 * Every row of the scipy table: logProb, cdf, mean, variance and entropy in the eager
 * (float32) engine.
 *
 * Tolerances. tfjs computes in float32 (unit roundoff u = 2^-24 = 6e-8). A log-density is a
 * sum of a few terms whose magnitude is at most a few tens (lgamma(29) = 69.9 in the
 * binomial rows), each rounded a few times, so its absolute error is a few u times those
 * terms: below 1e-5 max(1, |log p|) (observed at most 2.5e-6). A cdf additionally inherits
 * the rounding of x itself to float32, an error of f(x) |x| u in F (the conditioning of the
 * problem, 1e-4 relative for the Pareto row with x within 5e-4 of the scale); so
 * |F - F_ref| <= 1e-5 max(F_ref, 1e-2) + 4 u |x| f(x). Moments and entropies are plain
 * formulas of the parameters: 1e-5 max(1, |value|).
 */
import { describe, expect, it } from "vitest";
import { tf } from "../../src/tf.js";
import { construct, describeParams, type ReferenceRow, table } from "./reference-table.js";

const U = 2 ** -24;

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

function expectClose(got: number, want: number, tolerance: number, what: string): void {
  const error = Math.abs(got - want);
  if (!(error <= tolerance)) {
    throw new Error(
      `${what}: got ${got}, scipy ${want}, error ${error.toExponential(2)} > ${tolerance.toExponential(2)}`,
    );
  }
}

function checkRow(family: string, row: ReferenceRow): void {
  const where = `${family}(${describeParams(row.params)}) at x=${JSON.stringify(row.x)}`;
  tf.tidy(() => {
    const d = construct(family, row.params);
    const logProb = values(d.logProb(row.x))[0];
    expectClose(
      logProb,
      row.log_prob,
      1e-5 * Math.max(1, Math.abs(row.log_prob)),
      `logProb of ${where}`,
    );
    if (row.cdf !== undefined) {
      const x = typeof row.x === "number" ? row.x : 0;
      const tolerance =
        1e-5 * Math.max(row.cdf, 1e-2) + 4 * U * Math.abs(x) * Math.exp(row.log_prob);
      expectClose(values(d.cdf(row.x))[0], row.cdf, tolerance, `cdf of ${where}`);
    }
    for (const [what, want] of [
      ["mean", row.mean],
      ["variance", row.variance],
    ] as const) {
      if (want === undefined) continue;
      const got = values(what === "mean" ? d.mean : d.variance);
      const expected = Array.isArray(want) ? want : [want];
      expect(got.length).toBe(expected.length);
      expected.forEach((w, i) => {
        expectClose(got[i], w, 1e-5 * Math.max(1, Math.abs(w)), `${what}[${i}] of ${where}`);
      });
    }
    if (row.entropy !== undefined) {
      const h = values(d.entropy())[0];
      expectClose(h, row.entropy, 1e-5 * Math.max(1, Math.abs(row.entropy)), `entropy of ${where}`);
    }
  });
}

describe("distributions against the scipy reference table", () => {
  it("covers the 34 families of the table", () => {
    expect(Object.keys(table)).toHaveLength(34);
  });
  for (const [family, rows] of Object.entries(table)) {
    it(`${family}: ${rows.length} rows`, () => {
      for (const row of rows) checkRow(family, row);
    });
  }
});
