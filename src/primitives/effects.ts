/**
 * The effects a model yields: `sample`, `factor`, `deterministic` and `param`. Each is a
 * single-shot generator, so `yield*` returns the site's value with its type.
 */
import type { Constraint } from "../dist/constraints.js";
import { real } from "../dist/constraints.js";
import type { Distribution } from "../dist/distribution.js";
import { Unit } from "../dist/unit.js";
import { type ArrayLike, constant, type tf } from "../tf.js";
import type { InferOptions, Message } from "./messages.js";
import type { Key } from "./prng.js";
import { siteConstant } from "./site-data.js";

/** Options of `sample`. */
export interface SampleOptions {
  /** Observed value: the site is conditioned on it. */
  obs?: ArrayLike;
  infer?: InferOptions;
}

/**
 * A random variable drawn from `fn`, or observed at `obs`.
 *
 * @example
 * function* model(y: number[]) {
 *   const mu = yield* sample("mu", Normal(0, 5));
 *   yield* sample("y", Normal(mu, 1), { obs: y });
 * }
 */
export function* sample(
  name: string,
  fn: Distribution,
  options: SampleOptions = {},
): Generator<Message, tf.Tensor, unknown> {
  const observed = options.obs !== undefined;
  const msg: Message = {
    type: "sample",
    name,
    fn,
    value: observed ? siteConstant(options.obs as ArrayLike, "sample", name) : null,
    isObserved: observed,
    scale: null,
    mask: null,
    key: null,
    infer: options.infer ?? {},
    plates: [],
    stop: false,
  };
  yield msg;
  return msg.value as tf.Tensor;
}

/**
 * Adds `logWeight` to the model's log density (a sample of a `Unit` distribution).
 *
 * @example
 * // a log-likelihood computed by hand (here a standard normal's at 0.5), added to the density
 * yield* factor("likelihood", tf.scalar(-0.5 * 0.5 ** 2 - 0.5 * Math.log(2 * Math.PI)));
 */
export function* factor(name: string, logWeight: ArrayLike): Generator<Message, void, unknown> {
  const weight = constant(logWeight);
  yield* sample(name, Unit(weight), { obs: new Float64Array(0) });
}

/**
 * Records a named function of other sites in the trace and in posterior draws.
 *
 * @example
 * const theta = yield* deterministic("theta", tf.add(mu, tf.mul(tau, eta)));
 */
export function* deterministic(
  name: string,
  value: ArrayLike,
): Generator<Message, tf.Tensor, unknown> {
  const msg: Message = {
    type: "deterministic",
    name,
    value: constant(value),
    plates: [],
    stop: false,
  };
  yield msg;
  return msg.value as tf.Tensor;
}

/** Options of `param`. */
export interface ParamOptions {
  /** The set the parameter lives in (default: real); optimizers work in the unconstrained space. */
  constraint?: Constraint;
}

/**
 * An optimizable parameter, as used by guides in SVI. `init` is a value or a function of a key.
 *
 * @example
 * const loc = yield* param("loc", 0);
 * const scale = yield* param("scale", 1, { constraint: positive });
 */
export function* param(
  name: string,
  init: ArrayLike | ((key: Key) => tf.Tensor),
  options: ParamOptions = {},
): Generator<Message, tf.Tensor, unknown> {
  const msg: Message = {
    type: "param",
    name,
    init,
    constraint: options.constraint ?? real,
    value: null,
    key: null,
    plates: [],
    stop: false,
  };
  yield msg;
  return msg.value as tf.Tensor;
}
