/**
 * Bijective transforms between the unconstrained reals and constrained sets. Inference works
 * in the unconstrained space and adds `logAbsDetJacobian` to the log density.
 */
import { tf } from "../tf.js";
import { type Constraint, independent, positive, real } from "./constraints.js";

/** A bijection y = forward(x) from `domain` onto `codomain`. */
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

/** y = x. */
export class IdentityTransform extends Transform {
  readonly name = "identity";
  readonly domain = real;
  readonly codomain = real;
  forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return y;
  }
  logAbsDetJacobian(x: tf.Tensor): tf.Tensor {
    return tf.zerosLike(x);
  }
  override forwardF64(x: Float64Array): Float64Array {
    return x.slice();
  }
  override inverseF64(y: Float64Array): Float64Array {
    return y.slice();
  }
}

/** y = exp(x), onto the positive reals. */
export class ExpTransform extends Transform {
  readonly name = "exp";
  readonly domain = real;
  readonly codomain = positive;
  forward(x: tf.Tensor): tf.Tensor {
    return tf.exp(x);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return tf.log(y);
  }
  logAbsDetJacobian(x: tf.Tensor): tf.Tensor {
    return x;
  }
  override forwardF64(x: Float64Array): Float64Array {
    return x.map(Math.exp);
  }
  override inverseF64(y: Float64Array): Float64Array {
    return y.map(Math.log);
  }
}

/** A transform applied to blocks of `reinterpreted` more rightmost dims: log-dets are summed over them. */
export class IndependentTransform extends Transform {
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

/** The identity transform. */
export const identityTransform: Transform = new IdentityTransform();
/** The exponential transform. */
export const expTransform: Transform = new ExpTransform();
