/**
 * The compiled matMul kernel against a naive float64 triple loop: every loop order it picks
 * (dot products, rows of B added into rows of the output, k outermost for a transposed A),
 * sizes that leave remainders after the unrolled loops, batches and broadcast batches. The
 * gradients (themselves matMuls with other transposes) are checked against central finite
 * differences of the naive value.
 */
import { describe, expect, it } from "vitest";
import { compileObjective } from "../../src/compile/index.js";
import { tf } from "../../src/tf.js";
import { sizeOf } from "../../src/util/shapes.js";
import { exact, pointIn } from "./helpers.js";

interface Product {
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
  batchA?: number[];
  batchB?: number[];
  /** Inputs to differentiate (tfjs cannot reduce the gradient of a broadcast batch). */
  wrt?: number[];
}

const cases: Product[] = [
  { m: 37, k: 9, n: 1, transposeA: false, transposeB: false }, // X beta
  { m: 9, k: 37, n: 1, transposeA: true, transposeB: false }, // X^T r
  { m: 5, k: 7, n: 6, transposeA: false, transposeB: false },
  { m: 5, k: 7, n: 6, transposeA: true, transposeB: false },
  { m: 5, k: 7, n: 6, transposeA: false, transposeB: true },
  { m: 5, k: 7, n: 6, transposeA: true, transposeB: true },
  { m: 1, k: 13, n: 3, transposeA: false, transposeB: false },
  { m: 1, k: 6, n: 3, transposeA: true, transposeB: false },
  { m: 3, k: 1, n: 2, transposeA: true, transposeB: true },
  { m: 4, k: 8, n: 4, transposeA: false, transposeB: false },
  { m: 6, k: 2, n: 1, transposeA: true, transposeB: true },
  { m: 3, k: 5, n: 2, transposeA: true, transposeB: false, batchA: [2, 3], batchB: [2, 3] },
  { m: 3, k: 5, n: 4, transposeA: false, transposeB: true, batchA: [2], wrt: [0] },
  { m: 2, k: 6, n: 3, transposeA: true, transposeB: false, batchB: [3], wrt: [1] },
];

const matrixShape = (rows: number, cols: number, transposed: boolean) =>
  transposed ? [cols, rows] : [rows, cols];

/** The batch index of an operand for output batch `flat` (NumPy broadcasting). */
function operandBatch(flat: number, outBatch: number[], batch: number[]): number {
  let index = 0;
  let stride = 1;
  let rest = flat;
  const offset = outBatch.length - batch.length;
  const digits: number[] = [];
  for (let d = outBatch.length - 1; d >= 0; d--) {
    digits[d] = rest % outBatch[d];
    rest = Math.floor(rest / outBatch[d]);
  }
  for (let d = batch.length - 1; d >= 0; d--) {
    index += (batch[d] === 1 ? 0 : digits[d + offset]) * stride;
    stride *= batch[d];
  }
  return index;
}

/** A(i, k) B(k, j) summed over k, one output element at a time, in float64. */
function naiveProduct(c: Product, a: Float64Array, b: Float64Array): Float64Array {
  const batchA = c.batchA ?? [];
  const batchB = c.batchB ?? [];
  const outBatch = batchA.length >= batchB.length ? batchA : batchB;
  const batches = sizeOf(outBatch);
  const out = new Float64Array(batches * c.m * c.n);
  for (let t = 0; t < batches; t++) {
    const aBase = operandBatch(t, outBatch, batchA) * c.m * c.k;
    const bBase = operandBatch(t, outBatch, batchB) * c.k * c.n;
    for (let i = 0; i < c.m; i++) {
      for (let j = 0; j < c.n; j++) {
        let sum = 0;
        for (let k = 0; k < c.k; k++) {
          const aik = a[aBase + (c.transposeA ? k * c.m + i : i * c.k + k)];
          const bkj = b[bBase + (c.transposeB ? j * c.k + k : k * c.n + j)];
          sum += aik * bkj;
        }
        out[(t * c.m + i) * c.n + j] = sum;
      }
    }
  }
  return out;
}

/** Distinct weights for each output element, so that no wrong element can go unnoticed. */
function weightsFor(size: number): Float64Array {
  return Float64Array.from({ length: size }, (_, i) => 1 + ((i * 0.7548776662466927) % 1));
}

/** sum(W * P * P) / 2 with P the naive product: the objective, in float64. */
function naiveObjective(c: Product, a: Float64Array, b: Float64Array): number {
  const p = naiveProduct(c, a, b);
  const w = weightsFor(p.length);
  let total = 0;
  for (let t = 0; t < p.length; t++) total += 0.5 * w[t] * p[t] * p[t];
  return total;
}

const label = (c: Product) =>
  `[${c.batchA ?? []}] ${c.m}x${c.k}${c.transposeA ? "^T" : ""} times [${c.batchB ?? []}] ${c.k}x${c.n}${c.transposeB ? "^T" : ""}`;

describe("compiled matMul against a naive float64 triple loop", () => {
  for (const c of cases) {
    it(label(c), () => {
      const aShape = [...(c.batchA ?? []), ...matrixShape(c.m, c.k, c.transposeA)];
      const bShape = [...(c.batchB ?? []), ...matrixShape(c.k, c.n, c.transposeB)];
      const a = pointIn(aShape, -1, 1, 2);
      const b = pointIn(bShape, -1, 1, 5);
      const outSize = naiveProduct(c, a, b).length;
      const w = exact(weightsFor(outSize));
      const objective = (x: tf.Tensor, y: tf.Tensor) => {
        const p = tf.matMul(
          tf.reshape(x, aShape),
          tf.reshape(y, bShape),
          c.transposeA,
          c.transposeB,
        );
        return tf.mul(0.5, tf.sum(tf.mul(tf.reshape(w, p.shape), tf.square(p))));
      };
      const wrt = c.wrt ?? [0, 1];
      const result = compileObjective(objective, [[a.length], [b.length]], { wrt });
      if (!result.ok) throw new Error(result.reason);
      const inputs = [a, b];
      const grads = wrt.map((i) => new Float64Array(inputs[i].length));
      const value = result.compiled.valueAndGrad(inputs, grads);
      const expected = naiveObjective(c, a, b);
      expect(Math.abs(value - expected)).toBeLessThan(1e-13 * Math.max(1, Math.abs(expected)));
      // A second point: the program reads its inputs afresh on each call.
      const a2 = a.map((v, i) => v * (1 + 0.1 * Math.sin(i)));
      const expected2 = naiveObjective(c, a2, b);
      expect(Math.abs(result.compiled.value([a2, b]) - expected2)).toBeLessThan(
        1e-13 * Math.max(1, Math.abs(expected2)),
      );

      wrt.forEach((input, g) => {
        const x = inputs[input];
        for (let j = 0; j < x.length; j++) {
          const h = 1e-4;
          const saved = x[j];
          x[j] = saved + h;
          const up = naiveObjective(c, a, b);
          x[j] = saved - h;
          const down = naiveObjective(c, a, b);
          x[j] = saved;
          const numeric = (up - down) / (2 * h); // exact for a quadratic, up to rounding
          expect(
            Math.abs(grads[g][j] - numeric),
            `d/d input ${input}[${j}]: ${grads[g][j]} vs ${numeric}`,
          ).toBeLessThan(1e-8 * Math.max(1, Math.abs(numeric)));
        }
      });
    });
  }
});
