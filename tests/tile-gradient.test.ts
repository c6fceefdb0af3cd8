// The Tile gradient registered in src/tf.ts (tf.broadcastTo and tf.where run Tile): the
// gradient of sum(w * tile(x, reps)) is w summed over the repetitions, at any rank.
import { describe, expect, it } from "vitest";
import { tf } from "../src/index.js";

// sum over every repetition of w's block at each x index, by loops over flat indices.
function expected(w: Float32Array, xShape: number[], reps: number[]): number[] {
  const outShape = xShape.map((d, i) => d * reps[i]);
  const out = new Array(xShape.reduce((a, b) => a * b, 1)).fill(0);
  for (let flat = 0; flat < w.length; flat++) {
    let rest = flat;
    let xFlat = 0;
    let stride = 1;
    for (let i = outShape.length - 1; i >= 0; i--) {
      const coord = rest % outShape[i];
      rest = Math.floor(rest / outShape[i]);
      xFlat += (coord % xShape[i]) * stride;
      stride *= xShape[i];
    }
    out[xFlat] += w[flat];
  }
  return out;
}

describe("Tile's gradient", () => {
  for (const [xShape, reps] of [
    [[3], [4]],
    [
      [2, 3],
      [3, 2],
    ],
    [
      [1, 2, 1, 3, 1],
      [2, 1, 3, 2, 4],
    ],
  ] as const) {
    it(`is the sum over repetitions for x of shape [${xShape}] tiled [${reps}]`, () => {
      const size = xShape.reduce((a: number, b: number) => a * b, 1);
      const x = tf.tensor(
        Array.from({ length: size }, (_, i) => i * 0.5 - 1),
        [...xShape],
      );
      const outSize = size * reps.reduce((a: number, b: number) => a * b, 1);
      const w = tf.tensor(
        Array.from({ length: outSize }, (_, i) => Math.sin(i + 1)),
        xShape.map((d, i) => d * reps[i]),
      );
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(w, tf.tile(v, [...reps]))))(x);
      expect(g.shape).toEqual([...xShape]);
      const want = expected(w.dataSync() as Float32Array, [...xShape], [...reps]);
      Array.from(g.dataSync()).forEach((v, i) => {
        expect(v).toBeCloseTo(want[i], 4);
      });
    });
  }

  it("serves tf.broadcastTo of a scalar", () => {
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.broadcastTo(v, [4, 5])))(tf.scalar(2));
    expect(g.dataSync()[0]).toBe(20);
  });
});
