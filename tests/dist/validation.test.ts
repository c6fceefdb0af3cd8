/**
 * Parameter validation (errors name the family, the parameter, the rule and the value, and
 * can be switched off), finite supports (enumerateSupport carries all the mass), and the
 * quantile functions (cdf(icdf(q)) = q).
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  Bernoulli,
  Beta,
  BetaBinomial,
  Binomial,
  Categorical,
  Cauchy,
  Chi2,
  Dirichlet,
  DiscreteUniform,
  type Distribution,
  Exponential,
  Gamma,
  Gumbel,
  HalfCauchy,
  HalfNormal,
  InverseGamma,
  Laplace,
  LKJCholesky,
  Logistic,
  LogNormal,
  Multinomial,
  MultivariateNormal,
  NegativeBinomial2,
  Normal,
  Pareto,
  Poisson,
  StudentT,
  setValidation,
  TruncatedNormal,
  Uniform,
  VonMises,
  Weibull,
} from "../../src/dist/index.js";
import { withoutTensorValidation } from "../../src/dist/validation.js";
import { DistributionParameterError } from "../../src/errors.js";
import { PRNGKey } from "../../src/primitives/prng.js";
import { tf, tidyValue } from "../../src/tf.js";

afterEach(() => setValidation(true));

function failure(make: () => Distribution): DistributionParameterError {
  try {
    make().logProb(0.5);
  } catch (e) {
    if (e instanceof DistributionParameterError) return e;
    throw e;
  }
  throw new Error("expected a DistributionParameterError");
}

describe("parameter validation", () => {
  const cases: Array<[() => Distribution, RegExp, string]> = [
    [() => Normal(0, -1), /^Normal: scale must be positive, got -1$/, "scale"],
    [() => Gamma(-2, 1), /^Gamma: concentration must be positive, got -2$/, "concentration"],
    [() => Beta(1, 0), /^Beta: concentration0 must be positive, got 0$/, "concentration0"],
    [() => StudentT(0, 0, 1), /^StudentT: df must be positive, got 0$/, "df"],
    [() => Uniform(2, 1), /^Uniform: high must be greater than low \(2\), got 1$/, "high"],
    [
      () => Uniform([0, 0, 3], 2),
      /^Uniform: high must be greater than low \(3\), got 2 at index 2$/,
      "high",
    ],
    [
      () => TruncatedNormal(0, 1, 1, 0.5),
      /^TruncatedNormal: high must be greater than low \(1\), got 0.5$/,
      "high",
    ],
    [
      () => Binomial(3.5, { probs: 0.2 }),
      /^Binomial: totalCount must be an integer >= 0, got 3.5$/,
      "totalCount",
    ],
    [() => Binomial(3, { probs: 1.2 }), /^Binomial: probs must be in \[0, 1\], got 1.2$/, "probs"],
    [() => Bernoulli({ probs: -0.1 }), /^Bernoulli: probs must be in \[0, 1\], got -0.1$/, "probs"],
    [() => Poisson(-1), /^Poisson: rate must be nonnegative, got -1$/, "rate"],
    [
      () => Categorical({ probs: [0.5, 0.6] }),
      /^Categorical: probs must be a probability vector/,
      "probs",
    ],
    [
      () => Dirichlet([1, -1]),
      /^Dirichlet: concentration must be positive, got -1 at index 1$/,
      "concentration",
    ],
    [
      () =>
        MultivariateNormal([0, 0], {
          covarianceMatrix: [
            [1, 2],
            [2, 1],
          ],
        }),
      /^MultivariateNormal: covarianceMatrix must be a symmetric positive definite matrix/,
      "covarianceMatrix",
    ],
    [
      () =>
        MultivariateNormal([0, 0], {
          scaleTril: [
            [1, 1],
            [0, 1],
          ],
        }),
      /^MultivariateNormal: scaleTril must be lower triangular with a positive diagonal/,
      "scaleTril",
    ],
    [
      () => DiscreteUniform(3, 1),
      /^DiscreteUniform: high must be an integer greater than or equal to low \(3\), got 1$/,
      "high",
    ],
    [
      () => NegativeBinomial2(2, 0),
      /^NegativeBinomial2: concentration must be positive, got 0$/,
      "concentration",
    ],
    [
      () => VonMises(0, -1),
      /^VonMises: concentration must be nonnegative, got -1$/,
      "concentration",
    ],
    [
      () => Multinomial(2, { probs: [0.3, 0.3] }),
      /^Multinomial: probs must be a probability vector/,
      "probs",
    ],
    [
      () => LKJCholesky(3, 0),
      /^LKJCholesky: concentration must be positive, got 0$/,
      "concentration",
    ],
  ];
  for (const [make, message, parameter] of cases) {
    it(`${message.source.slice(1, 40)}...`, () => {
      const e = failure(make);
      expect(e.message).toMatch(message);
      expect(e.parameter).toBe(parameter);
      expect(e.family).toBe(e.message.split(":")[0]);
    });
  }

  it("names the site when one is given", () => {
    expect(() => Normal(0, -1).assertValid("sigma")).toThrow(
      'Normal: scale must be positive, got -1 (site "sigma")',
    );
  });

  it("setValidation(false) turns the checks off", () => {
    setValidation(false);
    expect(() => Normal(0, -1).logProb(0)).not.toThrow();
    expect(() => Uniform(2, 1).sample(PRNGKey(0))).not.toThrow();
  });

  it("tensor parameters are not read back inside inference, constants still are", () => {
    const computed = tf.mul(tf.scalar(-1), 2);
    expect(() => withoutTensorValidation(() => Normal(0, computed).logProb(0))).not.toThrow();
    expect(() => withoutTensorValidation(() => Normal(0, -1).logProb(0))).toThrow(
      DistributionParameterError,
    );
    expect(() => Normal(0, computed).logProb(0)).toThrow(/scale must be positive, got -2/);
  });

  it("the probs/logits choice and MultivariateNormal's spread are checked", () => {
    expect(() => Binomial(3, {} as { probs: number })).toThrow(
      /^Binomial: give exactly one of \{ probs \} or \{ logits \}.*got an empty record$/,
    );
    expect(() => Categorical({ probs: [0.5, 0.5], logits: [0, 0] } as never)).toThrow(
      /exactly one.*got \{ probs, logits \}$/,
    );
    // NumPyro's positional Categorical(probs) is a record here: the error says so.
    expect(() => Categorical([0.2, 0.8] as never)).toThrow(
      /Categorical: .*got an array or tensor, not a record: write \{ probs: \.\.\. \}/,
    );
    expect(() => MultivariateNormal([0], {} as never)).toThrow(
      /give exactly one of \{ covarianceMatrix \}/,
    );
  });
});

describe("enumerateSupport", () => {
  const cases: Array<[string, Distribution, number]> = [
    ["Bernoulli", Bernoulli({ probs: tf.tensor([0.2, 0.7]) }), 2],
    ["Binomial", Binomial(6, { logits: tf.tensor([0.3, -1]) }), 7],
    ["BetaBinomial", BetaBinomial(tf.tensor([1.5, 3]), 2, 9), 10],
    [
      "Categorical",
      Categorical({
        probs: [
          [0.1, 0.2, 0.7],
          [0.3, 0.3, 0.4],
        ],
      }),
      3,
    ],
    ["DiscreteUniform", DiscreteUniform(-2, tf.tensor([3, 3])), 6],
  ];
  for (const [name, d, n] of cases) {
    it(`${name}: every value, with all the mass`, () => {
      const values = d.enumerateSupport();
      expect(values.shape).toEqual([n, ...d.batchShape]);
      expect(d.enumerateSupport(false).shape).toEqual([n, ...d.batchShape.map(() => 1)]);
      const total = tidyValue(() => Array.from(tf.sum(tf.exp(d.logProb(values)), 0).dataSync()));
      for (const t of total) expect(t).toBeCloseTo(1, 5);
    });
  }
  it("refuses batches with different supports", () => {
    expect(() => Binomial(tf.tensor([3, 4]), { probs: 0.5 }).enumerateSupport()).toThrow(
      /same totalCount/,
    );
  });
});

describe("icdf inverts cdf", () => {
  const cases: Array<[string, Distribution]> = [
    ["Normal", Normal(0.5, 2)],
    ["HalfNormal", HalfNormal(1.5)],
    ["LogNormal", LogNormal(0.2, 0.7)],
    ["StudentT", StudentT(4.5, 1, 2)],
    ["Cauchy", Cauchy(1, 0.5)],
    ["HalfCauchy", HalfCauchy(2)],
    ["Exponential", Exponential(1.7)],
    ["Gamma", Gamma(2.3, 0.8)],
    ["InverseGamma", InverseGamma(3, 2)],
    ["Chi2", Chi2(4)],
    ["Beta", Beta(0.7, 2.5)],
    ["Uniform", Uniform(-1, 4)],
    ["Laplace", Laplace(0, 1.5)],
    ["Logistic", Logistic(1, 0.5)],
    ["Gumbel", Gumbel(0.3, 1.2)],
    ["Weibull", Weibull(2, 0.8)],
    ["Pareto", Pareto(1.2, 3)],
    ["TruncatedNormal", TruncatedNormal(0.5, 1, -0.3, 2.5)],
  ];
  const q = [0.01, 0.2, 0.5, 0.77, 0.99];
  for (const [name, d] of cases) {
    it(name, () => {
      const back = tidyValue(() => Array.from(d.cdf(d.icdf(q)).dataSync()));
      back.forEach((v, i) => {
        expect(Math.abs(v - q[i])).toBeLessThan(2e-5);
      });
    });
  }
});
