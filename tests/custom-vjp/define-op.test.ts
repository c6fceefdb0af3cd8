import { afterEach, describe, expect, it, vi } from "vitest";
import {
  checkGrad,
  defineOp,
  GradientCheckError,
  getOp,
  listOps,
} from "../../src/compile/index.js";
import { digamma, lgamma, tf, trigamma } from "../../src/index.js";

// Kepler's equation M = E - e sin E, solved for E by Newton's method to machine precision.
function solveKepler(M: number, e: number): number {
  let E = M + e * Math.sin(M);
  for (let k = 0; k < 50; k++) {
    const step = (E - e * Math.sin(E) - M) / (1 - e * Math.cos(E));
    E -= step;
    if (Math.abs(step) < 1e-15) break;
  }
  return E;
}

function keplerOp(name: string, wrongRule: boolean) {
  return defineOp({
    name,
    inputs: ["M", "e"],
    forward: ([M, e]) => M.map((m, i) => solveKepler(m, e[i])),
    vjp: ([, e], _shapes, E, dy) => {
      const dM = E.map((Ei, i) => dy[i] / (1 - e[i] * Math.cos(Ei)));
      // Implicit function theorem: dE/de = sin E / (1 - e cos E); the forum's wrong rule multiplies by E.
      const de = dM.map((g, i) => g * Math.sin(E[i]) * (wrongRule ? E[i] : 1));
      return [dM, de];
    },
  });
}

afterEach(() => vi.restoreAllMocks());

describe("defineOp", () => {
  const kepler = keplerOp("test.kepler", false);

  it("computes the forward in float64 and satisfies Kepler's equation", () => {
    const M = [0.3, 1.2, 2.5];
    const E = kepler(M, 0.4).dataSync();
    M.forEach((m, i) => expect(E[i] - 0.4 * Math.sin(E[i])).toBeCloseTo(m, 5));
  });

  it("tf.grads differentiates through the rule, with broadcasting inputs summed down", () => {
    const M = tf.tensor([0.3, 1.2]);
    const e = tf.scalar(0.4);
    const before = kepler.definition.stats.vjpCalls;
    const [gM, ge] = tf.grads((m: tf.Tensor, ecc: tf.Tensor) => tf.sum(kepler(m, ecc)))([M, e]);
    expect(kepler.definition.stats.vjpCalls).toBe(before + 1);
    const E = [solveKepler(0.3, 0.4), solveKepler(1.2, 0.4)];
    expect(ge.shape).toEqual([]);
    E.forEach((Ei, i) => expect(gM.dataSync()[i]).toBeCloseTo(1 / (1 - 0.4 * Math.cos(Ei)), 5));
    expect(ge.dataSync()[0]).toBeCloseTo(
      E.reduce((s, Ei) => s + Math.sin(Ei) / (1 - 0.4 * Math.cos(Ei)), 0),
      5,
    );
  });

  it("checkGrad passes the correct rule and fails the forum's wrong rule loudly", () => {
    const inputs = [
      [0.3, 1.2, 2.5, 4.0],
      [0.1, 0.4, 0.7, 0.2],
    ];
    expect(checkGrad(kepler, inputs).ok).toBe(true);
    const wrong = keplerOp("test.keplerWrong", true);
    const result = checkGrad(wrong, inputs);
    expect(result.ok).toBe(false);
    expect(result.worst.input).toBe("e");
    expect(result.report).toMatch(
      /checkGrad\(test.keplerWrong\): the derivative rule disagrees.*d\/de\[/,
    );
    expect(() => checkGrad(wrong, inputs, { throwOnFailure: true })).toThrow(GradientCheckError);
  });

  it("the registry lists ops, and redefining one warns", () => {
    expect(listOps().map((op) => op.name)).toContain("test.kepler");
    expect(getOp("lgamma")?.inputNames).toEqual(["x"]);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    keplerOp("test.kepler", false);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/op "test.kepler" is defined again/));
  });

  it("supports the single op that returns value and gradients together", () => {
    // f(a, b) = a^2 b, returning its gradient with the value.
    const f = defineOp({
      name: "test.valueAndGrad",
      inputs: ["a", "b"],
      valueAndGrad: ([a, b]) => ({
        value: a[0] * a[0] * b[0],
        grads: [Float64Array.of(2 * a[0] * b[0]), Float64Array.of(a[0] * a[0])],
      }),
    });
    const [ga, gb] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mul(f(a, b), 3))([
      tf.scalar(2),
      tf.scalar(5),
    ]);
    expect(ga.dataSync()[0]).toBeCloseTo(3 * 2 * 2 * 5, 4);
    expect(gb.dataSync()[0]).toBeCloseTo(3 * 4, 4);
    expect(checkGrad(f, [2, 5]).ok).toBe(true);
  });

  it("checkGrad also checks a plain tfjs function's gradient (float32)", () => {
    expect(
      checkGrad((x: tf.Tensor) => tf.sum(tf.mul(tf.sin(x), tf.exp(x))), [[0.1, 0.5, 1.0]]).ok,
    ).toBe(true);
  });
});

describe("special functions", () => {
  it("lgamma and digamma match closed forms and their rules pass checkGrad", () => {
    const v = lgamma([0.5, 1, 4]).dataSync();
    expect(v[0]).toBeCloseTo(0.5 * Math.log(Math.PI), 5);
    expect(v[1]).toBeCloseTo(0, 6);
    expect(v[2]).toBeCloseTo(Math.log(6), 5);
    expect(digamma(1).dataSync()[0]).toBeCloseTo(-0.5772156649, 6);
    expect(trigamma(1).dataSync()[0]).toBeCloseTo(Math.PI ** 2 / 6, 5);
    for (const op of [lgamma, digamma, trigamma])
      expect(checkGrad(op, [[0.3, 1.7, 12.5]]).ok).toBe(true);
  });
});
