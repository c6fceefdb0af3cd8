/**
 * A model that is finite in float64 but not in float32 must still get a potential: the run that
 * discovers the latent sites is eager float32, and it threw a DistributionParameterError (found
 * on posteriordb's gp_pois_regr, whose 1e-10 jitter cannot keep the Cholesky factor of its
 * kernel matrix finite in float32: "Poisson: rate must be nonnegative, got NaN at index 10").
 * The compiled engine evaluates the model in float64, where it is fine.
 */
import { describe, expect, it } from "vitest";
import { cholesky } from "../../src/custom-vjp/index.js";
import { HalfNormal, Normal } from "../../src/dist/index.js";
import { potential } from "../../src/infer/potential.js";
import { sample } from "../../src/primitives/effects.js";
import { constant, tf } from "../../src/tf.js";

const ONE_MINUS = 1 - 1e-9; // 1 in float32

/** log of the corner of chol(s [[1, r], [r, 1]]) = log sqrt(s (1 - r^2)): -inf or NaN in float32. */
function* model() {
  const s = yield* sample("s", HalfNormal(1));
  const factor = cholesky(
    tf.mul(
      s,
      constant([
        [1, ONE_MINUS],
        [ONE_MINUS, 1],
      ]),
    ),
  );
  const logCorner = tf.reshape(tf.log(tf.slice(factor, [1, 1], [1, 1])), []);
  yield* sample("y", Normal(logCorner, 1), { obs: -10 });
}

describe("potential of a model that only float64 keeps finite", () => {
  it("is built, compiled, and has the float64 value", () => {
    const U = potential(model, []);
    expect(U.engine).toBe("compiled");
    const grad = new Float64Array(1);
    const energy = U.valueAndGrad(Float64Array.of(0), grad); // s = 1, Jacobian log s = 0
    const logCorner = 0.5 * Math.log(1 - ONE_MINUS * ONE_MINUS);
    const halfLog2Pi = 0.5 * Math.log(2 * Math.PI);
    const logDensity = Math.log(2) - halfLog2Pi - 0.5 - halfLog2Pi - 0.5 * (logCorner + 10) ** 2;
    expect(energy).toBeCloseTo(-logDensity, 9);
    expect(Number.isFinite(grad[0])).toBe(true);
  });
});
