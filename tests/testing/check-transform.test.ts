/**
 * checkTransform: each bijector law catches the bug it is for (a wrong log-det, a wrong
 * inverse, a forward that leaves its codomain, a wrong forwardShape, a composition whose
 * declared codomain is larger than its image), naming the shrunk input; free coordinates
 * are those of each constraint's set.
 */
import { describe, expect, it } from "vitest";
import {
  ComposeTransform,
  constraints,
  ExpTransform,
  OrderedTransform,
  StickBreakingTransform,
  tf,
} from "../../src/index.js";
import { checkTransform, freeCoordinates } from "../../src/testing/check-transform.js";

class WrongLogDet extends ExpTransform {
  override logAbsDetJacobian(x: tf.Tensor): tf.Tensor {
    return tf.mul(x, 1.01);
  }
}
class WrongInverse extends ExpTransform {
  override inverse(y: tf.Tensor): tf.Tensor {
    return tf.log(tf.add(y, 1e-3));
  }
  override inverseF64(y: Float64Array): Float64Array {
    return y.map((v) => Math.log(v + 1e-3));
  }
}
class LeavesCodomain extends ExpTransform {
  override forward(x: tf.Tensor): tf.Tensor {
    return tf.sub(tf.exp(x), 1);
  }
  override forwardF64(x: Float64Array): Float64Array {
    return x.map((v) => Math.exp(v) - 1);
  }
}
class WrongShape extends StickBreakingTransform {
  override forwardShape(shape: readonly number[]): number[] {
    return shape.slice();
  }
}

function failedLaws(r: ReturnType<typeof checkTransform>): string[] {
  return r.checks.filter((c) => !c.ok).map((c) => c.name);
}

describe("checkTransform", () => {
  it("passes a correct transform, with the five laws", () => {
    const r = checkTransform(new StickBreakingTransform());
    expect(r.ok, r.report).toBe(true);
    expect(r.checks.map((c) => c.name)).toEqual([
      "shapes",
      "forward lands in the codomain",
      "inverse(forward(x)) = x",
      "forward(inverse(y)) = y",
      "log|det J| matches a numerical Jacobian",
    ]);
  });

  it("catches a wrong log-det at a shrunk point, with both numbers", () => {
    const r = checkTransform(new WrongLogDet());
    expect(failedLaws(r)).toEqual(["log|det J| matches a numerical Jacobian"]);
    const [f] = r.failures;
    expect(f.input).toBe("[[0, 0, 0], [0, 0, 1]] (shape [2,3])");
    expect(f.message).toMatch(/sums to 1.01 but log\|det\| of the numerical Jacobian is 1 /);
  });

  it("catches a wrong inverse in both round trips", () => {
    const r = checkTransform(new WrongInverse());
    expect(failedLaws(r)).toEqual(["inverse(forward(x)) = x", "forward(inverse(y)) = y"]);
    expect(r.failures[0].message).toMatch(/comes back as/);
  });

  it("catches a forward that leaves its codomain", () => {
    const r = checkTransform(new LeavesCodomain());
    expect(failedLaws(r)).toContain("forward lands in the codomain");
    expect(r.failures[0].message).toMatch(/is not positive/);
  });

  it("catches a forwardShape that disagrees with forward", () => {
    const r = checkTransform(new WrongShape());
    expect(failedLaws(r)[0]).toBe("shapes");
    expect(r.failures[0].message).toMatch(/forward gives shape \[2,4\], forwardShape says \[2,3\]/);
  });

  it("catches a composition whose declared codomain is larger than its image, and passes it with the right one", () => {
    // ordered then exp maps onto increasing positive vectors, but declares the last part's
    // codomain (all positive vectors): inverse fails on a positive vector that is not increasing.
    const loose = checkTransform(
      new ComposeTransform([new OrderedTransform(), new ExpTransform()]),
    );
    expect(failedLaws(loose)).toEqual(["forward(inverse(y)) = y"]);
    expect(loose.failures[0].message).toMatch(/comes back as NaN/);
    const exact = checkTransform(
      new ComposeTransform(
        [new OrderedTransform(), new ExpTransform()],
        constraints.positiveOrderedVector,
      ),
    );
    expect(exact.ok, exact.report).toBe(true);
  });

  it("free coordinates: all but the last of a simplex, triangles of matrices", () => {
    expect(freeCoordinates(constraints.simplex, [2, 3])).toEqual([0, 1, 3, 4]);
    expect(freeCoordinates(constraints.lowerCholesky, [2, 2])).toEqual([0, 2, 3]);
    expect(freeCoordinates(constraints.correlationCholesky, [3, 3])).toEqual([3, 6, 7]);
    expect(freeCoordinates(constraints.positive, [3])).toEqual([0, 1, 2]);
  });
});
