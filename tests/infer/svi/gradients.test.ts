import { describe, expect, it } from "vitest";
import { factor, Normal, PRNGKey, sample } from "../../../src/index.js";
import { AutoMultivariateNormal } from "../../../src/infer/svi/autoguide/auto-multivariate-normal.js";
import { AutoNormal } from "../../../src/infer/svi/autoguide/auto-normal.js";
import { eagerLossEngine } from "../../../src/infer/svi/engine.js";
import { TraceMeanFieldELBO } from "../../../src/infer/svi/mean-field-elbo.js";
import {
  buildObjective,
  type ParticleInputs,
  type SVIObjective,
} from "../../../src/infer/svi/objective.js";
import { lossOfParticles } from "../../../src/infer/svi/particles.js";
import { TraceELBO } from "../../../src/infer/svi/trace-elbo.js";
import {
  conjugateNormal,
  logHalfNormal,
  logNormal,
  NOISE_SD,
  PRIOR_MEAN,
  PRIOR_SD,
  SCALE_DATA,
  scaleModel,
  tf,
  Y,
} from "./helpers.js";

// Central differences of a float64 function.
function numericGradient(f: (q: Float64Array) => number, q: Float64Array, h = 1e-6): Float64Array {
  return q.map((_, i) => {
    const plus = q.slice();
    const minus = q.slice();
    plus[i] += h;
    minus[i] -= h;
    return (f(plus) - f(minus)) / (2 * h);
  });
}

// Each particle's inputs, with its slice of `noise` (particle after particle) and a fixed key.
function particles(objective: SVIObjective, noise: Float64Array): ParticleInputs[] {
  const d = objective.noiseDim;
  return Array.from({ length: noise.length / d }, (_, k) => ({
    noise: noise.subarray(k * d, (k + 1) * d),
    subsample: new Float64Array(0),
    residualKey: PRNGKey(9),
  }));
}

// The library's loss value and gradient at q with fixed noise and key.
function libraryLoss(objective: SVIObjective, q: Float64Array, noise: Float64Array) {
  const grad = new Float64Array(q.length);
  const inputs = particles(objective, noise);
  const value = lossOfParticles(objective, eagerLossEngine(objective), q, inputs, grad);
  return { value, grad };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number) {
  for (let i = 0; i < expected.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    expect(Math.abs(actual[i] - expected[i]) / scale, `entry ${i}`).toBeLessThan(rtol);
  }
}

describe("ELBO gradients with fixed noise", () => {
  it("TraceELBO, AutoNormal on a positive site: value and gradient equal the float64 hand formula", () => {
    const numParticles = 3;
    const guide = AutoNormal(scaleModel);
    const objective = buildObjective(
      "test",
      scaleModel,
      guide,
      [SCALE_DATA],
      TraceELBO({ numParticles }),
      PRNGKey(0),
    );
    expect(objective.layout.sites.map((s) => s.name)).toEqual([
      "sigma_auto_loc",
      "sigma_auto_scale",
    ]);
    expect(objective.noiseDim).toBe(1);
    expect(objective.usesResidualKey).toBe(false);
    const noise = Float64Array.of(0.3, -1.2, 0.8);
    // loss(loc, log scale) = -mean_k [log p(e^u) + log p(y | e^u) - (log N(u; loc, s) - u)], u = loc + s eps.
    const hand = (q: Float64Array) => {
      const [loc, logScale] = q;
      const s = Math.exp(logScale);
      let total = 0;
      for (const eps of noise) {
        const u = loc + s * eps;
        const x = Math.exp(u);
        const logP = logHalfNormal(x, 2) + SCALE_DATA.reduce((a, y) => a + logNormal(y, 0, x), 0);
        const logQ = logNormal(u, loc, s) - u;
        total += logP - logQ;
      }
      return -total / noise.length;
    };
    for (const q of [Float64Array.of(0.2, -1), Float64Array.of(0.9, -0.3)]) {
      const { value, grad } = libraryLoss(objective, q, noise);
      expect(Math.abs(value - hand(q)) / Math.abs(hand(q))).toBeLessThan(1e-5);
      expectClose(grad, numericGradient(hand, q), 1e-4);
    }
  });

  it("TraceELBO: the gradient matches central differences of the library's own loss (same noise, same key)", () => {
    const objective = buildObjective(
      "test",
      conjugateNormal,
      AutoNormal(conjugateNormal),
      [Y],
      TraceELBO({ numParticles: 4 }),
      PRNGKey(1),
    );
    const noise = Float64Array.of(0.5, -0.7, 1.4, -0.1);
    const q = Float64Array.of(2.5, -0.8);
    const { grad } = libraryLoss(objective, q, noise);
    const evaluator = eagerLossEngine(objective);
    const lossAt = (p: Float64Array) =>
      lossOfParticles(objective, evaluator, p, particles(objective, noise));
    // float32 losses: a coarse step keeps rounding error small against the O(h^2) error.
    expectClose(grad, numericGradient(lossAt, q, 1e-2), 2e-3);
  });

  it("TraceMeanFieldELBO: analytic Normal-Normal KL plus the Monte Carlo likelihood, by hand", () => {
    const objective = buildObjective(
      "test",
      conjugateNormal,
      AutoNormal(conjugateNormal),
      [Y],
      TraceMeanFieldELBO({ numParticles: 2 }),
      PRNGKey(2),
    );
    const noise = Float64Array.of(-0.4, 1.1);
    const hand = (q: Float64Array) => {
      const [loc, logScale] = q;
      const s = Math.exp(logScale);
      const kl =
        Math.log(PRIOR_SD / s) + (s ** 2 + (loc - PRIOR_MEAN) ** 2) / (2 * PRIOR_SD ** 2) - 0.5;
      let lik = 0;
      for (const eps of noise)
        lik += Y.reduce((a, y) => a + logNormal(y, loc + s * eps, NOISE_SD), 0);
      return -(lik / noise.length - kl);
    };
    const q = Float64Array.of(3.1, -1.3);
    const { value, grad } = libraryLoss(objective, q, noise);
    expect(Math.abs(value - hand(q)) / Math.abs(hand(q))).toBeLessThan(1e-5);
    expectClose(grad, numericGradient(hand, q), 1e-4);
  });

  it("AutoMultivariateNormal: z = loc + L eps, log q = log N(eps) - sum log diag L, by hand", () => {
    // A correlated 2-D target through factor: log p(z) = log N(z1; 0, 1) + log N(z2; 0.8 z1, 0.6).
    function* model() {
      const z = yield* sample("z", Normal(0, 1).expand([2]).toEvent(1));
      const z1 = tf.gather(z, 0, -1);
      const z2 = tf.gather(z, 1, -1);
      yield* factor(
        "coupling",
        tf.sub(Normal(tf.mul(0.8, z1), 0.6).logProb(z2), Normal(0, 1).logProb(z2)),
      );
    }
    const objective = buildObjective(
      "test",
      model,
      AutoMultivariateNormal(model),
      [],
      TraceELBO({ numParticles: 2 }),
      PRNGKey(3),
    );
    // Params: auto_loc (2), then auto_scale_tril as (log d1, log d2, l21).
    expect(objective.layout.sites.map((s) => [s.name, s.size])).toEqual([
      ["auto_loc", 2],
      ["auto_scale_tril", 3],
    ]);
    const noise = Float64Array.of(0.7, -0.2, -1.5, 0.9);
    const hand = (q: Float64Array) => {
      const [m1, m2, a, b, l21] = q;
      const d1 = Math.exp(a);
      const d2 = Math.exp(b);
      let total = 0;
      for (let k = 0; k < 2; k++) {
        const e1 = noise[2 * k];
        const e2 = noise[2 * k + 1];
        const z1 = m1 + d1 * e1;
        const z2 = m2 + l21 * e1 + d2 * e2;
        const logP = logNormal(z1, 0, 1) + logNormal(z2, 0.8 * z1, 0.6);
        const logQ = logNormal(e1, 0, 1) + logNormal(e2, 0, 1) - a - b;
        total += logP - logQ;
      }
      return -total / 2;
    };
    const q = Float64Array.of(0.3, -0.4, -0.5, -0.2, 0.35);
    const { value, grad } = libraryLoss(objective, q, noise);
    expect(Math.abs(value - hand(q)) / Math.abs(hand(q))).toBeLessThan(1e-5);
    expectClose(grad, numericGradient(hand, q), 1e-4);
  });
});
