/**
 * Optimizers as pure `{init, update}` pairs over flat Float64Arrays, with the update rules and
 * defaults of NumPyro's `numpyro.optim` (which wraps JAX's `example_libraries.optimizers`).
 *
 * Calling convention (NumPyro's): the step size comes first, positionally, as a number or a
 * schedule of the step index; the rest are options: `Adam(0.01)`, `Adam(0.01, { b1: 0.8 })`,
 * `Adam(exponentialDecay(0.05, 1000, 0.1))`. `update` never mutates its arguments.
 *
 * Adam: Kingma & Ba 2015, "Adam: a method for stochastic optimization".
 * Adagrad: Duchi, Hazan & Singer 2011. RMSProp: Tieleman & Hinton 2012.
 */
import { ArgumentError } from "../../errors.js";
import { type StepSize, toSchedule } from "./schedules.js";

/** An optimizer's internal state: named slots, each as long as the parameter vector. */
export type OptimizerState = Readonly<Record<string, Float64Array>>;

/** The result of one update. */
export interface OptimizerStep {
  readonly params: Float64Array;
  readonly state: OptimizerState;
}

/** A pure first-order optimizer over a flat parameter vector. */
export interface Optimizer {
  /** "Adam", "SGD", ... */
  readonly name: string;
  /** The state for parameters `params` (zeros for every slot). */
  init(params: Float64Array): OptimizerState;
  /** One descent step on the gradient `grad` at step index `step` (0 for the first update). */
  update(
    step: number,
    grad: Float64Array,
    params: Float64Array,
    state: OptimizerState,
  ): OptimizerStep;
}

/** Options of `Adam`. */
export interface AdamOptions {
  /** Decay rate of the first-moment average (default 0.9). */
  b1?: number;
  /** Decay rate of the second-moment average (default 0.999). */
  b2?: number;
  /** Added to the root of the second moment (default 1e-8). */
  eps?: number;
}

/**
 * Adam: x -= stepSize * mhat / (sqrt(vhat) + eps) with bias-corrected moment averages
 * mhat = m / (1 - b1^(t+1)), vhat = v / (1 - b2^(t+1)) (Kingma & Ba 2015).
 *
 * @example
 * const svi = new SVI(model, AutoNormal(model), Adam(0.01), TraceELBO());
 */
export function Adam(stepSize: StepSize, options: AdamOptions = {}): Optimizer {
  const schedule = toSchedule("Adam", stepSize);
  const { b1, b2, eps } = adamOptions("Adam", options);
  return {
    name: "Adam",
    init: (params) => ({ m: new Float64Array(params.length), v: new Float64Array(params.length) }),
    update: (step, grad, params, state) =>
      adamStep(schedule(step), b1, b2, eps, step, grad, params, state),
  };
}

/** Options of `ClippedAdam`. */
export interface ClippedAdamOptions extends AdamOptions {
  /** Every gradient entry is clipped to [-clipNorm, clipNorm] (default 10). */
  clipNorm?: number;
}

/**
 * Adam with every gradient entry clipped to [-clipNorm, clipNorm] first (NumPyro's
 * ClippedAdam clips elementwise, not by the global norm).
 *
 * @example
 * const optimizer = ClippedAdam(0.01, { clipNorm: 5 });
 */
export function ClippedAdam(stepSize: StepSize, options: ClippedAdamOptions = {}): Optimizer {
  const schedule = toSchedule("ClippedAdam", stepSize);
  const { b1, b2, eps } = adamOptions("ClippedAdam", options);
  const clipNorm = options.clipNorm ?? 10;
  positiveOption("ClippedAdam", "clipNorm", clipNorm);
  return {
    name: "ClippedAdam",
    init: (params) => ({ m: new Float64Array(params.length), v: new Float64Array(params.length) }),
    update: (step, grad, params, state) => {
      const clipped = grad.map((g) => Math.min(clipNorm, Math.max(-clipNorm, g)));
      return adamStep(schedule(step), b1, b2, eps, step, clipped, params, state);
    },
  };
}

/**
 * Plain gradient descent: x -= stepSize * g.
 *
 * @example
 * const optimizer = SGD(0.001);
 */
export function SGD(stepSize: StepSize): Optimizer {
  const schedule = toSchedule("SGD", stepSize);
  return {
    name: "SGD",
    init: () => ({}),
    update: (step, grad, params, state) => {
      const lr = schedule(step);
      return { params: params.map((x, i) => x - lr * grad[i]), state };
    },
  };
}

/** Options of `Momentum`. */
export interface MomentumOptions {
  /** Weight of the previous velocity (required, as in NumPyro). */
  mass: number;
}

/**
 * Gradient descent with momentum: velocity = mass * velocity + g; x -= stepSize * velocity.
 *
 * @example
 * const optimizer = Momentum(0.001, { mass: 0.9 });
 */
export function Momentum(stepSize: StepSize, options: MomentumOptions): Optimizer {
  const schedule = toSchedule("Momentum", stepSize);
  const mass = options?.mass;
  if (!(Number.isFinite(mass) && mass >= 0 && mass < 1)) {
    throw new ArgumentError({
      message: `Momentum: mass must be in [0, 1), got ${mass}`,
      api: "Momentum",
      argument: "mass",
    });
  }
  return {
    name: "Momentum",
    init: (params) => ({ velocity: new Float64Array(params.length) }),
    update: (step, grad, params, state) => {
      const lr = schedule(step);
      const velocity = state.velocity.map((v, i) => mass * v + grad[i]);
      return { params: params.map((x, i) => x - lr * velocity[i]), state: { velocity } };
    },
  };
}

/** Options of `RMSProp`. */
export interface RMSPropOptions {
  /** Decay rate of the squared-gradient average (default 0.9). */
  gamma?: number;
  /** Added inside the square root (default 1e-8). */
  eps?: number;
}

/**
 * RMSProp: a = gamma * a + (1 - gamma) * g^2; x -= stepSize * g / sqrt(a + eps).
 *
 * @example
 * const optimizer = RMSProp(0.01);
 */
export function RMSProp(stepSize: StepSize, options: RMSPropOptions = {}): Optimizer {
  const schedule = toSchedule("RMSProp", stepSize);
  const gamma = options.gamma ?? 0.9;
  const eps = options.eps ?? 1e-8;
  unitOption("RMSProp", "gamma", gamma);
  positiveOption("RMSProp", "eps", eps);
  return {
    name: "RMSProp",
    init: (params) => ({ avgSquaredGrad: new Float64Array(params.length) }),
    update: (step, grad, params, state) => {
      const lr = schedule(step);
      const avg = state.avgSquaredGrad.map((a, i) => gamma * a + (1 - gamma) * grad[i] ** 2);
      return {
        params: params.map((x, i) => x - (lr * grad[i]) / Math.sqrt(avg[i] + eps)),
        state: { avgSquaredGrad: avg },
      };
    },
  };
}

/** Options of `Adagrad`. */
export interface AdagradOptions {
  /** Weight of the previous normalized step (default 0.9, as in JAX). */
  momentum?: number;
}

/**
 * Adagrad with momentum, as JAX defines it: s += g^2; m = (1 - momentum) * g / sqrt(s) +
 * momentum * m; x -= stepSize * m (entries with s = 0 do not move).
 *
 * @example
 * const optimizer = Adagrad(0.1);
 */
export function Adagrad(stepSize: StepSize, options: AdagradOptions = {}): Optimizer {
  const schedule = toSchedule("Adagrad", stepSize);
  const momentum = options.momentum ?? 0.9;
  if (!(Number.isFinite(momentum) && momentum >= 0 && momentum < 1)) {
    throw new ArgumentError({
      message: `Adagrad: momentum must be in [0, 1), got ${momentum}`,
      api: "Adagrad",
      argument: "momentum",
    });
  }
  return {
    name: "Adagrad",
    init: (params) => ({
      sumSquaredGrad: new Float64Array(params.length),
      m: new Float64Array(params.length),
    }),
    update: (step, grad, params, state) => {
      const lr = schedule(step);
      const sum = state.sumSquaredGrad.map((s, i) => s + grad[i] ** 2);
      const m = state.m.map(
        (mi, i) => (1 - momentum) * (sum[i] > 0 ? grad[i] / Math.sqrt(sum[i]) : 0) + momentum * mi,
      );
      return { params: params.map((x, i) => x - lr * m[i]), state: { sumSquaredGrad: sum, m } };
    },
  };
}

function adamStep(
  lr: number,
  b1: number,
  b2: number,
  eps: number,
  step: number,
  grad: Float64Array,
  params: Float64Array,
  state: OptimizerState,
): OptimizerStep {
  const n = params.length;
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  const next = new Float64Array(n);
  const c1 = 1 - b1 ** (step + 1);
  const c2 = 1 - b2 ** (step + 1);
  for (let i = 0; i < n; i++) {
    m[i] = (1 - b1) * grad[i] + b1 * state.m[i];
    v[i] = (1 - b2) * grad[i] ** 2 + b2 * state.v[i];
    next[i] = params[i] - (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
  }
  return { params: next, state: { m, v } };
}

function adamOptions(api: string, options: AdamOptions): { b1: number; b2: number; eps: number } {
  const b1 = options.b1 ?? 0.9;
  const b2 = options.b2 ?? 0.999;
  const eps = options.eps ?? 1e-8;
  unitOption(api, "b1", b1);
  unitOption(api, "b2", b2);
  positiveOption(api, "eps", eps);
  return { b1, b2, eps };
}

function unitOption(api: string, argument: string, x: number): void {
  if (!(Number.isFinite(x) && x >= 0 && x < 1)) {
    throw new ArgumentError({
      message: `${api}: ${argument} must be in [0, 1), got ${x}`,
      api,
      argument,
    });
  }
}

function positiveOption(api: string, argument: string, x: number): void {
  if (!(Number.isFinite(x) && x > 0)) {
    throw new ArgumentError({
      message: `${api}: ${argument} must be a positive finite number, got ${x}`,
      api,
      argument,
    });
  }
}
