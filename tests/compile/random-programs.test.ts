/**
 * Random tfjs programs (broadcasting elementwise math, reductions over random axes with and
 * without keepDims, logSumExp, reshapes, transposes, slices) compiled and compared with eager
 * tfjs: a net for the fusion, loop-order and epilogue logic beyond the hand-written battery.
 */
import { describe, expect, it } from "vitest";
import { compileObjective } from "../../src/compile/index.js";
import { tf } from "../../src/tf.js";
import { sizeOf, tryBroadcastShapes } from "../../src/util/shapes.js";
import { eager, worstRelative } from "./helpers.js";

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Step = (pool: tf.Tensor[]) => tf.Tensor;

/** A random program over inputs of random shapes, as a list of steps on a pool of tensors. */
function randomProgram(seed: number): {
  shapes: number[][];
  fn: (...xs: tf.Tensor[]) => tf.Tensor;
} {
  const rand = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const base = [pick([2, 3]), pick([1, 3, 4]), pick([2, 5])];
  const shapes = [base.slice(), base.slice(1), [base[0], 1, base[2]]];
  const known = shapes.map((s) => s.slice());
  const steps: Array<{ step: Step; shape: number[] }> = [];
  const shapeOf = (i: number) => (i < shapes.length ? known[i] : steps[i - shapes.length].shape);
  const count = () => shapes.length + steps.length;
  for (let k = 0; k < 10; k++) {
    const i = Math.floor(rand() * count());
    const s = shapeOf(i);
    const kind = pick(["unary", "binary", "reduce", "lse", "layout"]);
    if (kind === "unary") {
      const f = pick([
        tf.tanh,
        tf.sin,
        tf.sigmoid,
        (x: tf.Tensor) => tf.softplus(tf.tanh(x)),
        tf.square,
      ]);
      steps.push({ step: (p) => f(p[i]), shape: s });
    } else if (kind === "binary") {
      const j = Math.floor(rand() * count());
      const out = tryBroadcastShapes(s, shapeOf(j));
      if (out === undefined) continue;
      const f = pick([
        tf.add,
        tf.sub,
        tf.mul,
        (a: tf.Tensor, b: tf.Tensor) => tf.div(a, tf.add(tf.square(b), 1)),
      ]);
      steps.push({ step: (p) => f(p[i], p[j]), shape: out });
    } else if (kind === "reduce" || kind === "lse") {
      if (s.length === 0) continue;
      const axes = s.map((_, d) => d).filter(() => rand() < 0.5);
      if (axes.length === 0) axes.push(s.length - 1);
      const keepDims = rand() < 0.5;
      const out = keepDims
        ? s.map((d, a) => (axes.includes(a) ? 1 : d))
        : s.filter((_, a) => !axes.includes(a));
      const f =
        kind === "lse"
          ? tf.logSumExp
          : pick([tf.sum, tf.mean, tf.max, tf.min] as Array<typeof tf.sum>);
      steps.push({ step: (p) => f(p[i], axes, keepDims), shape: out });
    } else {
      if (s.length < 2) continue;
      const choice = pick(["transpose", "reshape", "slice"]);
      if (choice === "transpose") {
        const perm = s.map((_, d) => d).reverse();
        steps.push({ step: (p) => tf.transpose(p[i], perm), shape: perm.map((d) => s[d]) });
      } else if (choice === "reshape") {
        const out = [sizeOf(s)];
        steps.push({ step: (p) => tf.reshape(p[i], out), shape: out });
      } else {
        const size = s.map((d) => Math.max(1, d - 1));
        steps.push({
          step: (p) =>
            tf.slice(
              p[i],
              s.map(() => 0),
              size,
            ),
          shape: size,
        });
      }
    }
  }
  const fn = (...xs: tf.Tensor[]) => {
    const pool = xs.slice();
    for (const { step } of steps) pool.push(step(pool));
    // Every intermediate contributes, weighted so that nothing cancels by symmetry.
    return tf.addN(pool.map((t, k) => tf.mul(tf.sum(tf.sin(t)), 1 + 0.1 * k)));
  };
  return { shapes, fn };
}

describe("random programs, compiled against eager tfjs", () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`program ${seed}`, () => {
      const { shapes, fn } = randomProgram(seed);
      const result = compileObjective(fn, shapes, { name: `program ${seed}` });
      if (!result.ok) throw new Error(result.reason);
      // Random points: evenly spaced ones make exact ties in maxima across broadcast inputs,
      // where eager and compiled may pick different (equally valid) subgradients.
      const next = random(1000 + seed);
      const q = shapes.map((s) => Float64Array.from({ length: sizeOf(s) }, () => 3 * next() - 1.5));
      const grads = shapes.map((s) => new Float64Array(sizeOf(s)));
      const value = result.compiled.valueAndGrad(q, grads);
      const reference = eager(fn, shapes, q, [0, 1, 2]);
      // Eager is float32: with cancellation in these arbitrary sums, a few 1e-4 are its noise;
      // an indexing or fusion mistake shows as errors of order one.
      expect(worstRelative([value], [reference.value])).toBeLessThan(1e-3);
      grads.forEach((g, k) => {
        expect(worstRelative(g, reference.grads[k]), `gradient ${k}`).toBeLessThan(1e-3);
      });
    });
  }
});
