import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../../src/errors.js";
import {
  Adagrad,
  Adam,
  ClippedAdam,
  Momentum,
  type Optimizer,
  RMSProp,
  SGD,
} from "../../../src/infer/svi/optimizers.js";
import {
  exponentialDecay,
  inverseTimeDecay,
  piecewiseConstant,
} from "../../../src/infer/svi/schedules.js";

const f64 = (...xs: number[]) => Float64Array.from(xs);

// Runs an optimizer on a sequence of gradients from x0, returning every iterate.
function iterate(opt: Optimizer, x0: Float64Array, grads: Float64Array[]): Float64Array[] {
  let params = x0;
  let state = opt.init(params);
  const out: Float64Array[] = [];
  grads.forEach((g, step) => {
    const next = opt.update(step, g, params, state);
    params = next.params;
    state = next.state;
    out.push(params);
  });
  return out;
}

describe("optimizers follow the update rules of numpyro.optim (JAX example_libraries)", () => {
  it("SGD: x - lr g", () => {
    const [x1] = iterate(SGD(0.1), f64(1, -2), [f64(3, -4)]);
    expect(Array.from(x1)).toEqual([1 - 0.3, -2 + 0.4]);
  });

  it("Momentum: v = mass v + g; x -= lr v", () => {
    const [x1, x2] = iterate(Momentum(0.1, { mass: 0.5 }), f64(0), [f64(2), f64(1)]);
    expect(x1[0]).toBeCloseTo(-0.2, 14);
    // v2 = 0.5 * 2 + 1 = 2
    expect(x2[0]).toBeCloseTo(-0.2 - 0.2, 14);
  });

  it("Adam: bias-corrected moments, eps outside the root (Kingma & Ba 2015)", () => {
    const lr = 0.01;
    const [x1, x2] = iterate(Adam(lr), f64(1), [f64(4), f64(-2)]);
    // Step 1: mhat = g, vhat = g^2.
    expect(x1[0]).toBeCloseTo(1 - (lr * 4) / (4 + 1e-8), 14);
    // Step 2 by hand.
    const m = 0.9 * 0.1 * 4 + 0.1 * -2;
    const v = 0.999 * 0.001 * 16 + 0.001 * 4;
    const mhat = m / (1 - 0.9 ** 2);
    const vhat = v / (1 - 0.999 ** 2);
    expect(x2[0]).toBeCloseTo(x1[0] - (lr * mhat) / (Math.sqrt(vhat) + 1e-8), 14);
  });

  it("ClippedAdam clips each gradient entry to [-clipNorm, clipNorm] before Adam", () => {
    const grads = [f64(100, 0.5), f64(1, 0.5)];
    const clipped = iterate(ClippedAdam(0.01, { clipNorm: 10 }), f64(0, 0), grads);
    const plain = iterate(Adam(0.01), f64(0, 0), [f64(10, 0.5), f64(1, 0.5)]);
    expect(Array.from(clipped[1])).toEqual(Array.from(plain[1]));
    const unclipped = iterate(Adam(0.01), f64(0, 0), grads);
    expect(clipped[1][0]).not.toBeCloseTo(unclipped[1][0], 6);
  });

  it("RMSProp: a = gamma a + (1 - gamma) g^2; x -= lr g / sqrt(a + eps)", () => {
    const [x1] = iterate(RMSProp(0.01), f64(0), [f64(2)]);
    expect(x1[0]).toBeCloseTo(-(0.01 * 2) / Math.sqrt(0.1 * 4 + 1e-8), 14);
  });

  it("Adagrad with JAX's momentum 0.9: m = 0.1 g / sqrt(sum g^2) + 0.9 m", () => {
    const [x1, x2] = iterate(Adagrad(0.5), f64(0), [f64(3), f64(4)]);
    expect(x1[0]).toBeCloseTo(-0.5 * 0.1, 14);
    const m2 = 0.1 * (4 / 5) + 0.9 * 0.1;
    expect(x2[0]).toBeCloseTo(x1[0] - 0.5 * m2, 14);
  });

  it("every optimizer minimizes a quadratic", () => {
    const target = f64(1.5, -0.5);
    const optimizers = [
      Adam(0.05),
      ClippedAdam(0.05),
      SGD(0.1),
      Momentum(0.05, { mass: 0.9 }),
      RMSProp(0.01),
      Adagrad(0.5),
    ];
    for (const opt of optimizers) {
      let params: Float64Array = f64(0, 0);
      let state = opt.init(params);
      for (let step = 0; step < 2000; step++) {
        const grad = params.map((x, i) => x - target[i]);
        ({ params, state } = opt.update(step, grad, params, state));
      }
      expect(Math.abs(params[0] - 1.5), opt.name).toBeLessThan(0.02);
      expect(Math.abs(params[1] + 0.5), opt.name).toBeLessThan(0.02);
    }
  });

  it("update is pure: its arguments are not modified", () => {
    const opt = Adam(0.1);
    const params = f64(1, 2);
    const state = opt.init(params);
    const grad = f64(0.5, -0.5);
    opt.update(0, grad, params, state);
    expect(Array.from(params)).toEqual([1, 2]);
    expect(Array.from(state.m)).toEqual([0, 0]);
    expect(Array.from(grad)).toEqual([0.5, -0.5]);
  });

  it("rejects bad options, naming the optimizer and the argument", () => {
    expect(() => Adam(-1)).toThrow(ArgumentError);
    expect(() => Adam(-1)).toThrow(/Adam: stepSize must be a positive/);
    expect(() => Adam(0.1, { b1: 1 })).toThrow(/Adam: b1 must be in \[0, 1\)/);
    expect(() => Momentum(0.1, { mass: 2 })).toThrow(/Momentum: mass/);
  });
});

describe("learning-rate schedules (JAX semantics)", () => {
  it("exponentialDecay: lr * rate^(step / decaySteps)", () => {
    const s = exponentialDecay(0.1, 10, 0.5);
    expect(s(0)).toBe(0.1);
    expect(s(10)).toBeCloseTo(0.05, 15);
    expect(s(5)).toBeCloseTo(0.1 * Math.SQRT1_2, 15);
  });

  it("piecewiseConstant: values[number of boundaries passed, step > boundary]", () => {
    const s = piecewiseConstant([5, 10], [1, 0.5, 0.1]);
    expect([0, 5, 6, 10, 11].map(s)).toEqual([1, 1, 0.5, 0.5, 0.1]);
    expect(() => piecewiseConstant([5], [1])).toThrow(/one more entry/);
  });

  it("inverseTimeDecay: lr / (1 + rate * step / decaySteps)", () => {
    expect(inverseTimeDecay(1, 10, 1)(10)).toBeCloseTo(0.5, 15);
    expect(inverseTimeDecay(1, 10, 1, true)(15)).toBeCloseTo(0.5, 15);
  });

  it("a schedule drives an optimizer's step size", () => {
    const [x1, x2] = iterate(SGD(piecewiseConstant([0], [1, 0.1])), f64(0), [f64(1), f64(1)]);
    expect(x1[0]).toBe(-1);
    expect(x2[0]).toBeCloseTo(-1.1, 14);
  });
});
