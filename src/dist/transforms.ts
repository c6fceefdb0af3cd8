/**
 * Bijective transforms between the unconstrained reals and constrained sets. Inference works
 * in the unconstrained space and adds `logAbsDetJacobian` to the log density.
 *
 * This module holds the base class and the elementwise transforms (identity, exp, affine,
 * sigmoid, softplus, tanh, power) with their composition; vector and matrix transforms
 * (stick-breaking, ordered, Cholesky factors) are in transforms-vector.ts and
 * transforms-matrix.ts. Every formula is written to stay finite where the math is: sigmoid
 * and its log-derivative through softplus, logit as log(y) - log1p(-y), the inverse softplus
 * as y + log(-expm1(-y)).
 */
import { constant, readFloat64, tf } from "../tf.js";
import { callable } from "../util/callable.js";
import { broadcastShapes, broadcastTo } from "../util/shapes.js";
import {
  type Bound,
  type Constraint,
  Interval,
  independent,
  interval,
  positive,
  real,
  unitInterval,
} from "./constraints.js";

/**
 * A bijection y = forward(x) from `domain` onto `codomain`.
 *
 * @example
 * const t: Transform = bijectTo(constraints.unitInterval);
 * t.forward(tf.tensor([0])); // [0.5]
 * t.inverse(tf.tensor([0.5])); // [0]
 */
export abstract class Transform {
  abstract readonly name: string;
  abstract readonly domain: Constraint;
  abstract readonly codomain: Constraint;
  abstract forward(x: tf.Tensor): tf.Tensor;
  abstract inverse(y: tf.Tensor): tf.Tensor;
  /** log |det dy/dx|, summed over the domain's event dims: one value per batch element. */
  abstract logAbsDetJacobian(x: tf.Tensor, y: tf.Tensor): tf.Tensor;
  /** Shape of forward(x) for x of `shape` (differs for simplex and Cholesky transforms). */
  forwardShape(shape: readonly number[]): number[] {
    return shape.slice();
  }
  /** Shape of inverse(y) for y of `shape`. */
  inverseShape(shape: readonly number[]): number[] {
    return shape.slice();
  }
  /** forward in float64 JavaScript, where the transform offers it (used for exact draws). */
  forwardF64(_x: Float64Array, _shape: readonly number[]): Float64Array | undefined {
    return undefined;
  }
  /** inverse in float64 JavaScript, where the transform offers it. */
  inverseF64(_y: Float64Array, _shape: readonly number[]): Float64Array | undefined {
    return undefined;
  }
}

class IdentityTransformClass extends Transform {
  readonly name = "identity";
  readonly domain = real;
  readonly codomain = real;
  forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return y;
  }
  logAbsDetJacobian(x: tf.Tensor, _y?: tf.Tensor): tf.Tensor {
    return tf.zerosLike(x);
  }
  override forwardF64(x: Float64Array): Float64Array {
    return x.slice();
  }
  override inverseF64(y: Float64Array): Float64Array {
    return y.slice();
  }
}

/**
 * y = x.
 *
 * @example
 * IdentityTransform().forward(tf.tensor([1, 2])); // [1, 2]
 */
export const IdentityTransform = callable(IdentityTransformClass);
export type IdentityTransform = IdentityTransformClass;

class ExpTransformClass extends Transform {
  readonly name = "exp";
  readonly domain = real;
  readonly codomain = positive;
  forward(x: tf.Tensor): tf.Tensor {
    return tf.exp(x);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return tf.log(y);
  }
  logAbsDetJacobian(x: tf.Tensor, _y?: tf.Tensor): tf.Tensor {
    return x;
  }
  override forwardF64(x: Float64Array): Float64Array {
    return x.map(Math.exp);
  }
  override inverseF64(y: Float64Array): Float64Array {
    return y.map(Math.log);
  }
}

/**
 * y = exp(x), onto the positive reals.
 *
 * @example
 * const t = ExpTransform();
 * t.forward(tf.tensor([0, 1])); // [1, 2.7182817]
 * t.logAbsDetJacobian(tf.tensor([0, 1]), t.forward(tf.tensor([0, 1]))); // [0, 1]: log exp(x) = x
 */
export const ExpTransform = callable(ExpTransformClass);
export type ExpTransform = ExpTransformClass;

/** The float64 values of a bound broadcast to `shape`. */
function boundValues(b: Bound, shape: readonly number[]): Float64Array {
  if (!(b instanceof tf.Tensor)) return new Float64Array(shape.reduce((n, d) => n * d, 1)).fill(b);
  return broadcastTo(readFloat64(b), b.shape, broadcastShapes(b.shape, shape));
}

class AffineTransformClass extends Transform {
  readonly name = "affine";
  readonly domain: Constraint;
  readonly codomain: Constraint;
  constructor(
    readonly loc: Bound,
    readonly scale: Bound,
    domain: Constraint = real,
    codomain: Constraint = real,
  ) {
    super();
    this.domain = domain;
    this.codomain = codomain;
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(this.loc, tf.mul(this.scale, x));
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return tf.div(tf.sub(y, this.loc), this.scale);
  }
  logAbsDetJacobian(x: tf.Tensor, _y?: tf.Tensor): tf.Tensor {
    const ld = tf.log(tf.abs(tf.add(tf.zerosLike(x), this.scale)));
    return ld;
  }
  override forwardShape(shape: readonly number[]): number[] {
    return broadcastShapes(shape, boundShape(this.loc), boundShape(this.scale));
  }
  override forwardF64(x: Float64Array, shape: readonly number[]): Float64Array | undefined {
    const target = this.forwardShape(shape);
    if (target.length !== shape.length || target.some((d, i) => d !== shape[i])) return undefined;
    const loc = boundValues(this.loc, shape);
    const scale = boundValues(this.scale, shape);
    return x.map((xi, i) => loc[i] + scale[i] * xi);
  }
  override inverseF64(y: Float64Array, shape: readonly number[]): Float64Array | undefined {
    const target = this.forwardShape(shape);
    if (target.length !== shape.length || target.some((d, i) => d !== shape[i])) return undefined;
    const loc = boundValues(this.loc, shape);
    const scale = boundValues(this.scale, shape);
    return y.map((yi, i) => (yi - loc[i]) / scale[i]);
  }
}

/**
 * y = loc + scale x, elementwise; `loc` and `scale` are numbers or tensors (broadcast against
 * x). Its codomain is `codomain` when given (e.g. an interval for sigmoid-then-affine).
 *
 * @example
 * AffineTransform(1, 2).forward(tf.tensor([0, 1])); // [1, 3]
 */
export const AffineTransform = callable(AffineTransformClass);
export type AffineTransform = AffineTransformClass;

function boundShape(b: Bound): number[] {
  return b instanceof tf.Tensor ? b.shape.slice() : [];
}

// Sigmoid outputs are kept inside (0, 1) so that forward lands in the open interval even where
// float32 would round to 0 or 1 (as NumPyro clips): [tiny, 1 - eps] of float32.
const FLOAT32_TINY = 1.1754943508222875e-38;
const FLOAT32_ONE_MINUS_EPS = 1 - 2 ** -24;

/** 1 / (1 + exp(-x)) in float64 without overflow. */
export function sigmoidF64(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** log(1 + exp(x)) in float64 without overflow. */
export function softplusF64(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

class SigmoidTransformClass extends Transform {
  readonly name = "sigmoid";
  readonly domain = real;
  readonly codomain = unitInterval;
  forward(x: tf.Tensor): tf.Tensor {
    return tf.clipByValue(tf.sigmoid(x), FLOAT32_TINY, FLOAT32_ONE_MINUS_EPS);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return tf.sub(tf.log(y), tf.log1p(tf.neg(y)));
  }
  logAbsDetJacobian(x: tf.Tensor, _y?: tf.Tensor): tf.Tensor {
    return tf.neg(tf.add(tf.softplus(x), tf.softplus(tf.neg(x))));
  }
  override forwardF64(x: Float64Array): Float64Array {
    return x.map(sigmoidF64);
  }
  override inverseF64(y: Float64Array): Float64Array {
    return y.map((v) => Math.log(v) - Math.log1p(-v));
  }
}

/**
 * y = 1 / (1 + exp(-x)), onto the unit interval; log|dy/dx| = -softplus(-x) - softplus(x).
 *
 * @example
 * SigmoidTransform().forward(tf.scalar(0)); // 0.5
 */
export const SigmoidTransform = callable(SigmoidTransformClass);
export type SigmoidTransform = SigmoidTransformClass;

class SoftplusTransformClass extends Transform {
  readonly name = "softplus";
  readonly domain = real;
  readonly codomain = positive;
  forward(x: tf.Tensor): tf.Tensor {
    return tf.softplus(x);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    // x = log(exp(y) - 1) = y + log(-expm1(-y))
    return tf.add(y, tf.log(tf.neg(tf.expm1(tf.neg(y)))));
  }
  logAbsDetJacobian(x: tf.Tensor, _y?: tf.Tensor): tf.Tensor {
    return tf.neg(tf.softplus(tf.neg(x)));
  }
  override forwardF64(x: Float64Array): Float64Array {
    return x.map(softplusF64);
  }
  override inverseF64(y: Float64Array): Float64Array {
    return y.map((v) => v + Math.log(-Math.expm1(-v)));
  }
}

/**
 * y = log(1 + exp(x)), onto the positive reals, with log|dy/dx| = -softplus(-x); a gentler
 * map than exp for scales (NumPyro's `SoftplusTransform`).
 *
 * @example
 * SoftplusTransform().forward(tf.scalar(0)); // log 2
 */
export const SoftplusTransform = callable(SoftplusTransformClass);
export type SoftplusTransform = SoftplusTransformClass;

class TanhTransformClass extends Transform {
  readonly name = "tanh";
  readonly domain = real;
  readonly codomain = interval(-1, 1);
  forward(x: tf.Tensor): tf.Tensor {
    return tf.clipByValue(tf.tanh(x), -FLOAT32_ONE_MINUS_EPS, FLOAT32_ONE_MINUS_EPS);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return tf.atanh(y);
  }
  logAbsDetJacobian(x: tf.Tensor, _y?: tf.Tensor): tf.Tensor {
    return tf.mul(2, tf.sub(tf.sub(constant(Math.LN2), x), tf.softplus(tf.mul(-2, x))));
  }
  override forwardF64(x: Float64Array): Float64Array {
    return x.map(Math.tanh);
  }
  override inverseF64(y: Float64Array): Float64Array {
    return y.map(Math.atanh);
  }
}

/**
 * y = tanh(x), onto (-1, 1), with log|dy/dx| = 2 (log 2 - x - softplus(-2x)).
 *
 * @example
 * TanhTransform().forward(tf.scalar(0)); // 0
 */
export const TanhTransform = callable(TanhTransformClass);
export type TanhTransform = TanhTransformClass;

class PowerTransformClass extends Transform {
  readonly name = "power";
  readonly domain = positive;
  readonly codomain = positive;
  constructor(readonly exponent: number) {
    super();
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.pow(x, this.exponent);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return tf.pow(y, 1 / this.exponent);
  }
  logAbsDetJacobian(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
    // log |p x^(p-1)| = log|p| + log y - log x
    return tf.add(constant(Math.log(Math.abs(this.exponent))), tf.sub(tf.log(y), tf.log(x)));
  }
  override forwardF64(x: Float64Array): Float64Array {
    return x.map((v) => v ** this.exponent);
  }
  override inverseF64(y: Float64Array): Float64Array {
    return y.map((v) => v ** (1 / this.exponent));
  }
}

/**
 * y = x^exponent on the positive reals.
 *
 * @example
 * PowerTransform(2).forward(tf.scalar(3)); // 9
 */
export const PowerTransform = callable(PowerTransformClass);
export type PowerTransform = PowerTransformClass;

/** Sums the rightmost dims of `t` until it has rank `rank`. */
export function sumRightmostTo(t: tf.Tensor, rank: number): tf.Tensor {
  if (t.rank <= rank) return t;
  const axes = Array.from({ length: t.rank - rank }, (_, i) => rank + i);
  return tf.sum(t, axes);
}

/** How many dims a transform adds to its input's rank (1 for vector-to-matrix transforms). */
function rankChange(t: Transform): number {
  return t.codomain.eventDim - t.domain.eventDim;
}

class ComposeTransformClass extends Transform {
  readonly name = "compose";
  readonly domain: Constraint;
  readonly codomain: Constraint;
  /** Event rank of the composite's input. */
  private readonly domainEventDim: number;

  constructor(
    readonly parts: readonly Transform[],
    codomain?: Constraint,
  ) {
    super();
    if (parts.length === 0) throw new Error("ComposeTransform: parts must not be empty");
    let shift = 0;
    let eventDim = 0;
    for (const part of parts) {
      eventDim = Math.max(eventDim, part.domain.eventDim - shift);
      shift += rankChange(part);
    }
    this.domainEventDim = eventDim;
    const first = parts[0].domain;
    const last = parts[parts.length - 1].codomain;
    this.domain = independent(first, Math.max(0, eventDim - first.eventDim));
    const target = codomain ?? last;
    this.codomain = independent(target, Math.max(0, eventDim + shift - target.eventDim));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.parts.reduce((v, t) => t.forward(v), x);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return this.parts.reduceRight((v, t) => t.inverse(v), y);
  }
  logAbsDetJacobian(x: tf.Tensor, _y: tf.Tensor): tf.Tensor {
    const batchRank = x.rank - this.domainEventDim;
    let total: tf.Tensor | undefined;
    let v = x;
    for (const part of this.parts) {
      const next = part.forward(v);
      const ld = sumRightmostTo(part.logAbsDetJacobian(v, next), batchRank);
      total = total === undefined ? ld : tf.add(total, ld);
      v = next;
    }
    return total as tf.Tensor;
  }
  override forwardShape(shape: readonly number[]): number[] {
    return this.parts.reduce((s, t) => t.forwardShape(s), shape.slice());
  }
  override inverseShape(shape: readonly number[]): number[] {
    return this.parts.reduceRight((s, t) => t.inverseShape(s), shape.slice());
  }
  override forwardF64(x: Float64Array, shape: readonly number[]): Float64Array | undefined {
    let v: Float64Array | undefined = x;
    let s = shape.slice();
    for (const part of this.parts) {
      v = part.forwardF64(v, s);
      if (v === undefined) return undefined;
      s = part.forwardShape(s);
    }
    return v;
  }
  override inverseF64(y: Float64Array, shape: readonly number[]): Float64Array | undefined {
    let v: Float64Array | undefined = y;
    let s = shape.slice();
    for (let i = this.parts.length - 1; i >= 0; i--) {
      v = this.parts[i].inverseF64(v, s);
      if (v === undefined) return undefined;
      s = this.parts[i].inverseShape(s);
    }
    return v;
  }
}

/**
 * The composition parts[n-1] o ... o parts[0]: forward applies parts in order, inverse in
 * reverse, and the log-det-Jacobians add up (each summed over the composite's event dims).
 *
 * @example
 * // onto the interval (2, 5): sigmoid, then 2 + 3 y
 * const t = ComposeTransform([SigmoidTransform(), AffineTransform(2, 3)]);
 */
export const ComposeTransform = callable(ComposeTransformClass);
export type ComposeTransform = ComposeTransformClass;

class IndependentTransformClass extends Transform {
  readonly name: string;
  readonly domain: Constraint;
  readonly codomain: Constraint;
  constructor(
    readonly base: Transform,
    readonly reinterpreted: number,
  ) {
    super();
    this.name = base.name;
    this.domain = independent(base.domain, reinterpreted);
    this.codomain = independent(base.codomain, reinterpreted);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.base.forward(x);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return this.base.inverse(y);
  }
  logAbsDetJacobian(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
    const ld = this.base.logAbsDetJacobian(x, y);
    if (this.reinterpreted === 0 || ld.rank === 0) return ld;
    const axes = Array.from(
      { length: Math.min(this.reinterpreted, ld.rank) },
      (_, i) => ld.rank - 1 - i,
    );
    return tf.sum(ld, axes);
  }
  override forwardShape(shape: readonly number[]): number[] {
    return this.base.forwardShape(shape);
  }
  override inverseShape(shape: readonly number[]): number[] {
    return this.base.inverseShape(shape);
  }
  override forwardF64(x: Float64Array, shape: readonly number[]): Float64Array | undefined {
    return this.base.forwardF64(x, shape);
  }
  override inverseF64(y: Float64Array, shape: readonly number[]): Float64Array | undefined {
    return this.base.inverseF64(y, shape);
  }
}

/**
 * A transform applied to blocks of `reinterpreted` more rightmost dims: log-dets are summed over
 * them.
 *
 * @example
 * const t = IndependentTransform(ExpTransform(), 1);
 * const x = tf.tensor([0, 1, 2]);
 * t.logAbsDetJacobian(x, t.forward(x)); // 3: one log-determinant for the whole vector
 */
export const IndependentTransform = callable(IndependentTransformClass);
export type IndependentTransform = IndependentTransformClass;

/**
 * The transform from the reals onto the open interval (low, high): sigmoid, then
 * low + (high - low) y. Bounds may be tensors.
 *
 * @example
 * intervalTransform(0, 10).forward(tf.scalar(0)); // 5
 */
export function intervalTransform(low: Bound, high: Bound, codomain?: Constraint): Transform {
  const width =
    low instanceof tf.Tensor || high instanceof tf.Tensor
      ? tf.sub(high, low)
      : (high as number) - (low as number);
  return new ComposeTransform(
    [new SigmoidTransform(), new AffineTransform(low, width, unitInterval)],
    codomain ?? new Interval(low, high),
  );
}

/** The identity transform. */
export const identityTransform: Transform = new IdentityTransform();
/** The exponential transform. */
export const expTransform: Transform = new ExpTransform();
/** The sigmoid transform. */
export const sigmoidTransform: Transform = new SigmoidTransform();
/** The softplus transform. */
export const softplusTransform: Transform = new SoftplusTransform();
