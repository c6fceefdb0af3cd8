import { describe, expect, it } from "vitest";
import { Bernoulli, HalfNormal, ModelError, Normal, sample, tf, Uniform } from "../../src/index.js";
import { potential } from "../../src/infer/index.js";

const logNormal = (x: number, m: number, s: number) =>
  -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
const logHalfNormal = (x: number, s: number) => Math.log(2) + logNormal(x, 0, s);

// sigma ~ HalfNormal(2); y ~ N(0, sigma) observed at 1.3
function* scaleModel() {
  const sigma = yield* sample("sigma", HalfNormal(2));
  yield* sample("y", Normal(0, sigma), { obs: 1.3 });
}

// The hand-computed potential: U(q) = -(log p(e^q) + log p(y | e^q) + q), q = log sigma.
const handU = (q: number) => -(logHalfNormal(Math.exp(q), 2) + logNormal(1.3, 0, Math.exp(q)) + q);

describe("potential", () => {
  const U = potential(scaleModel, []);

  it("lays out one unconstrained coordinate per scalar latent site", () => {
    expect(U.dim).toBe(1);
    expect(U.engine).toBe("compiled");
    expect(U.layout.sites.map((s) => s.name)).toEqual(["sigma"]);
  });

  it("equals the hand-computed log density plus log-Jacobian at several points, in both engines", () => {
    const eager = potential(scaleModel, [], { engine: "eager" });
    expect(eager.engine).toBe("eager");
    const grad = new Float64Array(1);
    const h = 1e-5;
    for (const q of [-2, -0.5, 0, 0.7, 1.9]) {
      // Gradient against central differences of the float64 hand formula.
      const numeric = (handU(q + h) - handU(q - h)) / (2 * h);
      // float32 tolerance for eager tfjs.
      const eagerValue = eager.valueAndGrad(Float64Array.of(q), grad);
      expect(Math.abs(eagerValue - handU(q))).toBeLessThan(1e-5 * Math.max(1, Math.abs(handU(q))));
      expect(Math.abs(grad[0] - numeric)).toBeLessThan(1e-4 * Math.max(1, Math.abs(numeric)));
      // float64 for the compiled engine.
      const value = U.valueAndGrad(Float64Array.of(q), grad);
      expect(Math.abs(value - handU(q))).toBeLessThan(1e-12 * Math.max(1, Math.abs(handU(q))));
      expect(Math.abs(grad[0] - numeric)).toBeLessThan(1e-8 * Math.max(1, Math.abs(numeric)));
    }
  });

  it("logDensity is minus the potential", () => {
    expect(U.logDensity(Float64Array.of(0.4))).toBeCloseTo(-handU(0.4), 4);
  });

  it("unravel and ravel are inverse (PyMC's rmap and map)", () => {
    const values = U.unravel(Float64Array.of(0.25));
    expect(values.sigma.data[0]).toBeCloseTo(Math.exp(0.25), 12);
    expect(U.ravel({ sigma: Math.exp(0.25) })[0]).toBeCloseTo(0.25, 12);
  });

  it("pointLogProbs adds the Jacobian to latent sites", () => {
    const lp = U.pointLogProbs(Float64Array.of(0));
    expect(lp.sigma).toBeCloseTo(logHalfNormal(1, 2) + 0, 5);
    expect(lp.y).toBeCloseTo(logNormal(1.3, 0, 1), 5);
  });

  it("initialPoint is uniform on (-2, 2) and reproducible", () => {
    const a = U.initialPoint(5);
    expect(Math.abs(a[0])).toBeLessThan(2);
    expect(U.initialPoint(5)[0]).toBe(a[0]);
    expect(U.initialPoint(6)[0]).not.toBe(a[0]);
  });

  it("holds sites fixed for a conditional density (PyMC's grad_vars)", () => {
    function* chain() {
      const a = yield* sample("a", Normal(0, 1));
      const b = yield* sample("b", Normal(a, 1));
      yield* sample("x", Normal(b, 1), { obs: 0.5 });
    }
    const conditional = potential(chain, [], { fixed: { a: 0.3 } });
    expect(conditional.dim).toBe(1);
    const grad = new Float64Array(1);
    const b = -0.8;
    const value = conditional.valueAndGrad(Float64Array.of(b), grad);
    const expected = -(logNormal(0.3, 0, 1) + logNormal(b, 0.3, 1) + logNormal(0.5, b, 1));
    expect(value).toBeCloseTo(expected, 5);
    // d/db of -log p = (b - a) - (x - b)
    expect(grad[0]).toBeCloseTo(b - 0.3 - (0.5 - b), 5);
    // The fixed value can change without building the potential again (PyMC's set_extra_values).
    conditional.setFixed({ a: -1.1 });
    const moved = conditional.valueAndGrad(Float64Array.of(b), grad);
    expect(moved).toBeCloseTo(
      -(logNormal(-1.1, 0, 1) + logNormal(b, -1.1, 1) + logNormal(0.5, b, 1)),
      10,
    );
    expect(grad[0]).toBeCloseTo(b + 1.1 - (0.5 - b), 10);
    expect(() => conditional.setFixed({ c: 1 })).toThrow(
      /"c" is not a fixed site of this potential \(fixed: a\)/,
    );
  });

  it("a discrete latent site is an error that says what to do", () => {
    function* mixture() {
      yield* sample("k", Bernoulli({ probs: 0.5 }));
    }
    expect(() => potential(mixture, [])).toThrow(ModelError);
    expect(() => potential(mixture, [])).toThrow(
      /"k" is discrete; mark it with infer: \{ enumerate: "parallel" \}/,
    );
  });
});

describe("supports that depend on other parameters", () => {
  // alpha ~ U(0, 1), beta ~ U(0, 1 - alpha): garch's bound. The joint density is
  // 1 / (1 - alpha) on the triangle; with logit transforms the Jacobians are
  // alpha (1 - alpha) and beta (1 - alpha - beta) / (1 - alpha).
  function* triangle() {
    const alpha = yield* sample("alpha", Uniform(0, 1));
    yield* sample("beta", Uniform(0, tf.sub(1, alpha)));
  }
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

  it("each point maps into the triangle, with the right density and Jacobians, in both engines", () => {
    for (const engine of ["eager", "compiled"] as const) {
      const U = potential(triangle, [], { engine });
      expect(U.layout.sites.find((s) => s.name === "beta")?.dependent).toBe(true);
      for (const [qa, qb] of [
        [0, 0],
        [1.5, -2],
        [-1, 3],
      ]) {
        const alpha = sigmoid(qa);
        const beta = (1 - alpha) * sigmoid(qb);
        const values = U.unravel(Float64Array.of(qa, qb));
        expect(values.alpha.data[0]).toBeCloseTo(alpha, 6);
        expect(values.beta.data[0]).toBeCloseTo(beta, 6);
        const expected =
          -Math.log(1 - alpha) +
          Math.log(alpha * (1 - alpha)) +
          Math.log((beta * (1 - alpha - beta)) / (1 - alpha));
        expect(U.logDensity(Float64Array.of(qa, qb))).toBeCloseTo(
          expected,
          engine === "compiled" ? 10 : 5,
        );
      }
    }
  });
});
