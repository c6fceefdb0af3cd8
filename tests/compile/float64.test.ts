/**
 * The compiled engine against float64 oracles: central finite differences of its own value,
 * a float64 formula computed here, and constants that float32 cannot represent.
 */
import { describe, expect, it } from "vitest";
import { compileObjective } from "../../src/compile/index.js";
import { tf } from "../../src/tf.js";
import { sizeOf } from "../../src/util/shapes.js";
import { battery, normalLogDensity } from "./battery.js";
import { exact, pointIn } from "./helpers.js";

// Cases whose objective has kinks or jumps (floor, round, step, clip, relu, max, where on data)
// near the check point are left out: finite differences are meaningless across a kink.
const SMOOTH = [
  "normal log density with data",
  "softplus and sigmoid transforms with log-Jacobians",
  "forward algorithm: logSumExp over states, looped over time",
  "logistic regression with matMul",
  "batched matMul with transposes",
  "matMul broadcasting a matrix over a batch",
  "concat, slice, stack, unstack, split, pad, reverse, transpose, tile",
  "softmax, broadcastTo, fill, linspace",
  "custom op lgamma (float64 rule from the registry)",
  "SVI-like loss: gradients for the parameters, not the noise",
];

describe("compiled gradients against float64 central differences", () => {
  for (const c of battery.filter((b) => SMOOTH.includes(b.name))) {
    it(c.name, () => {
      const wrt = c.wrt ?? c.shapes.map((_, i) => i);
      const [lo, hi] = c.range ?? [0.3, 0.7];
      const result = compileObjective(c.fn, c.shapes, { wrt });
      if (!result.ok) throw new Error(result.reason);
      const compiled = result.compiled;
      const q = c.shapes.map((s, i) => pointIn(s, lo, hi, i + 3));
      const grads = wrt.map((i) => new Float64Array(sizeOf(c.shapes[i])));
      compiled.valueAndGrad(q, grads);
      wrt.forEach((input, k) => {
        const x = q[input];
        for (let j = 0; j < x.length; j++) {
          const h = 1e-5 * Math.max(1, Math.abs(x[j]));
          const saved = x[j];
          x[j] = saved + h;
          const up = compiled.value(q);
          x[j] = saved - h;
          const down = compiled.value(q);
          x[j] = saved;
          const numeric = (up - down) / (2 * h);
          const analytic = grads[k][j];
          const error =
            Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), 1e-3);
          expect(error, `d/d input ${input}[${j}]: ${analytic} vs ${numeric}`).toBeLessThan(1e-6);
        }
      });
    });
  }
});

describe("float64 values", () => {
  it("sums a Normal log density to within 1e-12 of a float64 formula", () => {
    const data = [0.5, -1.2, 2.0, 0.3, 1.1, -0.4, 3.7, -2.25];
    const y = exact(data);
    const result = compileObjective(
      (mu, logSigma) => normalLogDensity(y, mu, tf.exp(logSigma)),
      [[], []],
    );
    if (!result.ok) throw new Error(result.reason);
    for (const [mu, logSigma] of [
      [0.3, -0.2],
      [-1.7, 0.9],
      [12.5, 2.3],
    ]) {
      const sigma = Math.exp(logSigma);
      let expected = 0;
      let dMu = 0;
      let dLogSigma = 0;
      for (const v of data) {
        const z = (v - mu) / sigma;
        expected += -0.5 * z * z - logSigma - 0.5 * Math.log(2 * Math.PI);
        dMu += z / sigma;
        dLogSigma += z * z - 1;
      }
      const grads = [new Float64Array(1), new Float64Array(1)];
      const value = result.compiled.valueAndGrad(
        [Float64Array.of(mu), Float64Array.of(logSigma)],
        grads,
      );
      expect(Math.abs(value - expected)).toBeLessThan(1e-12 * Math.abs(expected));
      expect(Math.abs(grads[0][0] - dMu)).toBeLessThan(1e-12 * Math.max(1, Math.abs(dMu)));
      expect(Math.abs(grads[1][0] - dLogSigma)).toBeLessThan(
        1e-12 * Math.max(1, Math.abs(dLogSigma)),
      );
    }
  });

  it("keeps a constant that float32 cannot represent (1 + 1e-10) in float64", () => {
    const c = exact([1 + 1e-10, 2 + 3e-11, -0.1]);
    expect(Math.fround(1 + 1e-10)).toBe(1); // what eager tfjs computes with
    const result = compileObjective((x) => tf.sum(tf.mul(x, c)), [[3]]);
    if (!result.ok) throw new Error(result.reason);
    const grad = new Float64Array(3);
    const value = result.compiled.valueAndGrad([Float64Array.of(1, 1, 1)], [grad]);
    expect(Array.from(grad)).toEqual([1 + 1e-10, 2 + 3e-11, -0.1]);
    expect(value).toBe(1 + 1e-10 + (2 + 3e-11) - 0.1);
  });

  it("reads short decimal literals as the doubles written, not their float32 roundings", () => {
    const result = compileObjective((x) => tf.sum(tf.mul(x, 0.1)), [[2]]);
    if (!result.ok) throw new Error(result.reason);
    const grad = new Float64Array(2);
    result.compiled.valueAndGrad([Float64Array.of(1, 2)], [grad]);
    expect(Array.from(grad)).toEqual([0.1, 0.1]);
  });

  it("computes where float32 overflows", () => {
    const result = compileObjective((x) => tf.sum(tf.exp(x)), [[1]]);
    if (!result.ok) throw new Error(result.reason);
    const grad = new Float64Array(1);
    const value = result.compiled.valueAndGrad([Float64Array.of(100)], [grad]);
    expect(value).toBe(Math.exp(100)); // float32 gives Infinity
    expect(grad[0]).toBe(Math.exp(100));
  });
});
