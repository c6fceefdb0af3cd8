/**
 * Indexed updates with gradients: tf.scatterND, tf.tensorScatterUpdate (NumPyro's
 * x.at[idx].set(v)) and tf.gatherND under tf.grads and in the compiled engine, against central
 * finite differences; and the imputation idiom inside a model's potential.
 */
import { describe, expect, it } from "vitest";
import { compileObjective } from "../../src/compile/index.js";
import { HalfNormal, MCMC, Normal, NUTS, PRNGKey, sample, tf } from "../../src/index.js";
import { potential } from "../../src/infer/index.js";
import { normal } from "../../src/infer/kernels.js";
import { compareGradient } from "../../src/testing/finite-differences.js";
import { tidyValue } from "../../src/tf.js";
import { sizeOf } from "../../src/util/shapes.js";

const idx = () => tf.tensor2d([[1], [4]], [2, 1], "int32");
const cells = () =>
  tf.tensor2d(
    [
      [0, 1],
      [2, 0],
      [0, 1],
    ],
    [3, 2],
    "int32",
  ); // (0, 1) twice

type Objective = (x: tf.Tensor, v: tf.Tensor, w: tf.Tensor) => tf.Tensor;
// Objectives of (x [6], v [2], w [3]) using each kernel, and the inputs each one reads;
// weights make every entry matter.
const objectives: Record<string, { f: Objective; uses: number[] }> = {
  tensorScatterUpdate: {
    f: (x, v) => tf.sum(tf.mul(tf.square(tf.tensorScatterUpdate(x, idx(), v)), tf.range(1, 7))),
    uses: [0, 1],
  },
  scatterND: {
    f: (_x, _v, w) =>
      tf.sum(
        tf.exp(
          tf.mul(tf.scatterND(cells(), tf.square(w), [3, 2]), tf.reshape(tf.range(1, 7), [3, 2])),
        ),
      ),
    uses: [2],
  },
  gatherND: {
    f: (x) => {
      const picks = tf.tensor2d(
        [
          [2, 1],
          [0, 1],
          [2, 1],
        ],
        [3, 2],
        "int32",
      ); // (2, 1) twice
      return tf.sum(tf.square(tf.gatherND(tf.reshape(x, [3, 2]), picks)));
    },
    uses: [0],
  },
};

const shapes = [[6], [2], [3]];
const point = [
  Float64Array.of(0.3, -0.4, 0.5, 0.6, -0.65, 0.7),
  Float64Array.of(0.35, -0.45),
  Float64Array.of(0.31, 0.42, -0.53),
];

// The eager gradient of input `which` at `point` (float32).
function eagerGrad(f: Objective, which: number): Float64Array {
  return tidyValue(() => {
    const xs = point.map((p, i) => tf.tensor(Float32Array.from(p), shapes[i]));
    const g = tf.grad((x: tf.Tensor) =>
      f(...(xs.map((t, i) => (i === which ? x : t)) as [tf.Tensor, tf.Tensor, tf.Tensor])),
    )(xs[which]);
    return Float64Array.from(g.dataSync());
  });
}

describe("indexed updates have gradients", () => {
  for (const [name, { f, uses }] of Object.entries(objectives)) {
    it(`${name}: eager tf.grads and the compiled engine agree with central differences`, () => {
      const compiled = compileObjective(f, shapes, { at: point, name });
      if (!compiled.ok) throw new Error(compiled.reason);
      const grads = shapes.map((s) => new Float64Array(sizeOf(s)));
      compiled.compiled.valueAndGrad(point, grads);
      for (const which of uses) {
        const value = (x: Float64Array) =>
          compiled.compiled.value(point.map((p, i) => (i === which ? x : p)));
        // The compiled engine is float64: tight tolerance.
        const exact = compareGradient(value, point[which], grads[which], { rtol: 1e-7 });
        expect(exact.worst.relError).toBeLessThan(1e-7);
        // Eager tfjs is float32.
        const eager = compareGradient(value, point[which], eagerGrad(f, which), { rtol: 1e-5 });
        expect(eager.worst.relError).toBeLessThan(2e-5);
      }
    });
  }

  it("the gradient of an update reaches only the updated entries; the rest flows to the tensor", () => {
    const [gx, gv] = tf.grads((x: tf.Tensor, v: tf.Tensor) =>
      tf.sum(tf.mul(tf.tensorScatterUpdate(x, idx(), v), tf.range(1, 7))),
    )([tf.ones([6]), tf.tensor1d([7, 8])]);
    expect(Array.from(gx.dataSync())).toEqual([1, 0, 3, 4, 0, 6]);
    expect(Array.from(gv.dataSync())).toEqual([2, 5]);
  });

  it("tensorScatterUpdate leaves its input unchanged (tfjs's cpu kernel wrote into it)", () => {
    const x = tf.ones([6]);
    const y = tf.tensorScatterUpdate(x, idx(), tf.tensor1d([7, 8]));
    expect(Array.from(x.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Array.from(y.dataSync())).toEqual([1, 7, 1, 1, 8, 1]);
  });
});

// NumPyro's covariate imputation: missing x_i are latent, filled in with x.at[idx].set(v).
const xObserved = [0.4, 0, 1.3, -0.2, 0, 0.9, 0];
const missing = [1, 4, 6];
const yObserved = [1.1, 0.2, 2.9, 0.1, 1.7, 2.2, -0.4];
function* imputation(useScatterNd: boolean) {
  const muX = yield* sample("mu_x", Normal(0, 2));
  const sigmaX = yield* sample("sigma_x", HalfNormal(2));
  const xMissing = yield* sample("x_missing", Normal(0, 1).expand([missing.length]).mask(false));
  const rows = tf.tensor2d(missing, [missing.length, 1], "int32");
  const x = useScatterNd
    ? tf.add(tf.tensor1d(xObserved), tf.scatterND(rows, xMissing, [xObserved.length]))
    : tf.tensorScatterUpdate(tf.tensor1d(xObserved), rows, xMissing);
  yield* sample("x", Normal(muX, sigmaX).expand([xObserved.length]).toEvent(1), { obs: x });
  const slope = yield* sample("slope", Normal(0, 2));
  yield* sample("y", Normal(tf.mul(slope, x), 0.5).toEvent(1), { obs: yObserved });
}

describe("imputation with indexed updates", () => {
  for (const useScatterNd of [false, true]) {
    const kernel = useScatterNd ? "scatterND" : "tensorScatterUpdate";
    it(`${kernel}: the potential's gradient equals central differences in both engines`, () => {
      const compiled = potential(imputation, [useScatterNd]);
      const eager = potential(imputation, [useScatterNd], { engine: "eager" });
      expect(compiled.engine).toBe("compiled");
      const q = Float64Array.from({ length: compiled.dim }, (_, i) => 0.3 * Math.sin(i + 1));
      const value = (x: Float64Array) => compiled.valueAndGrad(x, new Float64Array(x.length));
      const grad = new Float64Array(compiled.dim);
      compiled.valueAndGrad(q, grad);
      expect(compareGradient(value, q, grad, { rtol: 1e-7 }).worst.relError).toBeLessThan(1e-7);
      const eagerGradient = new Float64Array(compiled.dim);
      eager.valueAndGrad(q, eagerGradient);
      expect(compareGradient(value, q, eagerGradient, { rtol: 1e-4 }).worst.relError).toBeLessThan(
        1e-4,
      );
    });
  }
});

describe("imputation with NUTS", () => {
  // Data from the model: x_i ~ N(1, 1.5), y_i ~ N(0.5 + 1.2 x_i, 0.5), 60 of 1060 x missing.
  // With 1000 complete rows the parameters are known to a few percent of the missing values'
  // posterior sd, so the 60 intervals cover (nearly) independently at their levels; with few
  // complete rows they share the parameters' estimation error and their count is not binomial.
  const n = 1060;
  const xTrue = normal(PRNGKey(31), n).map((e) => 1 + 1.5 * e);
  const yData = Array.from(normal(PRNGKey(32), n), (e, i) => 0.5 + 1.2 * xTrue[i] + 0.5 * e);
  const missingRows = Array.from({ length: 60 }, (_, k) => 2 * k + 1);
  const missing = new Set(missingRows);
  const xWithGaps = Array.from(xTrue, (x, i) => (missing.has(i) ? 0 : x));

  function* regressionWithGaps(x: number[], rows: number[], y: number[]) {
    const muX = yield* sample("mu_x", Normal(0, 3));
    const sigmaX = yield* sample("sigma_x", HalfNormal(3));
    const imputed = yield* sample("x_missing", Normal(0, 1).expand([rows.length]).mask(false));
    const full = tf.tensorScatterUpdate(
      tf.tensor1d(x),
      tf.tensor2d(rows, [rows.length, 1], "int32"),
      imputed,
    );
    yield* sample("x", Normal(muX, sigmaX).expand([x.length]).toEvent(1), { obs: full });
    const intercept = yield* sample("a", Normal(0, 3));
    const slope = yield* sample("b", Normal(0, 3));
    const noise = yield* sample("s", HalfNormal(2));
    yield* sample("y", Normal(tf.add(intercept, tf.mul(slope, full)), noise).toEvent(1), {
      obs: y,
    });
  }

  it("the 50% and 90% posterior intervals of the missing values cover the true values at their rates", async () => {
    const mcmc = new MCMC(new NUTS(regressionWithGaps), {
      numWarmup: 500,
      numSamples: 1000,
      progressBar: false,
    });
    await mcmc.run(PRNGKey(33), xWithGaps, missingRows, yData);
    expect(mcmc.potential.engine).toBe("compiled");
    const draws = mcmc.getSamples().x_missing;
    const m = missingRows.length;
    expect(draws.shape).toEqual([1000, m]);
    const covered = { 0.5: 0, 0.9: 0 };
    missingRows.forEach((row, j) => {
      const column = Array.from({ length: 1000 }, (_, d) => draws.data[d * m + j]).sort(
        (a, b) => a - b,
      );
      for (const level of [0.5, 0.9] as const) {
        const lo = column[Math.floor((1000 * (1 - level)) / 2)];
        const hi = column[Math.ceil(1000 * (1 - (1 - level) / 2)) - 1];
        if (xTrue[row] >= lo && xTrue[row] <= hi) covered[level]++;
      }
    });
    // Each interval covers with its level: binomial(60, level), within 3.5 sd.
    for (const level of [0.5, 0.9] as const) {
      const sd = Math.sqrt(m * level * (1 - level));
      expect(Math.abs(covered[level] - m * level) / sd, `${level}`).toBeLessThan(3.5);
    }
    // And the intervals are the posterior's, not the prior's (which also cover at their rate
    // when the truth is drawn from the prior): the sd of x_i given y_i and the parameters is
    // (1 / 1.5^2 + 1.2^2 / 0.5^2)^(-1/2) = 0.40, against the prior's 1.5.
    let sdSum = 0;
    for (let j = 0; j < m; j++) {
      let s1 = 0;
      let s2 = 0;
      for (let d = 0; d < 1000; d++) {
        s1 += draws.data[d * m + j];
        s2 += draws.data[d * m + j] ** 2;
      }
      sdSum += Math.sqrt(s2 / 1000 - (s1 / 1000) ** 2);
    }
    expect(Math.abs(sdSum / m / 0.4015 - 1)).toBeLessThan(0.1);
  });
});
