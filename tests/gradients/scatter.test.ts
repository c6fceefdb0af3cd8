/**
 * Indexed updates with gradients: tf.scatterND, tf.tensorScatterUpdate (NumPyro's
 * x.at[idx].set(v)) and tf.gatherND under tf.grads and in the compiled engine, against central
 * finite differences; and the imputation idiom inside a model's potential.
 */
import { describe, expect, it } from "vitest";
import { compileObjective } from "../../src/compile/index.js";
import { HalfNormal, Normal, potential, sample, tf } from "../../src/index.js";
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
