/**
 * Gradients of log-densities (and of cdfs built on custom ops) with respect to the value and
 * every parameter, against central finite differences of the same float32 function.
 *
 * The fourth-order stencil (f(-2h) - 8 f(-h) + 8 f(h) - f(2h)) / 12h with h = 1e-2 max(|v|, 0.1)
 * has a truncation error of order h^4 f^(5) (about 1e-8 here) and a rounding error of about
 * 1.5 u |F| / h, with u = 2^-24 and F the summed log-density (|F| < 50): at most 1e-3 for the
 * smallest steps. Steps are taken between float32 numbers, so the actual step is used. A
 * gradient passes when |analytic - numeric| <= 2e-3 + 2e-3 |numeric|; a wrong rule (a
 * missing term, a factor of 2) misses by far more at these points.
 *
 * Reparameterized draws are checked in expectation: the Monte Carlo mean of the pathwise
 * derivative d x/d theta must match the derivative of the mean formula, within 4.5 standard
 * errors.
 */
import { describe, expect, it } from "vitest";
import {
  Beta,
  Cauchy,
  Chi2,
  Dirichlet,
  type Distribution,
  Exponential,
  Gamma,
  GaussianRandomWalk,
  Gumbel,
  HalfCauchy,
  HalfNormal,
  InverseGamma,
  Laplace,
  LKJCholesky,
  Logistic,
  LogNormal,
  MultivariateNormal,
  Normal,
  Pareto,
  SkewNormal,
  StudentT,
  TruncatedNormal,
  Uniform,
  VonMises,
  Weibull,
} from "../../src/dist/index.js";
import { PRNGKey } from "../../src/primitives/prng.js";
import { tf } from "../../src/tf.js";
import { moments } from "./stats.js";

type Maker = (...params: tf.Tensor[]) => Distribution;

interface GradientCase {
  name: string;
  make: Maker;
  params: Array<number | number[] | number[][]>;
  /** Points in the support where the log-density is evaluated (summed). */
  values: number[] | number[][] | number[][][];
  /** Whether to differentiate with respect to the value too (default true). */
  value?: boolean;
  /** Use the cdf instead of the log-density. */
  cdf?: boolean;
}

const cases: GradientCase[] = [
  { name: "Normal", make: (l, s) => Normal(l, s), params: [0.3, 1.7], values: [-1.2, 0.4, 2.5] },
  { name: "HalfNormal", make: (s) => HalfNormal(s), params: [1.4], values: [0.2, 1.1, 3] },
  {
    name: "LogNormal",
    make: (l, s) => LogNormal(l, s),
    params: [0.2, 0.6],
    values: [0.4, 1.3, 3.1],
  },
  {
    name: "StudentT",
    make: (v, l, s) => StudentT(v, l, s),
    params: [3.5, -0.4, 1.2],
    values: [-2, 0.1, 1.6],
  },
  { name: "Cauchy", make: (l, s) => Cauchy(l, s), params: [0.5, 0.8], values: [-1.5, 0.7, 4] },
  { name: "HalfCauchy", make: (s) => HalfCauchy(s), params: [1.3], values: [0.3, 1.2, 5] },
  { name: "Exponential", make: (r) => Exponential(r), params: [1.7], values: [0.1, 0.9, 2.2] },
  { name: "Gamma", make: (a, r) => Gamma(a, r), params: [2.4, 1.3], values: [0.5, 1.6, 3.2] },
  {
    name: "InverseGamma",
    make: (a, r) => InverseGamma(a, r),
    params: [3.1, 2.2],
    values: [0.4, 1, 2.1],
  },
  { name: "Chi2", make: (v) => Chi2(v), params: [3.3], values: [0.7, 2.5, 6] },
  { name: "Beta", make: (a, b) => Beta(a, b), params: [2.2, 3.4], values: [0.15, 0.4, 0.8] },
  {
    name: "Uniform",
    make: (lo, hi) => Uniform(lo, hi),
    params: [-1.2, 2.3],
    values: [-0.5, 0.3, 1.9],
  },
  { name: "Laplace", make: (l, s) => Laplace(l, s), params: [0.4, 1.1], values: [-1.3, 0.1, 2.2] },
  { name: "Logistic", make: (l, s) => Logistic(l, s), params: [-0.2, 0.9], values: [-2, 0.4, 1.7] },
  { name: "Gumbel", make: (l, s) => Gumbel(l, s), params: [0.6, 1.4], values: [-1, 0.9, 3.5] },
  { name: "Weibull", make: (s, k) => Weibull(s, k), params: [1.8, 2.3], values: [0.4, 1.5, 2.9] },
  { name: "Pareto", make: (s, a) => Pareto(s, a), params: [0.9, 3.2], values: [1.1, 1.6, 3] },
  {
    name: "VonMises",
    make: (l, k) => VonMises(l, k),
    params: [0.4, 2.7],
    values: [-1.1, 0.5, 2.3],
  },
  {
    name: "VonMises (small concentration)",
    make: (l, k) => VonMises(l, k),
    params: [-0.4, 0.3],
    values: [-2, 0.5, 3],
  },
  {
    name: "TruncatedNormal",
    make: (l, s, lo, hi) => TruncatedNormal(l, s, lo, hi),
    params: [0.3, 1.2, -0.8, 2.1],
    values: [-0.5, 0.6, 1.7],
  },
  {
    name: "TruncatedNormal (upper tail)",
    make: (l, s, lo, hi) => TruncatedNormal(l, s, lo, hi),
    params: [-1, 0.7, 1.5, 3],
    values: [1.7, 2.2, 2.8],
  },
  {
    name: "SkewNormal",
    make: (l, s, a) => SkewNormal(l, s, a),
    params: [0.3, 1.4, 2.5],
    values: [-0.6, 0.8, 2.9],
  },
  {
    name: "MultivariateNormal (covariance)",
    make: (l, c) => MultivariateNormal(l, { covarianceMatrix: c }),
    params: [
      [0.3, -0.5],
      [
        [1.5, 0.4],
        [0.4, 0.9],
      ],
    ],
    values: [
      [0.1, 0.2],
      [-1, 1.3],
    ],
  },
  {
    name: "MultivariateNormal (scaleTril)",
    make: (l, t) => MultivariateNormal(l, { scaleTril: t }),
    params: [
      [0.3, -0.5, 1],
      [
        [1.2, 0, 0],
        [0.4, 0.9, 0],
        [-0.3, 0.2, 0.7],
      ],
    ],
    values: [
      [0.1, 0.2, 0.5],
      [-1, 1.3, 0.9],
    ],
  },
  {
    name: "MultivariateNormal (precision)",
    make: (l, p) => MultivariateNormal(l, { precisionMatrix: p }),
    params: [
      [0.3, -0.5],
      [
        [2, -0.5],
        [-0.5, 1.2],
      ],
    ],
    values: [
      [0.1, 0.2],
      [-1, 1.3],
    ],
  },
  {
    name: "Dirichlet",
    make: (a) => Dirichlet(a),
    params: [[1.3, 2.5, 0.8]],
    values: [
      [0.2, 0.5, 0.3],
      [0.6, 0.1, 0.3],
    ],
  },
  {
    name: "LKJCholesky",
    make: (eta) => LKJCholesky(3, eta),
    params: [1.7],
    values: [
      [
        [1, 0, 0],
        [0.3, Math.sqrt(1 - 0.09), 0],
        [-0.2, 0.4, Math.sqrt(1 - 0.04 - 0.16)],
      ],
    ],
    value: false,
  },
  {
    name: "GaussianRandomWalk",
    make: (s) => GaussianRandomWalk(s, 4),
    params: [0.8],
    values: [[0.3, -0.2, 0.5, 1.1]],
  },
  // cdfs through custom ops (incomplete gamma/beta, Owen's T, normal mass)
  {
    name: "Gamma cdf",
    make: (a, r) => Gamma(a, r),
    params: [2.4, 1.3],
    values: [0.5, 1.6, 3.2],
    cdf: true,
  },
  {
    name: "Gamma cdf (shape below 1)",
    make: (a, r) => Gamma(a, r),
    params: [0.4, 2],
    values: [0.05, 0.3, 1.2],
    cdf: true,
  },
  {
    name: "InverseGamma cdf",
    make: (a, r) => InverseGamma(a, r),
    params: [3.1, 2.2],
    values: [0.4, 1, 2.1],
    cdf: true,
  },
  {
    name: "Beta cdf",
    make: (a, b) => Beta(a, b),
    params: [2.2, 3.4],
    values: [0.15, 0.4, 0.8],
    cdf: true,
  },
  {
    name: "StudentT cdf",
    make: (v, l, s) => StudentT(v, l, s),
    params: [3.5, -0.4, 1.2],
    values: [-2, 0.1, 1.6],
    cdf: true,
  },
  {
    name: "TruncatedNormal cdf",
    make: (l, s, lo, hi) => TruncatedNormal(l, s, lo, hi),
    params: [0.3, 1.2, -0.8, 2.1],
    values: [-0.5, 0.6, 1.7],
    cdf: true,
  },
  {
    name: "SkewNormal cdf",
    make: (l, s, a) => SkewNormal(l, s, a),
    params: [0.3, 1.4, 2.5],
    values: [-0.6, 0.8, 2.9],
    cdf: true,
  },
];

/** F(params, value) = the summed log-density (or cdf). */
function objective(c: GradientCase, params: tf.Tensor[], value: tf.Tensor): tf.Tensor {
  const d = c.make(...params);
  return tf.sum(c.cdf ? d.cdf(value) : d.logProb(value));
}

/** All inputs as flat float arrays with shapes: the parameters, then the value. */
function inputsOf(c: GradientCase): Array<{ name: string; values: number[]; shape: number[] }> {
  const flat = (x: unknown): { values: number[]; shape: number[] } => {
    const t = tf.tensor(x as number[]);
    const out = { values: Array.from(t.dataSync()), shape: t.shape.slice() };
    t.dispose();
    return out;
  };
  const inputs = c.params.map((p, i) => ({ name: `param ${i}`, ...flat(p) }));
  inputs.push({ name: "value", ...flat(c.values) });
  return inputs;
}

function evaluate(c: GradientCase, inputs: Array<{ values: number[]; shape: number[] }>): number {
  return tf.tidy(() => {
    const tensors = inputs.map((x) => tf.tensor(x.values, x.shape));
    const value = tensors.pop() as tf.Tensor;
    return objective(c, tensors, value).dataSync()[0];
  });
}

function analyticGradients(
  c: GradientCase,
  inputs: Array<{ values: number[]; shape: number[] }>,
): number[][] {
  return tf.tidy(() => {
    const tensors = inputs.map((x) => tf.tensor(x.values, x.shape));
    const grads = tf.grads((...xs: tf.Tensor[]) => {
      const value = xs[xs.length - 1];
      return objective(c, xs.slice(0, -1), value);
    })(tensors);
    return grads.map((g) => Array.from(g.dataSync()));
  });
}

describe("log-density and cdf gradients against central finite differences", () => {
  for (const c of cases) {
    it(c.name, () => {
      const inputs = inputsOf(c);
      const analytic = analyticGradients(c, inputs);
      const failures: string[] = [];
      inputs.forEach((input, i) => {
        if (input.name === "value" && c.value === false) return;
        const isMatrix =
          input.name === "param 1" && /MultivariateNormal \((covariance|precision)/.test(c.name);
        const isTriangle = input.name === "param 1" && c.name === "MultivariateNormal (scaleTril)";
        input.values.forEach((v, j) => {
          // A covariance is symmetric: perturb (i, j) and (j, i) together and compare with their sum.
          const d = input.shape[input.shape.length - 1];
          const row = Math.floor(j / d);
          const col = j % d;
          if ((isMatrix || isTriangle) && col > row) return;
          const mirror = isMatrix && col !== row ? col * d + row : -1;
          const h = 1e-2 * Math.max(Math.abs(v), 0.1);
          const at = (k: number) => {
            const perturbed = inputs.map((x) => ({ ...x, values: x.values.slice() }));
            perturbed[i].values[j] = Math.fround(v + k * h);
            if (mirror >= 0) perturbed[i].values[mirror] = perturbed[i].values[j];
            return { f: evaluate(c, perturbed), x: perturbed[i].values[j] };
          };
          const m2 = at(-2);
          const m1 = at(-1);
          const p1 = at(1);
          const p2 = at(2);
          const step = (p2.x - m2.x) / 4;
          const numeric = (m2.f - 8 * m1.f + 8 * p1.f - p2.f) / (12 * step);
          const a = analytic[i][j] + (mirror >= 0 ? analytic[i][mirror] : 0);
          if (!(Math.abs(a - numeric) <= 2e-3 + 2e-3 * Math.abs(numeric))) {
            failures.push(`d/d ${input.name}[${j}]: analytic ${a}, numeric ${numeric}`);
          }
        });
      });
      expect(failures).toEqual([]);
    });
  }
});

describe("reparameterized draws: E[dx/dtheta] = d E[x]/dtheta", () => {
  const n = 4000;
  const reparam: Array<{ name: string; make: Maker; params: number[]; component?: number }> = [
    { name: "Gamma, shape above 1", make: (a, r) => Gamma(a, r), params: [2.5, 1.5] },
    { name: "Gamma, shape below 1", make: (a, r) => Gamma(a, r), params: [0.4, 0.8] },
    { name: "Beta", make: (a, b) => Beta(a, b), params: [1.5, 0.7] },
    { name: "InverseGamma", make: (a, r) => InverseGamma(a, r), params: [4, 2] },
    { name: "StudentT", make: (v, l, s) => StudentT(v, l, s), params: [6, 0.5, 1.2] },
    {
      name: "TruncatedNormal",
      make: (l, s, lo, hi) => TruncatedNormal(l, s, lo, hi),
      params: [0.3, 1.2, -0.5, 1.5],
    },
    { name: "LogNormal", make: (l, s) => LogNormal(l, s), params: [0.1, 0.5] },
    { name: "Weibull", make: (s, k) => Weibull(s, k), params: [1.5, 2] },
  ];
  for (const r of reparam) {
    it(r.name, () => {
      const params = r.params.map((p) => tf.scalar(p));
      // The gradient of a batch mean of draws is the batch mean of per-draw derivatives;
      // 20 independent batches give the Monte Carlo standard error.
      const batches = 20;
      const batchMeans = params.map(() => [] as number[]);
      for (let b = 0; b < batches; b++) {
        const g = tf.tidy(() =>
          tf.grads((...ps: tf.Tensor[]) =>
            tf.mean(r.make(...ps).sample(PRNGKey(100 + b), [n / batches])),
          )(params),
        );
        g.forEach((gi, i) => {
          batchMeans[i].push(gi.dataSync()[0]);
        });
      }
      // (+ 0 * params keeps every parameter connected, e.g. df, on which StudentT's mean does not depend)
      const meanGrad = tf.tidy(() =>
        tf.grads((...ps: tf.Tensor[]) =>
          tf.add(tf.sum(r.make(...ps).mean), tf.mul(0, tf.addN(ps))),
        )(params),
      );
      params.forEach((_, i) => {
        const exact = meanGrad[i].dataSync()[0];
        const m = moments(batchMeans[i]);
        if (m.meanError === 0) {
          // every draw has the same derivative (e.g. d x/d loc = 1)
          expect(m.mean).toBeCloseTo(exact, 5);
          return;
        }
        const z = (m.mean - exact) / m.meanError;
        if (!(Math.abs(z) <= 4.5)) {
          throw new Error(
            `${r.name}: d mean/d param ${i} is ${exact}, pathwise average ${m.mean} (z = ${z.toFixed(2)})`,
          );
        }
      });
    });
  }

  it("Dirichlet", () => {
    const alpha = tf.tensor1d([0.6, 2, 3]);
    const batchMeans: number[][] = [[], [], []];
    for (let b = 0; b < 20; b++) {
      const g = tf.tidy(() => {
        // d E[x_0] / d alpha = (delta_0j a0 - a_0) / a0^2
        const [grad] = tf.grads((a: tf.Tensor) =>
          tf.mean(tf.slice(Dirichlet(a).sample(PRNGKey(200 + b), [200]), [0, 0], [200, 1])),
        )([alpha]);
        return Array.from(grad.dataSync());
      });
      g.forEach((v, j) => {
        batchMeans[j].push(v);
      });
    }
    const a0 = 5.6;
    const exact = [(a0 - 0.6) / (a0 * a0), -0.6 / (a0 * a0), -0.6 / (a0 * a0)];
    exact.forEach((e, j) => {
      const m = moments(batchMeans[j]);
      expect(Math.abs(m.mean - e) / m.meanError).toBeLessThan(4.5);
    });
  });
});
