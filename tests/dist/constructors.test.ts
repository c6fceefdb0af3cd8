/**
 * Everything a model constructs is a plain function call, as the families are: wrappers and
 * transforms are callable classes (`MixtureSameFamily(...)`, `AffineTransform(1, 2)`), for which
 * `new` gives the same thing and `instanceof` works on the same name.
 */
import { describe, expect, it } from "vitest";
import * as dist from "../../src/dist/index.js";
import {
  AffineTransform,
  Categorical,
  CholeskyOuterProductTransform,
  ComposeTransform,
  CorrCholeskyTransform,
  ExpandedDistribution,
  ExpTransform,
  IdentityTransform,
  Independent,
  IndependentTransform,
  LowerCholeskyTransform,
  Masked,
  MixtureSameFamily,
  Normal,
  OrderedTransform,
  PositiveOrderedTransform,
  PowerTransform,
  SigmoidTransform,
  SoftplusTransform,
  StickBreakingTransform,
  TanhTransform,
  TransformedDistribution,
  tf,
} from "../../src/index.js";

const LOG_2PI = Math.log(2 * Math.PI);
const logNormal = (x: number, m: number, s: number) =>
  -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;
const value = (t: tf.Tensor) => t.arraySync();

describe("constructing without new", () => {
  it("the distributions module exports no class that needs new, except bases and families' classes", () => {
    // Abstract bases and constraints (made by the functions of `constraints`) are not constructed.
    const bases = new Set(["Distribution", "Transform", "Constraint", "Interval"]);
    const exports = dist as unknown as Record<string, unknown>;
    const needNew = Object.entries(exports)
      .filter(
        ([, v]) => typeof v === "function" && /^class\b/.test(Function.prototype.toString.call(v)),
      )
      .map(([name]) => name)
      .filter((name) => !bases.has(name))
      // A family's class, `<Family>Distribution`, beside the function `<Family>` that makes it.
      .filter(
        (name) =>
          !(name.endsWith("Distribution") && typeof exports[name.slice(0, -12)] === "function"),
      );
    expect(needNew).toEqual([]);
  });

  it("wrappers: a call, new and instanceof agree, and the call gives the right density", () => {
    const mixing = Categorical({ probs: [0.3, 0.7] });
    const components = Normal([-1, 2], [0.5, 1]);
    const mixture = MixtureSameFamily(mixing, components);
    expect(mixture).toBeInstanceOf(MixtureSameFamily);
    expect(new MixtureSameFamily(mixing, components)).toBeInstanceOf(MixtureSameFamily);
    const expected = Math.log(
      0.3 * Math.exp(logNormal(0, -1, 0.5)) + 0.7 * Math.exp(logNormal(0, 2, 1)),
    );
    expect(value(mixture.logProb(0))).toBeCloseTo(expected, 5);

    const logNormalDist = TransformedDistribution(Normal(0, 1), ExpTransform());
    expect(logNormalDist).toBeInstanceOf(TransformedDistribution);
    // log p(y) = log N(log y; 0, 1) - log y
    expect(value(logNormalDist.logProb(2))).toBeCloseTo(
      logNormal(Math.log(2), 0, 1) - Math.log(2),
      5,
    );

    const independent = Independent(Normal([0, 0], 1), 1);
    expect(independent).toBeInstanceOf(Independent);
    expect(value(independent.logProb([0, 0]))).toBeCloseTo(-LOG_2PI, 5);

    const masked = Masked(Normal([0, 0], 1), [true, false]);
    expect(masked).toBeInstanceOf(Masked);
    const lp = value(masked.logProb([1, 1])) as number[];
    expect(lp[0]).toBeCloseTo(logNormal(1, 0, 1), 5);
    expect(lp[1]).toBe(0);

    const expanded = ExpandedDistribution(Normal(0, 1), [3]);
    expect(expanded).toBeInstanceOf(ExpandedDistribution);
    expect(expanded.batchShape).toEqual([3]);
    // The base class's methods make the same wrappers.
    expect(Normal([0, 0], 1).toEvent(1)).toBeInstanceOf(Independent);
    expect(Normal(0, 1).expand([2])).toBeInstanceOf(ExpandedDistribution);
  });

  it("transforms: a call, new and instanceof agree, and the call computes the transform", () => {
    const cases: Array<[unknown, unknown, number[] | number, unknown]> = [
      [IdentityTransform(), IdentityTransform, [1, 2], [1, 2]],
      [ExpTransform(), ExpTransform, 0, 1],
      [AffineTransform(1, 2), AffineTransform, [0, 1], [1, 3]],
      [SigmoidTransform(), SigmoidTransform, 0, 0.5],
      [SoftplusTransform(), SoftplusTransform, 0, Math.log(2)],
      [TanhTransform(), TanhTransform, 0, 0],
      [PowerTransform(2), PowerTransform, 3, 9],
      [ComposeTransform([ExpTransform(), AffineTransform(0, 2)]), ComposeTransform, 0, 2],
      [IndependentTransform(ExpTransform(), 1), IndependentTransform, [0, 0], [1, 1]],
      [StickBreakingTransform(), StickBreakingTransform, [0, 0], [1 / 3, 1 / 3, 1 / 3]],
      [OrderedTransform(), OrderedTransform, [0, 0], [0, 1]],
      [PositiveOrderedTransform(), PositiveOrderedTransform, [0, 0], [1, 2]],
    ];
    for (const [made, callable, x, y] of cases) {
      const t = made as dist.Transform;
      expect(t).toBeInstanceOf(callable as new () => unknown);
      const forward = value(t.forward(tf.tensor(x))) as number | number[];
      const got = [forward].flat();
      [y as number | number[]].flat().forEach((v, i) => {
        expect(got[i]).toBeCloseTo(v, 5);
      });
    }
    expect(new AffineTransform(1, 2)).toBeInstanceOf(AffineTransform);
    expect(LowerCholeskyTransform()).toBeInstanceOf(LowerCholeskyTransform);
    expect(CorrCholeskyTransform()).toBeInstanceOf(CorrCholeskyTransform);
    expect(CholeskyOuterProductTransform()).toBeInstanceOf(CholeskyOuterProductTransform);
    // Subclassing a callable class works as on a class.
    class Doubled extends AffineTransform {
      constructor() {
        super(0, 2);
      }
    }
    expect(new Doubled()).toBeInstanceOf(AffineTransform);
    expect(value(new Doubled().forward(tf.tensor([3])))).toEqual([6]);
  });
});
