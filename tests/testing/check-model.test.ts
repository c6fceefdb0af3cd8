/**
 * checkModel: well-formed models pass every check in both engines; each kind of bug fails
 * the check made for it, naming the site, the (shrunk) input and the numbers.
 */
import { describe, expect, it } from "vitest";
import { eightSchools, sigma, y } from "../../examples/browser/eight-schools.js";
import { defineOp } from "../../src/compile/index.js";
import { factor, HalfNormal, Normal, Poisson, plate, sample, tf } from "../../src/index.js";
import { checkModel } from "../../src/testing/check-model.js";
import { assertPasses, PropertyCheckError } from "../../src/testing/check-result.js";

// x^2 with the derivative 3x instead of 2x.
const badSquare = defineOp({
  name: "test.badSquare",
  inputs: ["x"],
  forward: ([x]) => x.map((v) => v * v),
  vjp: ([x], _shapes, _y, dy) => [x.map((v, i) => 3 * v * dy[i])],
});

function* wrongGradient() {
  const x = yield* sample("x", Normal(0, 1));
  yield* factor("penalty", tf.neg(badSquare(x)));
}

function* countsModel(counts: number[]) {
  const rate = yield* sample("rate", HalfNormal(5));
  yield* plate("data", counts.length, function* () {
    yield* sample("k", Poisson(rate), { obs: counts });
  });
}

function failure(result: ReturnType<typeof checkModel>, check: string) {
  const f = result.failures.find((x) => x.check === check);
  if (f === undefined) throw new Error(`no failure of "${check}" in:\n${result.report}`);
  return f;
}

describe("checkModel", () => {
  it("passes eight schools in both engines, and says so", () => {
    const result = checkModel(eightSchools, [sigma, y]);
    expect(result.ok, result.report).toBe(true);
    expect(result.engines).toEqual({ compiled: "compiled", eager: "eager" });
    expect(result.checks.map((c) => c.name)).toEqual([
      "prior draws run",
      "site values lie in their supports",
      "log density is finite at prior draws",
      "log density is never NaN or +inf (compiled)",
      "gradient is finite and matches central differences (compiled)",
      "log density is never NaN or +inf (eager)",
      "gradient is finite and matches central differences (eager)",
      "compiled engine agrees with the eager engine",
    ]);
    expect(result.report).toMatch(/^checkModel\(eightSchools\): all 8 checks passed/);
    expect(assertPasses(result)).toBe(result);
  });

  it("catches a wrong derivative rule in both engines, at a shrunk point, naming the site", () => {
    const result = checkModel(wrongGradient, []);
    expect(result.ok).toBe(false);
    for (const engine of ["compiled", "eager"]) {
      const f = failure(result, `gradient is finite and matches central differences (${engine})`);
      expect(f.site).toBe("x");
      // d/dx (-x^2/2 - x^2) = -3x, the rule gives -x/1 - 3x = -4x: off by a third.
      expect(f.message).toMatch(/by the .* engine's gradient but .* by central differences/);
      expect(f.input).toMatch(/^x=(1|-1|0\.5|-0\.5|2|-2) /);
    }
    // The prior and the density itself are fine.
    expect(result.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([
      "gradient is finite and matches central differences (compiled)",
      "gradient is finite and matches central differences (eager)",
    ]);
  });

  it("catches observed data outside the support", () => {
    const result = checkModel(countsModel, [[3, -1, 2]]);
    const f = failure(result, "supports");
    expect(f.site).toBe("k");
    expect(f.input).toBe("the data in args");
    expect(f.message).toMatch(/-1 at index 1 is not an integer >= 0/);
  });

  it("assertPasses throws the report", () => {
    const result = checkModel(wrongGradient, [], { engines: ["eager"], numPoints: 5 });
    expect(() => assertPasses(result)).toThrow(PropertyCheckError);
    expect(() => assertPasses(result)).toThrow(/checkModel\(wrongGradient\): 1 of 5 checks failed/);
  });

  it("notes a model without continuous latent sites", () => {
    function* fixed(data: number[]) {
      yield* plate("data", data.length, function* () {
        yield* sample("x", Normal(0, 1), { obs: data });
      });
    }
    const result = checkModel(fixed, [[0.1, 0.2]]);
    expect(result.ok, result.report).toBe(true);
    expect(result.report).toMatch(/no continuous latent sites/);
  });
});
