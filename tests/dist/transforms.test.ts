/**
 * Transforms: inverse(forward(x)) = x; forward lands in the codomain; logAbsDetJacobian
 * equals log|det J| of a numerical Jacobian (central differences of the float64 forward, on
 * the free coordinates for simplex and Cholesky codomains); the float32 forward agrees with
 * the float64 one; and fast-check properties over random inputs, extremes (|x| up to 30 and
 * beyond) included, where every output must stay finite and inside the codomain; and
 * `testing.checkTransform` on every transform bijectTo registers and every transform class.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AffineTransform,
  bijectTo,
  CholeskyOuterProductTransform,
  ComposeTransform,
  CorrCholeskyTransform,
  constraints,
  ExpTransform,
  IdentityTransform,
  IndependentTransform,
  intervalTransform,
  LowerCholeskyTransform,
  OrderedTransform,
  PositiveOrderedTransform,
  PowerTransform,
  SigmoidTransform,
  SoftplusTransform,
  StickBreakingTransform,
  TanhTransform,
  type Transform,
  TruncatedNormal,
  Uniform,
} from "../../src/dist/index.js";
import { checkTransform } from "../../src/testing/check-transform.js";
import { logAbsDet, numericalJacobian } from "../../src/testing/finite-differences.js";
import { tf, tidyValue } from "../../src/tf.js";

interface TransformCase {
  name: string;
  transform: Transform;
  /** Shape of one unconstrained input. */
  inputShape: number[];
  /** Indices (row-major) of the outputs that are free coordinates (default: all). */
  free?: (outputShape: number[]) => number[];
  /** Map an unconstrained draw into the transform's domain (for transforms on positive reals). */
  toDomain?: (x: number) => number;
  /** False where the math itself overflows at |x| = 30 (exp of a running sum of exps). */
  extremes?: boolean;
}

const lowerTriangle = (strict: boolean) => (shape: number[]) => {
  const d = shape[shape.length - 1];
  const out: number[] = [];
  for (let i = 0; i < d; i++) for (let j = 0; j < (strict ? i : i + 1); j++) out.push(i * d + j);
  return out;
};

const cases: TransformCase[] = [
  { name: "identity", transform: new IdentityTransform(), inputShape: [3] },
  { name: "exp", transform: new ExpTransform(), inputShape: [3] },
  { name: "affine", transform: new AffineTransform(1.5, -2.5), inputShape: [3] },
  { name: "sigmoid", transform: new SigmoidTransform(), inputShape: [3] },
  { name: "softplus", transform: new SoftplusTransform(), inputShape: [3] },
  { name: "tanh", transform: new TanhTransform(), inputShape: [3] },
  { name: "power", transform: new PowerTransform(2.5), inputShape: [3], toDomain: Math.exp },
  { name: "interval (sigmoid then affine)", transform: intervalTransform(-1, 4), inputShape: [3] },
  {
    name: "bijectTo(greaterThan(2))",
    transform: bijectTo(constraints.greaterThan(2)),
    inputShape: [3],
  },
  {
    name: "bijectTo(lessThan(-1))",
    transform: bijectTo(constraints.lessThan(-1)),
    inputShape: [3],
  },
  {
    name: "stick-breaking",
    transform: new StickBreakingTransform(),
    inputShape: [4],
    free: (shape) => Array.from({ length: shape[shape.length - 1] - 1 }, (_, i) => i),
  },
  { name: "ordered", transform: new OrderedTransform(), inputShape: [4] },
  {
    name: "positive ordered",
    transform: bijectTo(constraints.positiveOrderedVector),
    inputShape: [4],
  },
  {
    name: "compose (ordered, then exp)",
    transform: new ComposeTransform([new OrderedTransform(), new ExpTransform()]),
    inputShape: [3],
    extremes: false,
  },
  {
    name: "lower Cholesky",
    transform: new LowerCholeskyTransform(),
    inputShape: [6],
    free: lowerTriangle(false),
  },
  {
    name: "correlation Cholesky",
    transform: new CorrCholeskyTransform(),
    inputShape: [6],
    free: lowerTriangle(true),
  },
  {
    name: "positive definite (lower Cholesky, then L L^T)",
    transform: bijectTo(constraints.positiveDefinite),
    inputShape: [6],
    free: lowerTriangle(false),
  },
];

function forward64(t: Transform, x: Float64Array, shape: number[]): Float64Array {
  const y = t.forwardF64(x, shape);
  if (y === undefined) throw new Error("forwardF64 missing");
  return y;
}

/** log|det| of the numerical Jacobian of the free outputs, by central differences in float64. */
function numericalLogDet(c: TransformCase, x: Float64Array): number {
  const shape = c.inputShape;
  const outShape = c.transform.forwardShape(shape);
  const free = c.free?.(outShape) ?? Array.from({ length: x.length }, (_, i) => i);
  expect(free.length).toBe(x.length);
  const inputs = Array.from({ length: x.length }, (_, j) => j);
  const jacobian = numericalJacobian(
    (z) => forward64(c.transform, z, shape),
    x,
    inputs,
    free,
    1e-6,
  );
  return logAbsDet(jacobian);
}

function run(c: TransformCase, raw: number[]) {
  const x = Float64Array.from(raw.map((v) => (c.toDomain ? c.toDomain(v) : v)));
  return tidyValue(() => {
    const xt = tf.tensor(Array.from(x), c.inputShape);
    const y = c.transform.forward(xt);
    const back = c.transform.inverse(y);
    const ld = c.transform.logAbsDetJacobian(xt, y);
    return {
      x,
      y: Array.from(y.dataSync()),
      yShape: y.shape,
      back: Array.from(back.dataSync()),
      logDet: tf.sum(ld).dataSync()[0],
      inCodomain: tf.all(c.transform.codomain.check(y)).dataSync()[0] === 1,
    };
  });
}

const moderate = fc.array(fc.double({ min: -3, max: 3, noNaN: true }), {
  minLength: 1,
  maxLength: 1,
});

describe("transforms", () => {
  for (const c of cases) {
    const size = c.inputShape.reduce((a, b) => a * b, 1);
    const inputs = fc.array(fc.double({ min: -3, max: 3, noNaN: true }), {
      minLength: size,
      maxLength: size,
    });
    const extremes = fc.array(
      fc.oneof(fc.double({ min: -30, max: 30, noNaN: true }), fc.constantFrom(-30, 30)),
      { minLength: size, maxLength: size },
    );

    it(`${c.name}: round trip, codomain, float64 forward and log-det against a numerical Jacobian`, () => {
      fc.assert(
        fc.property(inputs, (raw) => {
          const r = run(c, raw);
          expect(r.yShape).toEqual(c.transform.forwardShape(c.inputShape));
          expect(r.inCodomain).toBe(true);
          r.back.forEach((v, i) => {
            expect(Math.abs(v - r.x[i])).toBeLessThan(2e-4 * Math.max(1, Math.abs(r.x[i])));
          });
          const y64 = forward64(c.transform, r.x, c.inputShape);
          r.y.forEach((v, i) => {
            expect(Math.abs(v - y64[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(y64[i])));
          });
          const inverse64 = c.transform.inverseF64(y64, c.transform.forwardShape(c.inputShape));
          if (inverse64 !== undefined) {
            inverse64.forEach((v, i) => {
              expect(Math.abs(v - r.x[i])).toBeLessThan(1e-8 * Math.max(1, Math.abs(r.x[i])));
            });
          }
          const expected = numericalLogDet(c, r.x);
          expect(Math.abs(r.logDet - expected)).toBeLessThan(
            2e-4 * Math.max(1, Math.abs(expected)),
          );
        }),
        { numRuns: 25, seed: 42 },
      );
    });

    it.skipIf(c.extremes === false)(
      `${c.name}: finite outputs and log-dets for extreme inputs`,
      () => {
        // In float32, inputs of +-30 can round an output onto the boundary of an open set (for
        // example -1 + 5 sigmoid(-30) is -1), so only finiteness is required here; membership
        // is checked above on moderate inputs.
        fc.assert(
          fc.property(extremes, (raw) => {
            const r = run(
              c,
              raw.map((v) => (c.toDomain ? Math.max(-10, Math.min(10, v)) : v)),
            );
            expect(r.y.every(Number.isFinite)).toBe(true);
            expect(Number.isFinite(r.logDet)).toBe(true);
          }),
          { numRuns: 40, seed: 7 },
        );
      },
    );
  }

  it("sigmoid, softplus, tanh and stick-breaking at +-30 and +-80 stay finite with finite log-dets", () => {
    for (const t of [new SigmoidTransform(), new SoftplusTransform(), new TanhTransform()]) {
      const r = tidyValue(() => {
        const x = tf.tensor([-80, -30, 30, 80]);
        const y = t.forward(x);
        return {
          y: Array.from(y.dataSync()),
          ld: Array.from(t.logAbsDetJacobian(x, y).dataSync()),
          back: Array.from(t.inverse(y).dataSync()),
        };
      });
      expect(r.y.every(Number.isFinite)).toBe(true);
      expect(r.ld.every(Number.isFinite)).toBe(true);
      expect(r.back.every(Number.isFinite)).toBe(true);
    }
    // log-det of sigmoid at x is -softplus(x) - softplus(-x): about -|x| for large |x|
    const ld = tidyValue(() =>
      Array.from(
        new SigmoidTransform()
          .logAbsDetJacobian(tf.tensor([-30, 30]), tf.tensor([0, 1]))
          .dataSync(),
      ),
    );
    expect(ld[0]).toBeCloseTo(-30, 4);
    expect(ld[1]).toBeCloseTo(-30, 4);
    const simplex = tidyValue(() => {
      const x = tf.tensor([
        [30, -30, 80],
        [-80, 0, 30],
      ]);
      const t = new StickBreakingTransform();
      const y = t.forward(x);
      return { y: Array.from(y.dataSync()), ld: Array.from(t.logAbsDetJacobian(x, y).dataSync()) };
    });
    expect(simplex.y.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(simplex.ld.every(Number.isFinite)).toBe(true);
  });

  it("softplus inverse is accurate for tiny and large outputs", () => {
    const t = new SoftplusTransform();
    expect(t.inverseF64(Float64Array.of(1e-10))[0]).toBeCloseTo(Math.log(1e-10), 8);
    expect(t.inverseF64(Float64Array.of(50))[0]).toBeCloseTo(50, 10);
  });

  it("moderate inputs are a fast-check sanity check of the arbitraries", () => {
    fc.assert(fc.property(moderate, (v) => Math.abs(v[0]) <= 3));
  });
});

describe("bijectTo", () => {
  const table: Array<[string, constraints.Constraint, number[]]> = [
    ["real", constraints.real, [3]],
    ["positive", constraints.positive, [3]],
    ["nonnegative", constraints.nonnegative, [3]],
    ["unitInterval", constraints.unitInterval, [3]],
    ["interval(-2, 5)", constraints.interval(-2, 5), [3]],
    ["circular", constraints.circular, [3]],
    ["greaterThan(1)", constraints.greaterThan(1), [3]],
    ["lessThan(1)", constraints.lessThan(1), [3]],
    ["simplex", constraints.simplex, [4]],
    ["ordered", constraints.orderedVector, [4]],
    ["positiveOrdered", constraints.positiveOrderedVector, [4]],
    ["lowerCholesky", constraints.lowerCholesky, [3, 3]],
    ["correlationCholesky", constraints.correlationCholesky, [3, 3]],
    ["positiveDefinite", constraints.positiveDefinite, [3, 3]],
    ["independent(positive, 1)", constraints.independent(constraints.positive, 1), [2, 3]],
  ];
  for (const [name, constraint, shape] of table) {
    it(`${name}: forward of random reals lands in the set, with the right shapes`, () => {
      const t = bijectTo(constraint);
      const unconstrained = t.inverseShape(shape);
      expect(t.forwardShape(unconstrained)).toEqual(shape);
      fc.assert(
        fc.property(
          fc.array(fc.double({ min: -5, max: 5, noNaN: true }), {
            minLength: unconstrained.reduce((a, b) => a * b, 1),
            maxLength: unconstrained.reduce((a, b) => a * b, 1),
          }),
          (raw) => {
            const ok = tidyValue(() => {
              const y = t.forward(tf.tensor(raw, unconstrained));
              return (
                y.shape.join() === shape.join() && tf.all(constraint.check(y)).dataSync()[0] === 1
              );
            });
            expect(ok).toBe(true);
          },
        ),
        { numRuns: 20, seed: 3 },
      );
    });
  }

  it("interval bounds may be tensors, and gradients reach them", () => {
    const low = tf.tensor([0, 1, -2]);
    const high = tf.tensor([1, 3, 5]);
    const t = bijectTo(constraints.interval(low, high));
    const x = tf.tensor([-1, 0, 2]);
    const y = Array.from(t.forward(x).dataSync());
    const l = [0, 1, -2];
    const h = [1, 3, 5];
    y.forEach((v, i) => {
      const s = 1 / (1 + Math.exp(-[-1, 0, 2][i]));
      expect(v).toBeCloseTo(l[i] + (h[i] - l[i]) * s, 5);
    });
    // d y / d low = 1 - s, d y / d high = s
    const [dLow, dHigh] = tf.grads((lo: tf.Tensor, hi: tf.Tensor) =>
      tf.sum(bijectTo(constraints.interval(lo, hi)).forward(x)),
    )([low, high]);
    Array.from(dLow.dataSync()).forEach((g, i) => {
      expect(g).toBeCloseTo(1 - 1 / (1 + Math.exp(-[-1, 0, 2][i])), 5);
    });
    Array.from(dHigh.dataSync()).forEach((g, i) => {
      expect(g).toBeCloseTo(1 / (1 + Math.exp(-[-1, 0, 2][i])), 5);
    });
    // greaterThan with a tensor bound
    const g = bijectTo(constraints.greaterThan(tf.tensor([2, -1])));
    expect(Array.from(g.forward(tf.tensor([0, 0])).dataSync())).toEqual([3, 0]);
  });

  it("interval supports with infinite ends get the matching transform; constant bounds outlive their scope", () => {
    const x = tf.tensor([-2, 0, 3]);
    const upper = bijectTo(TruncatedNormal(0, 1, 0.5, Infinity).support);
    expect(
      Array.from(upper.forward(x).dataSync()).every((v) => v > 0.5 && Number.isFinite(v)),
    ).toBe(true);
    const lower = bijectTo(TruncatedNormal(0, 1, -Infinity, -1).support);
    expect(Array.from(lower.forward(x).dataSync()).every((v) => v < -1 && Number.isFinite(v))).toBe(
      true,
    );
    expect(bijectTo(TruncatedNormal(0, 1).support).forward(x)).toBe(x);
    // built inside a tidy from constant bounds, still usable after it
    const t = tf.tidy(() => {
      const transform = bijectTo(Uniform([0, 1], [2, 4]).support);
      return { transform } as unknown as tf.TensorContainer;
    }) as unknown as { transform: Transform };
    expect(Array.from(t.transform.forward(tf.zeros([2])).dataSync())).toEqual([1, 2.5]);
  });

  it("supports computed from other parameters say so", () => {
    const alpha = tf.scalar(0.3);
    expect(Uniform(0, tf.sub(1, alpha)).support.isParameterDependent).toBe(true);
    expect(Uniform(0, 0.7).support.isParameterDependent).toBe(false);
    expect(constraints.positive.isParameterDependent).toBe(false);
  });

  it("unknown constraints name the constraint", () => {
    expect(() => bijectTo(constraints.nonnegativeInteger)).toThrow(/integerInterval/);
  });

  it("ComposeTransform sums log-dets over the event dims", () => {
    const t = new ComposeTransform([new OrderedTransform(), new ExpTransform()]);
    const x = tf.tensor([[0.1, -0.3, 0.5]]);
    const y = t.forward(x);
    const ld = t.logAbsDetJacobian(x, y);
    expect(ld.shape).toEqual([1]);
    // ordered: x1 + x2; exp: sum of y
    const ys = Array.from(y.dataSync());
    expect(ld.dataSync()[0]).toBeCloseTo(-0.3 + 0.5 + ys.reduce((a, b) => a + Math.log(b), 0), 5);
  });

  it("CholeskyOuterProductTransform inverts through the Cholesky op", () => {
    const t = new CholeskyOuterProductTransform();
    const l = tf.tensor([
      [2, 0],
      [1, 1.5],
    ]);
    const back = Array.from(t.inverse(t.forward(l)).dataSync());
    [2, 0, 1, 1.5].forEach((v, i) => {
      expect(back[i]).toBeCloseTo(v, 5);
    });
  });
});

describe("bijector laws of every transform (testing.checkTransform)", () => {
  // Every constraint bijectTo has a registration for, and every exported transform class:
  // shapes, codomain, both round trips, and log|det J| against a numerical Jacobian on the
  // free coordinates, over fast-check inputs shrunk to readable ones on failure.
  const registered: Array<[string, constraints.Constraint]> = [
    ["real", constraints.real],
    ["positive", constraints.positive],
    ["nonnegative", constraints.nonnegative],
    ["unitInterval", constraints.unitInterval],
    ["greaterThan(2)", constraints.greaterThan(2)],
    ["lessThan(-1)", constraints.lessThan(-1)],
    ["interval(-2, 5)", constraints.interval(-2, 5)],
    ["circular", constraints.circular],
    ["simplex", constraints.simplex],
    ["ordered", constraints.orderedVector],
    ["positiveOrdered", constraints.positiveOrderedVector],
    ["lowerCholesky", constraints.lowerCholesky],
    ["correlationCholesky", constraints.correlationCholesky],
    ["positiveDefinite", constraints.positiveDefinite],
    ["independent(positive, 1)", constraints.independent(constraints.positive, 1)],
  ];
  for (const [name, constraint] of registered) {
    it(`bijectTo(${name})`, () => {
      const result = checkTransform(bijectTo(constraint));
      expect(result.ok, result.report).toBe(true);
    });
  }

  const classes: Array<[string, Transform]> = [
    ["IdentityTransform", new IdentityTransform()],
    ["ExpTransform", new ExpTransform()],
    ["AffineTransform", new AffineTransform(1.5, -2.5)],
    ["SigmoidTransform", new SigmoidTransform()],
    ["SoftplusTransform", new SoftplusTransform()],
    ["TanhTransform", new TanhTransform()],
    ["PowerTransform", new PowerTransform(2.5)],
    ["intervalTransform", intervalTransform(-1, 4)],
    ["StickBreakingTransform", new StickBreakingTransform()],
    ["OrderedTransform", new OrderedTransform()],
    ["PositiveOrderedTransform", new PositiveOrderedTransform()],
    ["LowerCholeskyTransform", new LowerCholeskyTransform()],
    ["CorrCholeskyTransform", new CorrCholeskyTransform()],
    ["CholeskyOuterProductTransform", new CholeskyOuterProductTransform()],
    ["IndependentTransform(exp, 1)", new IndependentTransform(new ExpTransform(), 1)],
    // A composition must declare its image when the last part's codomain is larger than it
    // (checkTransform's forward(inverse(y)) law fails without it: see tests/testing).
    [
      "ComposeTransform(ordered, exp)",
      new ComposeTransform(
        [new OrderedTransform(), new ExpTransform()],
        constraints.positiveOrderedVector,
      ),
    ],
  ];
  for (const [name, transform] of classes) {
    it(name, () => {
      const result = checkTransform(transform);
      expect(result.ok, result.report).toBe(true);
    });
  }
});
