/**
 * The float64 special functions behind the custom ops, against oracles that do not share
 * their code: closed forms at special arguments (integer and half-integer shapes, unit
 * shapes of the incomplete beta), sums of binomial and Poisson probabilities, numerical
 * quadrature of the defining integrals, and inverse round trips; within 1e-9 relative.
 * Derivative rules are checked with `checkGrad` (float64 central differences, 1e-6
 * relative step) against the ops' own float64 forward passes.
 */
import erfF64 from "@stdlib/math-base-special-erf";
import gammalnF64 from "@stdlib/math-base-special-gammaln";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkGrad } from "../../src/custom-vjp/check-grad.js";
import type { Op } from "../../src/custom-vjp/define-op.js";
import { digamma, erfinv, lgamma, trigamma, unaryOp } from "../../src/custom-vjp/special.js";
import { logBesselI0, logBesselI1 } from "../../src/custom-vjp/special-bessel.js";
import { logBesselI0F64, logBesselI1F64 } from "../../src/custom-vjp/special-bessel-rules.js";
import {
  betainc,
  betaincinv,
  gammainc,
  gammaincc,
  gammaincinv,
  lbeta,
} from "../../src/custom-vjp/special-incomplete.js";
import {
  betaincF64Safe,
  betaincGradShapeF64,
  betaincinvF64Safe,
  gammaincinvLowerF64,
  gammaincLowerDaF64,
  gammaincLowerF64,
  gammaincUpperF64,
} from "../../src/custom-vjp/special-incomplete-rules.js";
import {
  cholesky,
  solveLowerTriangular,
  solveLowerTriangularTransposed,
} from "../../src/custom-vjp/special-linalg.js";
import {
  erfc,
  logNdtr,
  logNormalMass,
  ndtri,
  owensT,
  truncatedNormalQuantile,
} from "../../src/custom-vjp/special-normal.js";
import {
  logNdtrF64,
  logNormalMassF64,
  ndtriF64,
  owensTF64,
  truncatedNormalQuantileF64,
} from "../../src/custom-vjp/special-normal-rules.js";
import { constraints } from "../../src/dist/index.js";
import {
  type CheckOpOptions,
  checkOp,
  type OpInputArbitraries,
} from "../../src/testing/check-op.js";
import { readableDouble } from "../../src/testing/readable-number.js";
import { arbitraryValueIn } from "../../src/testing/support-arbitrary.js";
import { tf } from "../../src/tf.js";

function expectRelative(got: number, want: number, rtol: number, what: string): void {
  const error = Math.abs(got - want) / Math.max(Math.abs(want), Number.MIN_VALUE);
  if (!(error <= rtol))
    throw new Error(
      `${what}: got ${got}, expected ${want}, relative error ${error.toExponential(2)}`,
    );
}

/** Composite Simpson's rule of f on [a, b] with n (even) intervals. */
function simpson(f: (t: number) => number, a: number, b: number, n: number): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

describe("log-Bessel functions", () => {
  // e^-x I_n(x) = (1/pi) int_0^pi exp(x (cos t - 1)) cos(n t) dt; the trapezoidal rule on a
  // periodic analytic integrand converges exponentially (Trefethen & Weideman 2014).
  function scaledBesselByQuadrature(order: number, x: number): number {
    const n = Math.ceil(200 + 40 * Math.sqrt(x));
    let sum = 0;
    for (let i = 0; i <= n; i++) {
      const t = (Math.PI * i) / n;
      const w = i === 0 || i === n ? 0.5 : 1;
      sum += w * Math.exp(x * (Math.cos(t) - 1)) * Math.cos(order * t);
    }
    return sum / n;
  }
  for (const x of [1e-3, 0.1, 0.5, 1, 2.5, 7, 15, 29.9, 30.1, 45, 100, 700, 1e4]) {
    it(`log I0 and log I1 at ${x}`, () => {
      expectRelative(Math.exp(logBesselI0F64(x) - x), scaledBesselByQuadrature(0, x), 1e-9, "I0");
      expectRelative(Math.exp(logBesselI1F64(x) - x), scaledBesselByQuadrature(1, x), 1e-9, "I1");
    });
  }
  it("series at 0: log I0(x) ~ x^2/4, log I1(x) ~ log(x/2)", () => {
    expectRelative(logBesselI0F64(1e-8), 2.5e-17, 1e-9, "log I0(1e-8)");
    expectRelative(logBesselI1F64(1e-8), Math.log(5e-9), 1e-12, "log I1(1e-8)");
    expect(logBesselI0F64(0)).toBe(0);
    expect(logBesselI1F64(0)).toBe(Number.NEGATIVE_INFINITY);
  });
  it("Wronskian-type identity I0(x) I1'(x) - I1(x) I0'(x) = I0^2 - I1^2 - I0 I1 / x holds through the derivative rules", () => {
    // d/dx log I0 = I1/I0 and d/dx log I1 = I0/I1 - 1/x (checked against differences)
    for (const op of [logBesselI0, logBesselI1]) {
      const r = checkGrad(op, [[0.01, 0.7, 3, 12, 29, 31, 60, 400]]);
      expect(r.ok, r.report).toBe(true);
    }
  });
});

describe("regularized incomplete gamma", () => {
  /** e^-x x^k / k!, the Poisson mass. */
  const poissonMass = (k: number, x: number) => Math.exp(-x + k * Math.log(x) - gammalnF64(k + 1));
  /** Q(n, x) = sum_(k<n) e^-x x^k/k! for integer n (Poisson lower tail). */
  function poissonLower(n: number, x: number): number {
    let total = 0;
    for (let k = 0; k < n; k++) total += poissonMass(k, x);
    return total;
  }
  /** P(n, x) = sum_(k>=n) e^-x x^k/k! (Poisson upper tail), summed until the terms vanish. */
  function poissonUpper(n: number, x: number): number {
    let total = 0;
    for (let k = n; ; k++) {
      const term = poissonMass(k, x);
      total += term;
      if (k > x && term < 1e-18 * total) break;
    }
    return total;
  }
  for (const n of [1, 2, 5, 30, 100, 1000, 3000]) {
    it(`integer shape ${n}: Q(n, x) is a Poisson sum`, () => {
      for (const z of [-3, -1, -0.2, 0, 0.7, 2, 4]) {
        const x = Math.max(0.05, n + z * Math.sqrt(n));
        expectRelative(gammaincUpperF64(n, x), poissonLower(n, x), 1e-9, `Q(${n}, ${x})`);
        expectRelative(gammaincLowerF64(n, x), poissonUpper(n, x), 1e-9, `P(${n}, ${x})`);
      }
    });
  }
  it("half-integer shape: P(1/2, x) = erf(sqrt(x))", () => {
    for (const x of [1e-6, 0.01, 0.3, 1, 4, 20])
      expectRelative(gammaincLowerF64(0.5, x), erfF64(Math.sqrt(x)), 1e-9, `P(1/2, ${x})`);
  });
  it("the inverse round-trips", () => {
    for (const a of [0.05, 0.7, 3, 40, 2000]) {
      for (const p of [1e-8, 0.01, 0.4, 0.9, 0.999]) {
        const x = gammaincinvLowerF64(a, p);
        expectRelative(gammaincLowerF64(a, x), p, 1e-9, `P(${a}, gammaincinv(${a}, ${p}))`);
      }
    }
  });
  it("the shape derivative agrees with central differences of P", () => {
    for (const [a, x] of [
      [0.3, 0.2],
      [2.5, 1],
      [2.5, 7],
      [40, 35],
      [40, 52],
      [1200, 1230],
    ]) {
      const h = 1e-5 * a;
      const numeric = (gammaincLowerF64(a + h, x) - gammaincLowerF64(a - h, x)) / (2 * h);
      expectRelative(gammaincLowerDaF64(a, x), numeric, 1e-6, `dP/da at (${a}, ${x})`);
    }
  });
  it("op gradients (a, x) agree with differences", () => {
    for (const op of [gammainc, gammaincc]) {
      const r = checkGrad(op, [
        [0.4, 2.5, 9, 60],
        [0.3, 3.1, 6, 64],
      ]);
      expect(r.ok, r.report).toBe(true);
    }
    const r = checkGrad(gammaincinv, [
      [0.4, 2.5, 9],
      [0.2, 0.5, 0.93],
    ]);
    expect(r.ok, r.report).toBe(true);
  });
});

describe("regularized incomplete beta", () => {
  it("closed forms: I_x(1, b) = 1 - (1-x)^b, I_x(a, 1) = x^a, and the symmetry", () => {
    for (const x of [0.01, 0.3, 0.7, 0.99]) {
      for (const s of [0.2, 1.5, 7]) {
        expectRelative(
          betaincF64Safe(1, s, x),
          -Math.expm1(s * Math.log1p(-x)),
          1e-9,
          `I_${x}(1, ${s})`,
        );
        expectRelative(betaincF64Safe(s, 1, x), x ** s, 1e-9, `I_${x}(${s}, 1)`);
        expectRelative(
          betaincF64Safe(s, 2.5, x) + betaincF64Safe(2.5, s, 1 - x),
          1,
          1e-12,
          "symmetry",
        );
      }
    }
  });
  it("integer shapes: I_p(k, n - k + 1) = P(Binomial(n, p) >= k)", () => {
    for (const [n, p] of [
      [10, 0.3],
      [50, 0.62],
      [200, 0.1],
    ]) {
      for (let k = 1; k <= n; k += Math.max(1, Math.floor(n / 7))) {
        let tail = 0;
        for (let j = k; j <= n; j++) {
          tail += Math.exp(
            gammalnF64(n + 1) -
              gammalnF64(j + 1) -
              gammalnF64(n - j + 1) +
              j * Math.log(p) +
              (n - j) * Math.log1p(-p),
          );
        }
        if (tail < 1e-250) continue;
        expectRelative(betaincF64Safe(k, n - k + 1, p), tail, 1e-9, `I_${p}(${k}, ${n - k + 1})`);
      }
    }
  });
  it("shape derivatives: d/da I_x(a, 1) = x^a log x, d/db I_x(1, b) = -(1-x)^b log(1-x)", () => {
    for (const x of [0.05, 0.4, 0.9]) {
      for (const s of [0.3, 2, 9]) {
        expectRelative(betaincGradShapeF64(s, 1, x)[0], x ** s * Math.log(x), 1e-9, "d/da");
        expectRelative(
          betaincGradShapeF64(1, s, x)[1],
          -((1 - x) ** s) * Math.log1p(-x),
          1e-9,
          "d/db",
        );
      }
    }
  });
  it("the inverse round-trips", () => {
    for (const [a, b] of [
      [0.3, 0.5],
      [2, 5],
      [40, 12],
    ]) {
      for (const p of [1e-6, 0.2, 0.5, 0.97]) {
        expectRelative(betaincF64Safe(a, b, betaincinvF64Safe(a, b, p)), p, 1e-9, `I(I^-1(${p}))`);
      }
    }
  });
  it("op gradients (a, b, x) and lbeta agree with differences", () => {
    const r = checkGrad(betainc, [
      [0.4, 2.5, 9, 60],
      [1.3, 0.6, 4, 20],
      [0.2, 0.5, 0.7, 0.74],
    ]);
    expect(r.ok, r.report).toBe(true);
    const inv = checkGrad(betaincinv, [
      [0.4, 2.5, 9],
      [1.3, 0.6, 4],
      [0.2, 0.5, 0.7],
    ]);
    expect(inv.ok, inv.report).toBe(true);
    const lb = checkGrad(lbeta, [
      [0.4, 2.5, 90],
      [1.3, 0.6, 40],
    ]);
    expect(lb.ok, lb.report).toBe(true);
  });
});

describe("normal-distribution functions", () => {
  /** log Phi(x) for x < 0 by quadrature: Phi(x) = phi(x) int_0^inf exp(x u - u^2/2) du. */
  function logNdtrByQuadrature(x: number): number {
    const upper = Math.min(40 / Math.abs(x), 12);
    const integral = simpson((u) => Math.exp(x * u - 0.5 * u * u), 0, upper, 20000);
    return -0.5 * x * x - 0.5 * Math.log(2 * Math.PI) + Math.log(integral);
  }
  it("log Phi against quadrature in the lower tail and erf above", () => {
    for (const x of [-300, -40, -20.5, -19.5, -8, -2])
      expectRelative(logNdtrF64(x), logNdtrByQuadrature(x), 1e-9, `log Phi(${x})`);
    for (const x of [-0.5, 0, 0.8, 3]) {
      const phi = 0.5 * (1 + erfF64(x / Math.SQRT2));
      expectRelative(logNdtrF64(x), Math.log(phi), 1e-9, `log Phi(${x})`);
    }
    // upper tail: log Phi(x) = log1p(-Phi(-x)), Phi(-x) by quadrature
    for (const x of [6, 9, 20]) {
      expectRelative(
        logNdtrF64(x),
        Math.log1p(-Math.exp(logNdtrByQuadrature(-x))),
        1e-9,
        `log Phi(${x})`,
      );
    }
  });
  it("ndtri inverts Phi, including far tails", () => {
    for (const p of [1e-300, 1e-20, 1e-5, 0.3, 0.5, 0.8])
      expectRelative(Math.exp(logNdtrF64(ndtriF64(p))), p, 1e-9, `Phi(ndtri(${p}))`);
  });
  it("log(Phi(b) - Phi(a)) in every configuration", () => {
    for (const [a, b] of [
      [-1, 2],
      [0.5, 3],
      [30, 31],
      [-31, -30],
      [-Infinity, -5],
      [5, Infinity],
    ]) {
      const direct =
        a < 0 && b > 0
          ? Math.log(0.5 * (erfF64(b / Math.SQRT2) - erfF64(a / Math.SQRT2)))
          : a >= 0
            ? logNdtrF64(-a) + Math.log(-Math.expm1(logNdtrF64(-b) - logNdtrF64(-a)))
            : logNdtrF64(b) + Math.log(-Math.expm1(logNdtrF64(a) - logNdtrF64(b)));
      expectRelative(logNormalMassF64(a, b), direct, 1e-9, `log mass (${a}, ${b})`);
    }
    // by quadrature of the density on a bounded interval
    const q = simpson((t) => Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI), 0.3, 1.7, 2000);
    expectRelative(logNormalMassF64(0.3, 1.7), Math.log(q), 1e-9, "log mass by quadrature");
  });
  it("the truncated normal quantile inverts the truncated cdf", () => {
    for (const [a, b] of [
      [-1, 2],
      [3, Infinity],
      [-Infinity, -6],
      [20, 25],
    ]) {
      for (const q of [0.01, 0.3, 0.5, 0.9]) {
        const z = truncatedNormalQuantileF64(a, b, q);
        expectRelative(
          Math.exp(logNormalMassF64(a, z) - logNormalMassF64(a, b)),
          q,
          1e-9,
          `F(Q(${q})) on (${a}, ${b})`,
        );
      }
    }
  });
  it("Owen's T: closed forms and quadrature", () => {
    for (const h of [0, 0.4, 1.5, 3]) {
      const phi = 0.5 * (1 + erfF64(h / Math.SQRT2));
      expectRelative(owensTF64(h, 1), (phi * (1 - phi)) / 2, 1e-9, `T(${h}, 1)`);
      expect(owensTF64(h, 0)).toBe(0);
    }
    for (const a of [0.3, 2, 50])
      expectRelative(owensTF64(0, a), Math.atan(a) / (2 * Math.PI), 1e-9, `T(0, ${a})`);
    for (const [h, a] of [
      [0.7, 0.6],
      [-1.2, 3.3],
      [2.2, 1.8],
    ]) {
      const integral =
        simpson((x) => Math.exp(-0.5 * h * h * (1 + x * x)) / (1 + x * x), 0, a, 4000) /
        (2 * Math.PI);
      expectRelative(owensTF64(h, a), integral, 1e-9, `T(${h}, ${a})`);
    }
  });
  it("op gradients agree with differences", () => {
    // (one magnitude per call: checkGrad differences a randomly weighted sum of the outputs)
    for (const [op, inputs] of [
      [erfc, [[-1.5, 0.2, 2.5]]],
      [logNdtr, [[-25]]],
      [logNdtr, [[-3, 0.4, 4]]],
      [ndtri, [[0.001, 0.3, 0.8]]],
      [
        logNormalMass,
        [
          [-1, 0.5],
          [2, 1.5],
        ],
      ],
      [logNormalMass, [[-30], [-29.9]]],
      [
        owensT,
        [
          [0.3, -1.2, 2],
          [0.5, 3.3, -0.8],
        ],
      ],
      [
        truncatedNormalQuantile,
        [
          [-1, 0.5, -3],
          [2, 1.5, -1],
          [0.3, 0.7, 0.5],
        ],
      ],
    ] as const) {
      const r = checkGrad(op, inputs as unknown as number[][]);
      expect(r.ok, r.report).toBe(true);
    }
  });
});

describe("linear algebra ops", () => {
  const a = [
    [4, 1.2, 0.3],
    [1.2, 3, -0.5],
    [0.3, -0.5, 2],
  ];
  it("cholesky reconstructs the matrix; solves leave no residual", () => {
    const l = cholesky(a).arraySync() as number[][];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += l[i][k] * l[j][k];
        expect(s).toBeCloseTo(a[i][j], 5);
        if (j > i) expect(l[i][j]).toBe(0);
      }
    }
    const b = [[1], [2], [3]];
    const x = solveLowerTriangular(l, b).arraySync() as number[][];
    for (let i = 0; i < 3; i++) {
      let s = 0;
      for (let k = 0; k <= i; k++) s += l[i][k] * x[k][0];
      expect(s).toBeCloseTo(b[i][0], 5);
    }
    const y = solveLowerTriangularTransposed(l, b).arraySync() as number[][];
    for (let i = 0; i < 3; i++) {
      let s = 0;
      for (let k = i; k < 3; k++) s += l[k][i] * y[k][0];
      expect(s).toBeCloseTo(b[i][0], 5);
    }
  });
  it("a matrix that is not positive definite gives NaN", () => {
    expect(
      Number.isNaN(
        cholesky([
          [1, 2],
          [2, 1],
        ]).dataSync()[3],
      ),
    ).toBe(true);
  });
  it("gradients agree with differences, batched and broadcast", () => {
    expect(checkGrad(cholesky, [a]).ok).toBe(true);
    const l = [
      [2, 0, 0],
      [0.5, 1.5, 0],
      [-0.3, 0.2, 1.1],
    ];
    for (const op of [solveLowerTriangular, solveLowerTriangularTransposed]) {
      const r = checkGrad(op, [
        [l, l],
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
      ]);
      expect(r.ok, r.report).toBe(true);
    }
  });
  it("tensors flow through the ops", () => {
    expect(cholesky(tf.eye(2)).shape).toEqual([2, 2]);
  });
});

describe("derivative rules over random inputs (testing.checkOp)", () => {
  // Property versions of the checkGrad cases above: 50 fast-check inputs per op across its
  // domain (tails included), any failure shrunk to a readable input.
  const positive = (min: number, max: number) =>
    readableDouble({ min, max, scale: "log", simple: [1, 2, 0.5, 10, 5, 0.1, 100] });
  const probability = (margin: number) =>
    readableDouble({ min: margin, max: 1 - margin, simple: [0.5, 0.1, 0.9, 0.25, 0.75] });
  const real = (min: number, max: number) => readableDouble({ min, max });
  const ordered = <T extends number[]>(low: fc.Arbitrary<number>, rest: fc.Arbitrary<T>) =>
    fc.tuple(low, positive(1e-2, 10), rest).map(([a, w, r]) => [a, a + w, ...r]);
  const matrices = (rows: number, cols: number) =>
    fc.array(fc.array(real(-5, 5), { minLength: cols, maxLength: cols }), {
      minLength: rows,
      maxLength: rows,
    });
  const cases: Array<[string, Op, OpInputArbitraries, CheckOpOptions?]> = [
    ["lgamma", lgamma, [positive(1e-3, 1e4)]],
    ["digamma", digamma, [positive(1e-3, 1e4)]],
    ["trigamma", trigamma, [positive(1e-3, 1e4)]],
    ["erfinv", erfinv, [real(-0.999, 0.999)]],
    ["logBesselI0", logBesselI0, [positive(1e-3, 1e4)]],
    ["logBesselI1", logBesselI1, [positive(1e-3, 1e4)]],
    ["gammainc", gammainc, [positive(0.05, 1e3), positive(1e-3, 1e3)]],
    ["gammaincc", gammaincc, [positive(0.05, 1e3), positive(1e-3, 1e3)]],
    ["gammaincinv", gammaincinv, [positive(0.05, 1e3), probability(1e-3)]],
    ["betainc", betainc, [positive(0.1, 100), positive(0.1, 100), probability(0.01)]],
    ["betaincinv", betaincinv, [positive(0.1, 100), positive(0.1, 100), probability(0.01)]],
    ["lbeta", lbeta, [positive(1e-2, 1e3), positive(1e-2, 1e3)]],
    ["erfc", erfc, [real(-6, 25)]],
    ["logNdtr", logNdtr, [real(-40, 10)]],
    ["ndtri", ndtri, [probability(1e-10)]],
    ["logNormalMass", logNormalMass, ordered(real(-10, 10), fc.constant([] as number[]))],
    ["owensT", owensT, [real(-6, 6), real(-20, 20)]],
    [
      "truncatedNormalQuantile",
      truncatedNormalQuantile,
      ordered(real(-6, 6), fc.tuple(probability(0.01))),
    ],
    // Near-singular matrices have large third derivatives: central differences need a small
    // step there (their truncation error scales as eps^2; at eps 1e-6 it reaches 7e-5).
    [
      "cholesky",
      cholesky,
      [arbitraryValueIn(constraints.positiveDefinite, [3, 3], { radius: 2 })],
      { eps: 1e-8 },
    ],
    [
      "solveLowerTriangular",
      solveLowerTriangular,
      [arbitraryValueIn(constraints.lowerCholesky, [3, 3], { radius: 1 }), matrices(3, 2)],
    ],
    [
      "solveLowerTriangularTransposed",
      solveLowerTriangularTransposed,
      [arbitraryValueIn(constraints.lowerCholesky, [3, 3], { radius: 1 }), matrices(3, 2)],
    ],
  ];
  for (const [name, op, inputs, options] of cases) {
    it(`${name}`, () => {
      const result = checkOp(op, inputs, options);
      expect(result.ok, result.report).toBe(true);
      expect(result.checks[0].runs).toBe(50);
    });
  }

  it("catches a wrong rule: lgamma with the derivative x in place of digamma", () => {
    const wrong = unaryOp("test.lgammaWrongRule", gammalnF64, (x) => x);
    const result = checkOp(wrong, [positive(0.5, 10)]);
    expect(result.ok).toBe(false);
    // Shrunk to x = 1, where digamma(1) = -0.5772 and the wrong rule gives 1.
    expect(result.failures[0].input).toBe("x=1");
  });
});
