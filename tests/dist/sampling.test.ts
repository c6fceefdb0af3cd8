/**
 * Samplers, with fixed keys: sample mean and variance within 4.5 Monte Carlo standard errors
 * of `mean` and `variance`, and a Kolmogorov-Smirnov (continuous) or chi-square (discrete)
 * test that does not reject at 1e-3. Parameters are chosen to exercise every branch of the
 * algorithms (Marsaglia-Tsang with shape below and above 1, Poisson inversion and PTRS,
 * binomial inversion, BTRS and the p > 1/2 reflection, Best-Fisher at small and large
 * concentrations), and, for the moment check, to have a finite fourth moment.
 */
import { describe, expect, it } from "vitest";
import {
  Bernoulli,
  Beta,
  BetaBinomial,
  Binomial,
  Categorical,
  Cauchy,
  Chi2,
  constraints,
  Delta,
  Dirichlet,
  DiscreteUniform,
  type Distribution,
  Exponential,
  ExpTransform,
  Gamma,
  GaussianRandomWalk,
  Geometric,
  Gumbel,
  HalfCauchy,
  HalfNormal,
  ImproperUniform,
  InverseGamma,
  Laplace,
  LKJCholesky,
  Logistic,
  LogNormal,
  MixtureSameFamily,
  Multinomial,
  MultivariateNormal,
  NegativeBinomial2,
  Normal,
  Pareto,
  Poisson,
  SkewNormal,
  StudentT,
  TransformedDistribution,
  TruncatedNormal,
  Uniform,
  VonMises,
  Weibull,
} from "../../src/dist/index.js";
import { PRNGKey, split } from "../../src/primitives/prng.js";
import { tf, tidyValue } from "../../src/tf.js";
import { expectChiSquare, expectKS, expectMoments, moments } from "./stats.js";

const N = 20_000;

function scalar(t: tf.Tensor): number {
  return t.dataSync()[0];
}

function draws(d: Distribution, seed: number, n = N): Float64Array {
  return tidyValue(() => Float64Array.from(d.sample(PRNGKey(seed), [n]).dataSync()));
}

interface ContinuousCase {
  name: string;
  make: () => Distribution;
  moments?: boolean;
}

const continuous: ContinuousCase[] = [
  { name: "Normal(1.5, 2)", make: () => Normal(1.5, 2) },
  { name: "HalfNormal(1.3)", make: () => HalfNormal(1.3) },
  { name: "LogNormal(0.2, 0.4)", make: () => LogNormal(0.2, 0.4) },
  { name: "StudentT(12, 1, 2)", make: () => StudentT(12, 1, 2) },
  { name: "StudentT(2.5, 0, 1) (cdf only)", make: () => StudentT(2.5, 0, 1), moments: false },
  { name: "Cauchy(-1, 0.5)", make: () => Cauchy(-1, 0.5), moments: false },
  { name: "HalfCauchy(2)", make: () => HalfCauchy(2), moments: false },
  { name: "Exponential(2.5)", make: () => Exponential(2.5) },
  { name: "Gamma(4.5, 2) (shape above 1)", make: () => Gamma(4.5, 2) },
  { name: "Gamma(0.3, 1.5) (shape below 1)", make: () => Gamma(0.3, 1.5) },
  { name: "Gamma(1, 1)", make: () => Gamma(1, 1) },
  { name: "InverseGamma(12, 3)", make: () => InverseGamma(12, 3) },
  { name: "Chi2(5)", make: () => Chi2(5) },
  { name: "Beta(2.5, 4)", make: () => Beta(2.5, 4) },
  { name: "Beta(0.3, 0.5)", make: () => Beta(0.3, 0.5) },
  { name: "Uniform(-1, 3)", make: () => Uniform(-1, 3) },
  { name: "Laplace(0.5, 1.2)", make: () => Laplace(0.5, 1.2) },
  { name: "Logistic(-0.3, 0.7)", make: () => Logistic(-0.3, 0.7) },
  { name: "Gumbel(1, 2)", make: () => Gumbel(1, 2) },
  { name: "Weibull(2, 1.7)", make: () => Weibull(2, 1.7) },
  { name: "Pareto(1.5, 12)", make: () => Pareto(1.5, 12) },
  { name: "TruncatedNormal(0.5, 1, -0.2, 2)", make: () => TruncatedNormal(0.5, 1, -0.2, 2) },
  {
    name: "TruncatedNormal(0, 1, 3, inf) (upper tail)",
    make: () => TruncatedNormal(0, 1, 3, Infinity),
  },
  {
    name: "TruncatedNormal(0, 1, -inf, -4) (lower tail)",
    make: () => TruncatedNormal(0, 1, -Infinity, -4),
  },
  { name: "SkewNormal(1, 2, 3)", make: () => SkewNormal(1, 2, 3) },
  { name: "SkewNormal(0, 1, -1.5)", make: () => SkewNormal(0, 1, -1.5) },
  {
    name: "MixtureSameFamily(Categorical, Normal)",
    make: () =>
      new MixtureSameFamily(Categorical({ probs: [0.3, 0.7] }), Normal([-2, 1.5], [0.5, 1])),
  },
  {
    name: "TransformedDistribution(Normal, exp)",
    make: () => new TransformedDistribution(Normal(0.2, 0.4), new ExpTransform()),
    moments: false,
  },
];

describe("continuous samplers", () => {
  for (const c of continuous) {
    it(c.name, () => {
      const d = c.make();
      const x = draws(d, 7);
      if (c.moments !== false) expectMoments(x, scalar(d.mean), scalar(d.variance), c.name);
      expectKS(x, (sorted) => tf.tidy(() => d.cdf(sorted).dataSync()), c.name);
    });
  }

  it("TransformedDistribution(Normal, exp) draws like LogNormal", () => {
    const d = new TransformedDistribution(Normal(0.2, 0.4), new ExpTransform());
    const reference = LogNormal(0.2, 0.4);
    expectKS(draws(d, 3), (s) => tf.tidy(() => reference.cdf(s).dataSync()), "exp of Normal");
  });

  for (const [loc, concentration] of [
    [0.7, 0.5],
    [-2.5, 4],
    [3, 40],
  ]) {
    it(`VonMises(${loc}, ${concentration}): circular moments and KS against the integrated density`, () => {
      const d = VonMises(loc, concentration);
      const x = draws(d, 11);
      expect(x.every((v) => v >= -Math.PI && v <= Math.PI)).toBe(true);
      // E cos(x - loc) = I1(k)/I0(k) = 1 - circular variance; E sin(x - loc) = 0.
      const meanResultant = 1 - scalar(d.variance);
      const cosines = x.map((v) => Math.cos(v - loc));
      const sines = x.map((v) => Math.sin(v - loc));
      const c = moments(cosines);
      const s = moments(sines);
      expect(Math.abs(c.mean - meanResultant) / c.meanError).toBeLessThan(4.5);
      expect(Math.abs(s.mean) / s.meanError).toBeLessThan(4.5);
      // cdf by the trapezoidal rule on the density over [-pi, pi]
      const grid = 4001;
      const points = Float64Array.from(
        { length: grid },
        (_, i) => -Math.PI + (2 * Math.PI * i) / (grid - 1),
      );
      const density = tf.tidy(() => Array.from(tf.exp(d.logProb(points)).dataSync()));
      const cumulative = new Float64Array(grid);
      for (let i = 1; i < grid; i++) {
        cumulative[i] =
          cumulative[i - 1] + ((density[i] + density[i - 1]) / 2) * (points[i] - points[i - 1]);
      }
      expect(cumulative[grid - 1]).toBeCloseTo(1, 5);
      const cdf = (sorted: Float64Array) =>
        sorted.map((v) => {
          const t = ((v + Math.PI) / (2 * Math.PI)) * (grid - 1);
          const i = Math.min(grid - 2, Math.floor(t));
          return cumulative[i] + (cumulative[i + 1] - cumulative[i]) * (t - i);
        });
      expectKS(x, cdf, `VonMises(${loc}, ${concentration})`);
    });
  }
});

interface DiscreteCase {
  name: string;
  make: () => Distribution;
  range: [number, number];
}

const discrete: DiscreteCase[] = [
  { name: "Bernoulli({ probs: 0.3 })", make: () => Bernoulli({ probs: 0.3 }), range: [0, 1] },
  { name: "Bernoulli({ logits: -1.2 })", make: () => Bernoulli({ logits: -1.2 }), range: [0, 1] },
  {
    name: "Binomial(20, 0.2) (inversion)",
    make: () => Binomial(20, { probs: 0.2 }),
    range: [0, 20],
  },
  { name: "Binomial(200, 0.4) (BTRS)", make: () => Binomial(200, { probs: 0.4 }), range: [0, 200] },
  {
    name: "Binomial(100, 0.85) (reflected)",
    make: () => Binomial(100, { probs: 0.85 }),
    range: [0, 100],
  },
  { name: "Binomial(30, logits 0.4)", make: () => Binomial(30, { logits: 0.4 }), range: [0, 30] },
  { name: "Poisson(3.2) (inversion)", make: () => Poisson(3.2), range: [0, 40] },
  { name: "Poisson(25) (PTRS)", make: () => Poisson(25), range: [0, 100] },
  { name: "Poisson(1000) (PTRS)", make: () => Poisson(1000), range: [800, 1200] },
  { name: "Geometric({ probs: 0.3 })", make: () => Geometric({ probs: 0.3 }), range: [0, 80] },
  { name: "Geometric({ logits: 1.5 })", make: () => Geometric({ logits: 1.5 }), range: [0, 40] },
  { name: "NegativeBinomial2(6, 2.5)", make: () => NegativeBinomial2(6, 2.5), range: [0, 150] },
  { name: "BetaBinomial(2, 3, 15)", make: () => BetaBinomial(2, 3, 15), range: [0, 15] },
  { name: "DiscreteUniform(-3, 4)", make: () => DiscreteUniform(-3, 4), range: [-3, 4] },
];

describe("discrete samplers", () => {
  for (const c of discrete) {
    it(c.name, () => {
      const d = c.make();
      const x = draws(d, 13);
      expectMoments(x, scalar(d.mean), scalar(d.variance), c.name);
      const [lo, hi] = c.range;
      const ks = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
      const pmf = tf.tidy(() => Array.from(tf.exp(d.logProb(ks)).dataSync()));
      expectChiSquare(x, (k) => pmf[k - lo], lo, hi, c.name);
    });
  }

  it("Categorical: chi-square against its probabilities", () => {
    const probs = [0.1, 0.25, 0.05, 0.4, 0.2];
    const x = draws(Categorical({ probs }), 17);
    expectChiSquare(x, (k) => probs[k], 0, 4, "Categorical");
    const fromLogits = draws(Categorical({ logits: probs.map(Math.log) }), 19);
    expectChiSquare(fromLogits, (k) => probs[k], 0, 4, "Categorical from logits");
  });
});

describe("multivariate samplers", () => {
  it("MultivariateNormal: mean, covariance and a KS test of a projection", () => {
    const loc = [1, -2, 0.5];
    const cov = [
      [2, 0.6, -0.3],
      [0.6, 1, 0.2],
      [-0.3, 0.2, 0.5],
    ];
    for (const [name, d] of [
      ["covarianceMatrix", MultivariateNormal(loc, { covarianceMatrix: cov })],
      ["precisionMatrix", MultivariateNormal(loc, { precisionMatrix: invert3(cov) })],
    ] as const) {
      const x = tf.tidy(() => d.sample(PRNGKey(23), [N]).arraySync() as number[][]);
      for (let i = 0; i < 3; i++) {
        const column = x.map((row) => row[i]);
        expectMoments(column, loc[i], cov[i][i], `${name} component ${i}`);
        for (let j = 0; j < i; j++) {
          const product = x.map((row) => (row[i] - loc[i]) * (row[j] - loc[j]));
          const m = moments(product);
          expect(Math.abs(m.mean - cov[i][j]) / m.meanError).toBeLessThan(4.5);
        }
      }
      // w . x ~ Normal(w . loc, w^T cov w)
      const w = [0.3, -1, 2];
      const projected = x.map((row) => row.reduce((s, v, i) => s + w[i] * v, 0));
      const m = w.reduce((s, wi, i) => s + wi * loc[i], 0);
      let v = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) v += w[i] * w[j] * cov[i][j];
      const reference = Normal(m, Math.sqrt(v));
      expectKS(projected, (s) => tf.tidy(() => reference.cdf(s).dataSync()), `${name} projection`);
    }
  });

  it("Dirichlet: componentwise moments and Beta marginals", () => {
    const alpha = [0.4, 2, 3.5];
    const total = alpha.reduce((a, b) => a + b, 0);
    const d = Dirichlet(alpha);
    const x = tf.tidy(() => d.sample(PRNGKey(29), [N]).arraySync() as number[][]);
    expect(x.every((row) => Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5)).toBe(true);
    const mean = Array.from(d.mean.dataSync());
    const variance = Array.from(d.variance.dataSync());
    for (let i = 0; i < 3; i++) {
      const column = x.map((row) => row[i]);
      expectMoments(column, mean[i], variance[i], `Dirichlet component ${i}`);
      const marginal = Beta(alpha[i], total - alpha[i]);
      expectKS(column, (s) => tf.tidy(() => marginal.cdf(s).dataSync()), `Dirichlet marginal ${i}`);
    }
  });

  it("Multinomial: componentwise moments and binomial marginals", () => {
    const probs = [0.2, 0.5, 0.3];
    const n = 12;
    const d = Multinomial(n, { probs });
    const x = tf.tidy(() => d.sample(PRNGKey(31), [N]).arraySync() as number[][]);
    expect(x.every((row) => row.reduce((a, b) => a + b, 0) === n)).toBe(true);
    const mean = Array.from(d.mean.dataSync());
    const variance = Array.from(d.variance.dataSync());
    for (let i = 0; i < 3; i++) {
      const column = x.map((row) => row[i]);
      expectMoments(column, mean[i], variance[i], `Multinomial component ${i}`);
      const marginal = Binomial(n, { probs: probs[i] });
      const pmf = tf.tidy(() =>
        Array.from(tf.exp(marginal.logProb(Array.from({ length: n + 1 }, (_, k) => k))).dataSync()),
      );
      expectChiSquare(column, (k) => pmf[k], 0, n, `Multinomial marginal ${i}`);
    }
  });

  for (const [dimension, eta] of [
    [2, 0.7],
    [4, 2],
  ]) {
    it(`LKJCholesky(${dimension}, ${eta}): rows of unit norm, correlation marginal 2 Beta(b, b) - 1`, () => {
      const d = LKJCholesky(dimension, eta);
      const l = tf.tidy(() => d.sample(PRNGKey(37), [N]).arraySync() as number[][][]);
      expect(tf.tidy(() => tf.all(d.support.check(tf.tensor(l))).dataSync()[0])).toBe(1);
      // r = L[1][0]; with b = eta - 1 + D/2, (r + 1)/2 ~ Beta(b, b): mean 0, variance 1/(2 eta + D - 1)
      const r = l.map((m) => m[1][0]);
      expectMoments(r, 0, 1 / (2 * eta + dimension - 1), "LKJ correlation");
      const b = eta - 1 + dimension / 2;
      const marginal = Beta(b, b);
      expectKS(
        r,
        (s) => tf.tidy(() => marginal.cdf(s.map((v) => (v + 1) / 2)).dataSync()),
        "LKJ correlation",
      );
    });
  }

  it("GaussianRandomWalk: step variances and the last position", () => {
    const d = GaussianRandomWalk(0.7, 5);
    const x = tf.tidy(() => d.sample(PRNGKey(41), [N]).arraySync() as number[][]);
    const variance = Array.from(d.variance.dataSync());
    for (let t = 0; t < 5; t++)
      expectMoments(
        x.map((row) => row[t]),
        0,
        variance[t],
        `step ${t}`,
      );
    const increments = x.map((row) => row[3] - row[2]);
    expectMoments(increments, 0, 0.49, "increment");
  });
});

describe("sampling is reproducible", () => {
  const cases: Array<[string, () => Distribution]> = [
    ["Gamma", () => Gamma(0.7, 1)],
    ["Poisson", () => Poisson(30)],
    ["Binomial", () => Binomial(50, { probs: 0.4 })],
    ["Beta", () => Beta(0.5, 2)],
    ["VonMises", () => VonMises(0, 3)],
    ["Dirichlet", () => Dirichlet([1, 2, 3])],
    ["LKJCholesky", () => LKJCholesky(3, 1.5)],
    ["Normal", () => Normal(0, 1)],
  ];
  for (const [name, make] of cases) {
    it(`${name}: the same key gives the same draws, another key others`, () => {
      const [k1, k2] = split(PRNGKey(5));
      const a = tf.tidy(() => Array.from(make().sample(k1, [50]).dataSync()));
      const b = tf.tidy(() => Array.from(make().sample(k1, [50]).dataSync()));
      const c = tf.tidy(() => Array.from(make().sample(k2, [50]).dataSync()));
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
    });
  }
});

describe("degenerate and improper distributions", () => {
  it("Delta draws its value", () => {
    expect(Array.from(Delta(2.5).sample(PRNGKey(0), [3]).dataSync())).toEqual([2.5, 2.5, 2.5]);
  });
  it("ImproperUniform draws inside its support (uniform(-2, 2) unconstrained)", () => {
    const d = ImproperUniform(constraints.greaterThan(3), [4]);
    const x = d.sample(PRNGKey(1), [100]);
    expect(x.shape).toEqual([100, 4]);
    const values = Array.from(x.dataSync());
    expect(values.every((v) => v > 3 + Math.exp(-2) - 1e-5 && v < 3 + Math.exp(2) + 1e-5)).toBe(
      true,
    );
    const simplexDraw = ImproperUniform(constraints.simplex, [], [3]).sample(PRNGKey(2), [5]);
    expect(simplexDraw.shape).toEqual([5, 3]);
    expect(
      Array.from(tf.sum(simplexDraw, -1).dataSync()).every((s) => Math.abs(s - 1) < 1e-5),
    ).toBe(true);
  });
});

/** The inverse of a 3 x 3 matrix by cofactors (test helper). */
function invert3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}
