/**
 * MCMC computes deterministic sites after sampling by running the model eagerly in float32.
 * When a model is finite only in float64 (posteriordb's gp_pois_regr: the Cholesky factor of
 * a kernel matrix with a 1e-10 jitter), that run met NaN parameters and threw a
 * DistributionParameterError, and run() rejected after sampling had finished: every draw was
 * lost. The draws must be kept; the deterministic values are what float32 gives.
 */
import { describe, expect, it } from "vitest";
import { cholesky } from "../../../src/custom-vjp/index.js";
import { HalfNormal, Normal } from "../../../src/dist/index.js";
import { MCMC, NUTS } from "../../../src/infer/mcmc/index.js";
import { deterministic, sample } from "../../../src/primitives/effects.js";
import { PRNGKey } from "../../../src/primitives/prng.js";
import { constant, tf } from "../../../src/tf.js";

const ONE_MINUS = 1 - 1e-9; // 1 in float32

/** log of the corner of chol(s [[1, r], [r, 1]]): finite in float64, -inf or NaN in float32. */
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
  const logCorner = yield* deterministic(
    "log_corner",
    tf.reshape(tf.log(tf.slice(factor, [1, 1], [1, 1])), []),
  );
  yield* sample("y", Normal(logCorner, 1), { obs: -10 });
}

describe("MCMC with deterministic sites that float32 cannot compute", () => {
  it("keeps the draws", async () => {
    const mcmc = new MCMC(new NUTS(model), { numWarmup: 30, numSamples: 20, progressBar: false });
    await mcmc.run(PRNGKey(0));
    const { s, log_corner: logCorner } = mcmc.getSamples();
    expect(s.data.length).toBe(20);
    expect(s.data.every((v) => v > 0)).toBe(true);
    expect(logCorner.shape).toEqual([20]);
  });
});
