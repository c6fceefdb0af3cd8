/**
 * `scan` in the compiled engine: the body is traced once into a loop kernel. Three forms of
 * each model (for-loop, scan, vectorized) must give the same density and gradient to 1e-10,
 * the gradient must match finite differences, the compiled program must not grow with T, a body
 * that cannot be traced once must fall back with one warning naming the cause, and NUTS must
 * find the same posterior as with the vectorized form.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { compileObjective, rebuildObjective } from "../../src/compile/index.js";
import { withoutTensorValidation } from "../../src/dist/validation.js";
import {
  Adam,
  AutoNormal,
  constant,
  deterministic,
  factor,
  HalfNormal,
  MCMC,
  mask,
  Normal,
  NUTS,
  PRNGKey,
  plate,
  SVI,
  sample,
  scale,
  scan,
  TraceELBO,
  tf,
} from "../../src/index.js";
import { potential } from "../../src/infer/index.js";
import { compareGradient } from "../../src/testing/finite-differences.js";
import {
  ar1,
  localLevel,
  type SeriesModel,
  stochasticVolatility,
  syntheticSeries,
  type ThreeForms,
} from "./scan-models.js";

const models: ReadonlyArray<[string, ThreeForms, "ar1" | "level" | "volatility"]> = [
  ["AR(1)", ar1, "ar1"],
  ["local level", localLevel, "level"],
  ["stochastic volatility", stochasticVolatility, "volatility"],
];

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  }
  return worst;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("scan in the compiled engine", () => {
  it.each(models)(
    "%s: for-loop, scan and vectorized forms give the same density and gradient (1e-10)",
    (_name, forms, kind) => {
      const y = syntheticSeries(16, kind);
      const warn = vi.spyOn(console, "warn");
      const U = {
        forLoop: potential(forms.forLoop, [y]),
        scan: potential(forms.scan, [y]),
        vectorized: potential(forms.vectorized, [y]),
      };
      expect(warn).not.toHaveBeenCalled();
      expect(U.scan.engine).toBe("compiled");
      expect(U.scan.dim).toBe(U.vectorized.dim);
      for (let k = 0; k < 3; k++) {
        const constrained = U.scan.unravel(U.scan.initialPoint(PRNGKey(k)));
        const values: Record<string, number[] | number> = {};
        const perStep: Record<string, number[] | number> = {};
        for (const [name, d] of Object.entries(constrained)) {
          if (d.shape.length === 0) {
            values[name] = d.data[0];
            perStep[name] = d.data[0];
          } else {
            values[name] = Array.from(d.data);
            d.data.forEach((x, t) => {
              perStep[`${name}_${t}`] = x;
            });
          }
        }
        const results = (["forLoop", "scan", "vectorized"] as const).map((form) => {
          const q = U[form].ravel(form === "forLoop" ? perStep : values);
          const grad = new Float64Array(U[form].dim);
          return { value: U[form].valueAndGrad(q, grad), grad };
        });
        const [loop, scanned, vectorized] = results;
        expect(relativeError([scanned.value], [vectorized.value])).toBeLessThan(1e-10);
        expect(relativeError([loop.value], [vectorized.value])).toBeLessThan(1e-10);
        expect(relativeError(scanned.grad, vectorized.grad)).toBeLessThan(1e-10);
        expect(relativeError(loop.grad, vectorized.grad)).toBeLessThan(1e-10);
      }
    },
  );

  it("a body with plates and a vector carry equals its for-loop form (1e-10)", () => {
    // Steps of arrays take the general path (a step program per iteration), not inlined numbers.
    const N = 3;
    const data = Array.from({ length: 9 }, (_, t) => [Math.sin(t), Math.cos(t), 0.1 * t]);
    function* scanned(y: number[][]) {
      const s = yield* sample("s", HalfNormal(1));
      const w = yield* sample("w", Normal(0, 1));
      yield* scan(
        function* (previous: tf.Tensor, yt: tf.Tensor) {
          const level = yield* plate("N", N, function* () {
            return yield* sample("level", Normal(previous, s));
          });
          yield* plate("N", N, function* () {
            yield* sample("y", Normal(tf.mul(level, w), 0.5), { obs: yt });
          });
          return [level, null] as const;
        },
        tf.zeros([N]),
        y,
      );
    }
    function* unrolled(y: number[][]) {
      const s = yield* sample("s", HalfNormal(1));
      const w = yield* sample("w", Normal(0, 1));
      let previous: tf.Tensor = tf.zeros([N]);
      for (let t = 0; t < y.length; t++) {
        const level: tf.Tensor = yield* plate("N", N, function* () {
          return yield* sample(`level_${t}`, Normal(previous, s));
        });
        yield* plate("N", N, function* () {
          yield* sample(`y_${t}`, Normal(tf.mul(level, w), 0.5), { obs: constant(y[t]) });
        });
        previous = level;
      }
    }
    const warn = vi.spyOn(console, "warn");
    const A = potential(scanned, [data]);
    const B = potential(unrolled, [data]);
    expect(warn).not.toHaveBeenCalled();
    expect(A.dim).toBe(B.dim);
    for (let k = 0; k < 2; k++) {
      const q = A.initialPoint(PRNGKey(k));
      const ga = new Float64Array(A.dim);
      const gb = new Float64Array(B.dim);
      expect(relativeError([A.valueAndGrad(q, ga)], [B.valueAndGrad(q, gb)])).toBeLessThan(1e-10);
      expect(relativeError(ga, gb)).toBeLessThan(1e-10);
    }
  });

  it("factor, deterministic, mask and scale inside the body: the density of the float64 formula", () => {
    const data = [0.3, -0.2, 0.5, 1.0, 0.1, -0.4];
    const keep = [1, 0, 1, 1, 0, 1];
    function* model(y: number[]) {
      const s = yield* sample("s", HalfNormal(1));
      yield* scan(
        function* (previous: tf.Tensor, x: { y: tf.Tensor; keep: tf.Tensor }) {
          const level = yield* sample("level", Normal(previous, s));
          yield* factor("penalty", tf.mul(-0.1, tf.square(level)));
          yield* deterministic("growth", tf.exp(level));
          yield* mask(
            function* () {
              yield* sample("y", Normal(level, 0.5), { obs: x.y });
            },
            tf.cast(x.keep, "bool"),
          )();
          yield* scale(function* () {
            yield* sample("w", Normal(level, 1), { obs: x.y });
          }, 0.5)();
          return [level, null] as const;
        },
        0,
        { y, keep },
      );
    }
    const U = potential(model, [data]);
    expect(U.engine).toBe("compiled");
    const normal = (x: number, m: number, sd: number) =>
      -0.5 * ((x - m) / sd) ** 2 - Math.log(sd) - 0.5 * Math.log(2 * Math.PI);
    for (let k = 0; k < 2; k++) {
      const q = U.initialPoint(PRNGKey(k));
      const s = Math.exp(q[0]);
      const level = Array.from(q.slice(1));
      let lp = Math.log(2) + normal(s, 0, 1) + q[0]; // HalfNormal(1) at s, with log|ds/dq0|
      level.forEach((l, t) => {
        lp += normal(l, t === 0 ? 0 : level[t - 1], s) - 0.1 * l * l;
        lp += (keep[t] === 1 ? normal(data[t], l, 0.5) : 0) + 0.5 * normal(data[t], l, 1);
      });
      expect(relativeError([U.valueAndGrad(q, new Float64Array(U.dim))], [-lp])).toBeLessThan(
        1e-12,
      );
    }
  });

  it.each(models)(
    "%s: the scanned potential's gradient matches central finite differences",
    (_name, forms, kind) => {
      const y = syntheticSeries(20, kind);
      const U = potential(forms.scan, [y]);
      const q = U.initialPoint(PRNGKey(4)).map((x) => 0.5 * x);
      const grad = new Float64Array(U.dim);
      U.valueAndGrad(q, grad);
      const f = (x: Float64Array) => U.valueAndGrad(x, new Float64Array(U.dim));
      const result = compareGradient(f, q, grad, { rtol: 1e-7 });
      expect(result.worst.relError).toBeLessThan(1e-7);
    },
  );

  it("the compiled program does not grow with T; its artifact rebuilds", () => {
    const compile = (T: number) => {
      const y = syntheticSeries(T, "level");
      const U = potential(localLevel.scan, [y]);
      const at = U.initialPoint(PRNGKey(0));
      const result = withoutTensorValidation(() =>
        compileObjective((q) => tf.neg(U.logJoint(q)), [[U.dim]], { at: [at] }),
      );
      if (!result.ok) throw new Error(result.reason);
      return { U, result, at };
    };
    const small = compile(30);
    const large = compile(3000);
    expect(large.result.report.nodes).toBe(small.result.report.nodes);
    expect(large.result.report.recorded).toEqual(small.result.report.recorded);
    // Only the numbers that say T differ (30 against 3000, 29 against 2999, ...).
    expect(
      Math.abs(large.result.report.sourceLength - small.result.report.sourceLength),
    ).toBeLessThan(40);
    const rebuilt = rebuildObjective(large.result.compiled.artifact);
    const g1 = new Float64Array(large.U.dim);
    const g2 = new Float64Array(large.U.dim);
    const v1 = large.result.compiled.valueAndGrad([large.at], [g1]);
    const v2 = rebuilt.valueAndGrad([large.at], [g2]);
    expect(v2).toBe(v1);
    expect(g2).toEqual(g1);
  });

  it("a body that reads a value falls back with one warning naming the cause", () => {
    // Reading data is fine step by step (each step's row is a constant there), not traced once.
    function* readsData(y: number[]) {
      const sigma = yield* sample("sigma", HalfNormal(1));
      yield* scan(
        function* (previous: tf.Tensor, yt: tf.Tensor) {
          const level = yield* sample("level", Normal(previous, sigma));
          const spread = yt.dataSync()[0] > 0 ? 1 : 2;
          yield* sample("y", Normal(level, spread), { obs: yt });
          return [level, null] as const;
        },
        0,
        y,
      );
    }
    const y = [0.5, -0.3, 1.2, -2, 0.1, 0.7];
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const U = potential(readsData, [y]);
    expect(U.engine).toBe("compiled");
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/scan:.*reads the value of a tensor.*dataSync/);
    const E = potential(readsData, [y], { engine: "eager" });
    const q = U.initialPoint(PRNGKey(1));
    const g = new Float64Array(U.dim);
    const ge = new Float64Array(U.dim);
    expect(relativeError([U.valueAndGrad(q, g)], [E.valueAndGrad(q, ge)])).toBeLessThan(1e-5);
    expect(relativeError(g, ge)).toBeLessThan(1e-4);
  });

  it("inside SVI's particle batching (vmap) the traced loop equals the steps recorded one by one", async () => {
    // The same body, except that it reads a row's value: that one is recorded step by step.
    function* readsRow(y: number[]) {
      const sigmaLevel = yield* sample("sigmaLevel", HalfNormal(1));
      const sigmaObs = yield* sample("sigmaObs", HalfNormal(1));
      yield* scan(
        function* (previous: tf.Tensor, yt: tf.Tensor) {
          yt.dataSync();
          const level = yield* sample("level", Normal(previous, sigmaLevel));
          yield* sample("y", Normal(level, sigmaObs), { obs: yt });
          return [level, null] as const;
        },
        0,
        y,
      );
    }
    const y = syntheticSeries(12, "level");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const losses = async (model: SeriesModel) => {
      const svi = new SVI(model, AutoNormal(model), Adam(0.05), TraceELBO({ numParticles: 3 }));
      return Array.from((await svi.run(PRNGKey(0), 10, y)).losses);
    };
    const traced = await losses(localLevel.scan);
    expect(warn).not.toHaveBeenCalled();
    const unrolled = await losses(readsRow);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(relativeError(traced, unrolled)).toBeLessThan(1e-12);
  });

  it("a body that reads a parameter's value leaves only the potential's warning", () => {
    function* readsParameter(y: number[]) {
      const sigma = yield* sample("sigma", HalfNormal(1));
      yield* scan(
        function* (previous: tf.Tensor, yt: tf.Tensor) {
          const spread = sigma.dataSync()[0] > 1 ? 2 : 1;
          yield* sample("y", Normal(previous, spread), { obs: yt });
          return [yt, null] as const;
        },
        0,
        y,
      );
    }
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const U = potential(readsParameter, [[0.5, 0.1, 0.3]]);
    expect(U.engine).toBe("eager");
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/^potential: using the eager engine.*dataSync/);
  });
});

describe("scan: NUTS", () => {
  // Posterior means of the scan and vectorized forms (different seeds) agree within 4.5 MCSE.
  const agree = async (forms: ThreeForms, y: number[], sites: string[]) => {
    const run = async (model: SeriesModel, seed: number) => {
      const mcmc = new MCMC(new NUTS(model), {
        numWarmup: 250,
        numSamples: 300,
        progressBar: false,
      });
      await mcmc.run(PRNGKey(seed), y);
      return mcmc.summary();
    };
    const scanned = await run(forms.scan, 1);
    const vectorized = await run(forms.vectorized, 2);
    for (const site of sites) {
      const a = scanned[site];
      const b = vectorized[site];
      const mcse = Math.sqrt(a.sd ** 2 / a.essBulk + b.sd ** 2 / b.essBulk);
      expect(Math.abs(a.mean - b.mean) / mcse, site).toBeLessThan(4.5);
    }
  };

  it("AR(1)", async () => {
    await agree(ar1, syntheticSeries(30, "ar1"), ["alpha", "rho", "sigma"]);
  });

  it("local level", async () => {
    await agree(localLevel, syntheticSeries(12, "level"), [
      "sigmaLevel",
      "sigmaObs",
      "level[0]",
      "level[11]",
    ]);
  });

  it("stochastic volatility", async () => {
    await agree(stochasticVolatility, syntheticSeries(12, "volatility"), [
      "sigma",
      "nu",
      "s[0]",
      "s[11]",
    ]);
  });
});
