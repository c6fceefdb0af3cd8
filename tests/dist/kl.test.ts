/**
 * KL divergences: every registered closed form against a Monte Carlo estimate of
 * E_p[log p(x) - log q(x)] (within 4.5 standard errors), plus exact identities
 * (KL(p, p) = 0, the normal closed form by hand, transformed pairs equal to their bases).
 */
import { describe, expect, it } from "vitest";
import {
  Bernoulli,
  Beta,
  Categorical,
  Dirichlet,
  type Distribution,
  Exponential,
  ExpTransform,
  Gamma,
  kl,
  LogNormal,
  MultivariateNormal,
  Normal,
  SigmoidTransform,
  TransformedDistribution,
} from "../../src/dist/index.js";
import { PRNGKey } from "../../src/primitives/prng.js";
import { tf, tidyValue } from "../../src/tf.js";
import { moments } from "./stats.js";

function monteCarloKL(
  p: Distribution,
  q: Distribution,
  n = 40_000,
): { mean: number; error: number } {
  const values = tidyValue(() => {
    const x = p.sample(PRNGKey(9), [n]);
    return Array.from(tf.sub(p.logProb(x), q.logProb(x)).dataSync());
  });
  const m = moments(values);
  return { mean: m.mean, error: m.meanError };
}

const pairs: Array<[string, Distribution, Distribution]> = [
  ["Normal", Normal(0.3, 1.2), Normal(-0.5, 2)],
  ["LogNormal", LogNormal(0.1, 0.5), LogNormal(0.4, 0.8)],
  ["Exponential", Exponential(1.5), Exponential(0.7)],
  ["Gamma", Gamma(2.5, 1.3), Gamma(1.7, 0.9)],
  ["Beta", Beta(2, 3), Beta(1.2, 1.5)],
  ["Dirichlet", Dirichlet([1.5, 2, 3]), Dirichlet([1, 1, 2])],
  [
    "MultivariateNormal",
    MultivariateNormal([0.2, -0.1], {
      covarianceMatrix: [
        [1.3, 0.4],
        [0.4, 0.8],
      ],
    }),
    MultivariateNormal([0, 0.5], {
      scaleTril: [
        [1.1, 0],
        [-0.3, 0.9],
      ],
    }),
  ],
  ["Bernoulli", Bernoulli({ probs: 0.3 }), Bernoulli({ logits: 0.4 })],
  [
    "Categorical",
    Categorical({ probs: [0.2, 0.5, 0.3] }),
    Categorical({ logits: [0.1, -0.4, 0.9] }),
  ],
  [
    "TransformedDistribution (same transforms)",
    new TransformedDistribution(Normal(0.3, 0.6), new SigmoidTransform()),
    new TransformedDistribution(Normal(-0.2, 1.1), new SigmoidTransform()),
  ],
  ["Independent", Normal([0.1, 0.5], [1, 2]).toEvent(1), Normal([0, 0], [1.5, 1]).toEvent(1)],
  ["Expanded", Normal(0.1, 1).expand([3]), Normal(-1, 2).expand([3])],
];

describe("kl(p, q)", () => {
  for (const [name, p, q] of pairs) {
    it(`${name}: closed form against Monte Carlo`, () => {
      const exact = tidyValue(() => Array.from(kl(p, q).dataSync()));
      const total = exact.reduce((a, b) => a + b, 0);
      const { mean, error } = monteCarloKL(p, q);
      const mcTotal =
        mean * (p.batchShape.length > 0 ? p.batchShape.reduce((a, b) => a * b, 1) : 1);
      const mcError =
        error * (p.batchShape.length > 0 ? p.batchShape.reduce((a, b) => a * b, 1) : 1);
      expect(Math.abs(total - mcTotal) / mcError).toBeLessThan(4.5);
      expect(
        tidyValue(() => Array.from(kl(p, p).dataSync())).every((v) => Math.abs(v) < 1e-5),
      ).toBe(true);
    });
  }

  it("Normal: the closed form by hand", () => {
    // log(2/1) + (1 + 1)/(2 * 4) - 1/2
    expect(kl(Normal(0, 1), Normal(1, 2)).dataSync()[0]).toBeCloseTo(Math.log(2) + 2 / 8 - 0.5, 6);
  });

  it("batches broadcast", () => {
    expect(kl(Normal(tf.zeros([3]), 1), Normal(0, tf.ones([2, 1]))).shape).toEqual([2, 3]);
  });

  it("LogNormal and exp-transformed normals agree with the normal KL", () => {
    const a = kl(LogNormal(0.1, 0.5), LogNormal(0.4, 0.8)).dataSync()[0];
    const b = kl(
      new TransformedDistribution(Normal(0.1, 0.5), new ExpTransform()),
      new TransformedDistribution(Normal(0.4, 0.8), new ExpTransform()),
    ).dataSync()[0];
    const c = kl(Normal(0.1, 0.5), Normal(0.4, 0.8)).dataSync()[0];
    expect(a).toBeCloseTo(c, 6);
    expect(b).toBeCloseTo(c, 6);
  });

  it("unregistered pairs and different transforms are errors naming the families", () => {
    expect(() => kl(Normal(0, 1), Gamma(1, 1))).toThrow(
      /kl: no closed form is registered for KL\(Normal \|\| Gamma\)/,
    );
    expect(() =>
      kl(
        new TransformedDistribution(Normal(0, 1), new ExpTransform()),
        new TransformedDistribution(Normal(0, 1), new SigmoidTransform()),
      ),
    ).toThrow(/share their transforms/);
  });

  it("is differentiable in the parameters (for ELBOs)", () => {
    const [dLoc, dScale] = tf.grads((loc: tf.Tensor, scale: tf.Tensor) =>
      kl(Normal(loc, scale), Normal(0, 1)),
    )([tf.scalar(0.5), tf.scalar(2)]);
    // d/dloc = loc; d/dscale = scale - 1/scale
    expect(dLoc.dataSync()[0]).toBeCloseTo(0.5, 5);
    expect(dScale.dataSync()[0]).toBeCloseTo(2 - 0.5, 5);
  });
});
