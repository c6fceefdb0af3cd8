/**
 * The `tf` Tyche exports keeps the float64 values of tensors made by its creation functions, so
 * a model written with plain `tf.scalar` / `tf.tensor` literals is exact in the compiled engine.
 * Checked on the PyMC HMM (examples/hmm.ts) against the independent float64 computation of
 * examples/hmm-reference.ts.
 */
import * as core from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import data from "../examples/data/hmm_data.json" with { type: "json" };
import { plainLogLikelihood } from "../examples/hmm-reference.js";
import { constraints, factor, float64Of, ImproperUniform, sample, tf } from "../src/index.js";
import { potential } from "../src/infer/index.js";

const emissions: number[][] = data.emission_observed;
const truth = {
  signal: 1.15,
  noise: 0.15,
  pInitial: [0.9, 0.09, 0.01],
  pTransition: [
    [0.9, 0.09, 0.01],
    [0.1, 0.8, 0.1],
    [0.2, 0.1, 0.7],
  ],
};

/** The HMM's log-likelihood as a user writes it, with the `tf` namespace given. */
function hmmLogLikelihood(ns: typeof core, signal: core.Tensor, y: number[][]): core.Tensor {
  const noise = ns.scalar(truth.noise);
  const means = ns.mul(signal, ns.tensor([1, 2, 3]));
  const z = ns.div(ns.sub(ns.expandDims(ns.tensor(y), -1), means), noise);
  const emission = ns.sub(
    ns.mul(-0.5, ns.square(z)),
    ns.add(ns.log(noise), ns.scalar(0.5 * Math.log(2 * Math.PI))),
  );
  const steps = ns.unstack(emission, 1);
  const logTransition = ns.log(ns.tensor(truth.pTransition));
  let alpha = ns.add(ns.log(ns.tensor(truth.pInitial)), steps[0]);
  for (let t = 1; t < steps.length; t++) {
    alpha = ns.add(ns.logSumExp(ns.add(ns.expandDims(alpha, 2), logTransition), 1), steps[t]);
  }
  return ns.sum(ns.logSumExp(alpha, 1));
}

/** The compiled log-likelihood at the true signal, with the tensors made by `ns`. */
function compiledLogLikelihood(ns: typeof core): number {
  function* likelihoodOnly() {
    const signal = yield* sample("signal", ImproperUniform(constraints.real));
    yield* factor("emission", hmmLogLikelihood(ns, signal, emissions));
  }
  const U = potential(likelihoodOnly, []);
  expect(U.engine).toBe("compiled");
  return U.logDensity(Float64Array.of(truth.signal));
}

describe("tf: creation functions keep float64 values", () => {
  const reference = plainLogLikelihood(
    truth.signal,
    truth.noise,
    truth.pInitial,
    truth.pTransition,
    emissions,
  );

  it("the PyMC HMM written with plain tf.scalar / tf.tensor literals is exact to 1e-8", () => {
    const ours = compiledLogLikelihood(tf as unknown as typeof core);
    expect(Math.abs(ours - reference)).toBeLessThan(1e-8);
  });

  it("the same code on tfjs-core's own tf is off by more (float32 literals): the check can fail", () => {
    const float32 = compiledLogLikelihood(core);
    expect(Math.abs(float32 - reference)).toBeGreaterThan(1e-6);
  });

  it("keeps the values of scalar, tensor, tensorNd, fill, linspace and range; not of int32 or typed arrays", () => {
    const c = 0.5 * Math.log(2 * Math.PI);
    expect(float64Of(tf.scalar(c))).toEqual(Float64Array.of(c));
    expect(float64Of(tf.tensor([[0.1, 0.2]]))).toEqual(Float64Array.of(0.1, 0.2));
    expect(float64Of(tf.tensor1d([0.1]))).toEqual(Float64Array.of(0.1));
    expect(float64Of(tf.tensor2d([[0.1], [0.7]]))).toEqual(Float64Array.of(0.1, 0.7));
    expect(float64Of(tf.tensor3d([[[0.3]]]))).toEqual(Float64Array.of(0.3));
    expect(float64Of(tf.fill([2], 0.1))).toEqual(Float64Array.of(0.1, 0.1));
    expect(float64Of(tf.linspace(0, 1, 11))?.[3]).toBe(0.3);
    expect(float64Of(tf.range(0, 0.5, 0.1))?.[1]).toBe(0.1);
    expect(float64Of(tf.tensor([1, 2], [2], "int32"))).toBeUndefined();
    expect(float64Of(tf.tensor(Float32Array.of(0.1)))).toBeUndefined();
    // The values tfjs stores are unchanged: float32, as before.
    expect(tf.scalar(0.1).dataSync()[0]).toBe(Math.fround(0.1));
    expect(tf.tensor([0.1]).dtype).toBe("float32");
  });
});
