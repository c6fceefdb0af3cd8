/**
 * The scan loops as emitted (compile/scan/fuse.ts, residuals.ts): which loop kernels a model's
 * compiled graph holds (one fused loop where the carry's cotangent is not needed, a forward and
 * a backward loop where it is), which per-step values the forward loop stores, and, for each
 * path, the density and gradient against the for-loop form of the same model (one site per
 * step, no scan) to 1e-10.
 */
import { describe, expect, it } from "vitest";
import { kernelCounts } from "../../src/compile/graph.js";
import { optimize } from "../../src/compile/passes/index.js";
import { fuseScanLoops } from "../../src/compile/scan/fuse.js";
import type { ScanPlan } from "../../src/compile/scan/plan.js";
import { traceObjective } from "../../src/compile/trace.js";
import { withoutTensorValidation } from "../../src/dist/validation.js";
import { HalfNormal, Normal, PRNGKey, sample, scan, tf } from "../../src/index.js";
import { potential } from "../../src/infer/index.js";
import {
  ar1,
  localLevel,
  type SeriesModel,
  stochasticVolatility,
  syntheticSeries,
} from "../primitives/scan-models.js";

/** The optimized graph of a model's potential, and the same graph with its scans fused. */
function graphs(model: SeriesModel, y: number[]) {
  const U = potential(model, [y]);
  const at = U.initialPoint(PRNGKey(0));
  const traced = withoutTensorValidation(() =>
    traceObjective((q) => tf.neg(U.logJoint(q)), [[U.dim]], [0], [at]),
  );
  if (!traced.ok) throw new Error(traced.reason);
  const optimized = optimize(traced.trace.graph);
  return { optimized, fused: fuseScanLoops(optimized) };
}

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  }
  return worst;
}

/** The scan and for-loop forms' compiled density and gradient at three points, compared. */
function expectSameAsForLoop(forLoop: SeriesModel, scanned: SeriesModel, y: number[]) {
  const loop = potential(forLoop, [y]);
  const U = potential(scanned, [y]);
  expect(U.engine).toBe("compiled");
  expect(U.dim).toBe(loop.dim);
  for (let k = 0; k < 3; k++) {
    const q = U.initialPoint(PRNGKey(k)).map((x) => 0.7 * x);
    const g = new Float64Array(U.dim);
    const h = new Float64Array(U.dim);
    const value = U.valueAndGrad(q, g);
    const reference = loop.valueAndGrad(q, h);
    expect(relativeError([value], [reference])).toBeLessThan(1e-10);
    expect(relativeError(g, h)).toBeLessThan(1e-10);
    expect(h.some((x) => x !== 0)).toBe(true);
  }
}

/**
 * y_t ~ Normal(shift_t + 0.5 y_(t-1), sigma) with a latent shift per step: the carry is
 * observed data (no cotangent), but the sliced input needs its gradient row by row.
 */
const latentShift = {
  *forLoop(y: number[]) {
    const sigma = yield* sample("sigma", HalfNormal(1));
    const shift = yield* sample("shift", Normal(tf.zeros([y.length - 1]), 1));
    for (let t = 1; t < y.length; t++) {
      const at = tf.reshape(tf.slice(shift, [t - 1], [1]), []);
      const loc = tf.add(at, tf.mul(0.5, tf.scalar(y[t - 1])));
      yield* sample(`y_${t}`, Normal(loc, sigma), { obs: y[t] });
    }
  },
  *scan(y: number[]) {
    const sigma = yield* sample("sigma", HalfNormal(1));
    const shift = yield* sample("shift", Normal(tf.zeros([y.length - 1]), 1));
    yield* scan(
      function* (previous: tf.Tensor, x: { y: tf.Tensor; shift: tf.Tensor }) {
        const loc = tf.add(x.shift, tf.mul(0.5, previous));
        yield* sample("y", Normal(loc, sigma), { obs: x.y });
        return [x.y, null] as const;
      },
      y[0],
      { y: y.slice(1), shift },
    );
  },
};

describe("scan loops", () => {
  it("AR(1) (the carry is data): one fused loop forward, its log density summed in it", () => {
    const { optimized, fused } = graphs(ar1.scan, syntheticSeries(30, "ar1"));
    expect(kernelCounts(optimized)).toMatchObject({ TycheScan: 1, TycheScanGrad: 1 });
    const counts = kernelCounts(fused);
    expect(counts.TycheScanFused).toBe(1);
    expect(counts.TycheScan).toBeUndefined();
    expect(counts.TycheScanGrad).toBeUndefined();
    const loop = fused.nodes.find((n) => n.op === "TycheScanFused");
    expect(loop?.attrs.summed).toEqual([0]);
    expect(fused.values[loop!.outputs[2]].shape).toEqual([]); // the total, not one per step
    expectSameAsForLoop(ar1.forLoop, ar1.scan, syntheticSeries(40, "ar1"));
  });

  it("a latent row per step with a data carry: fused, with the rows' gradient", () => {
    const y = syntheticSeries(25, "ar1");
    const counts = kernelCounts(graphs(latentShift.scan, y).fused);
    expect(counts.TycheScanFused).toBe(1);
    expectSameAsForLoop(latentShift.forLoop, latentShift.scan, y);
  });

  it.each([
    ["stochastic volatility", stochasticVolatility, "volatility"],
    ["local level", localLevel, "level"],
  ] as const)("%s (a latent carry): a forward and a backward loop", (_name, forms, kind) => {
    const y = syntheticSeries(30, kind);
    const counts = kernelCounts(graphs(forms.scan, y).fused);
    expect(counts.TycheScanFused).toBeUndefined();
    expect(counts).toMatchObject({ TycheScan: 1, TycheScanGrad: 1 });
    expectSameAsForLoop(forms.forLoop, forms.scan, y);
  });

  it("stores only the per-step values that cost a call to compute again", () => {
    const { optimized } = graphs(stochasticVolatility.scan, syntheticSeries(10, "volatility"));
    const plan = optimized.nodes.find((n) => n.op === "TycheScan")?.attrs.plan as ScanPlan;
    const stored = plan.forward.outputs.slice(1 + plan.carry.length + plan.stacked.length);
    const ops = stored.map((v) => plan.forward.nodes.find((n) => n.outputs.includes(v))?.op);
    // exp(s_t) (the Student-t's scale) and log1p(z^2 / nu); z and z^2 are computed again.
    expect(ops.sort()).toEqual(["Exp", "Log1p"]);
  });
});
