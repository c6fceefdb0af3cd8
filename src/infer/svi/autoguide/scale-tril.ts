/**
 * The constraint of AutoMultivariateNormal's `scale_tril` parameter (lower-triangular D x D
 * matrices with a positive diagonal) and its bijection from a free vector of D(D+1)/2 reals:
 * the first D entries are the logs of the diagonal, the rest the strictly lower entries row by
 * row. Registered under a name of its own so that it cannot clash with the distribution
 * library's lower-Cholesky constraint.
 */
import { registerBijection } from "../../../dist/biject-to.js";
import { Constraint, realVector } from "../../../dist/constraints.js";
import { Transform } from "../../../dist/transforms.js";
import { tf } from "../../../tf.js";

const NAME = "svi.scaleTril";

/** Lower-triangular n x n matrices with a positive diagonal. */
export class ScaleTrilConstraint extends Constraint {
  readonly name = NAME;
  override readonly eventDim = 2;
  constructor(readonly dimension: number) {
    super();
  }
  check(value: tf.Tensor): tf.Tensor {
    const n = this.dimension;
    const upper = tf.sub(tf.ones([n, n]), tf.linalg.bandPart(tf.ones([n, n]), -1, 0));
    const upperZero = tf.all(tf.equal(tf.mul(value, upper), 0), [-2, -1]);
    const diag = tf.sum(tf.mul(value, tf.eye(n)), -1);
    return tf.logicalAnd(upperZero, tf.all(tf.greater(diag, 0), -1));
  }
  contains(x: number): boolean {
    return Number.isFinite(x);
  }
  describe(): string {
    return `a lower-triangular ${this.dimension}x${this.dimension} matrix with a positive diagonal`;
  }
}

/** The scale_tril constraint for dimension n. */
export function scaleTril(n: number): ScaleTrilConstraint {
  return new ScaleTrilConstraint(n);
}

/** Free vector (log diagonal, then strictly lower entries row-major) -> scale_tril. */
export class ScaleTrilTransform extends Transform {
  readonly name = "scaleTril";
  readonly domain = realVector;
  readonly codomain: Constraint;
  private readonly lowerRows: number[] = [];
  private readonly lowerCols: number[] = [];

  constructor(readonly dimension: number) {
    super();
    this.codomain = new ScaleTrilConstraint(dimension);
    for (let i = 0; i < dimension; i++) {
      for (let j = 0; j < i; j++) {
        this.lowerRows.push(i);
        this.lowerCols.push(j);
      }
    }
  }

  private get size(): number {
    return (this.dimension * (this.dimension + 1)) / 2;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const n = this.dimension;
    const batch = x.shape.slice(0, -1);
    const flat = tf.reshape(x, [-1, this.size]);
    const diag = tf.exp(tf.slice(flat, [0, 0], [-1, n]));
    // Place the diagonal and the lower entries with 0/1 selection matrices (differentiable).
    let l = tf.matMul(diag, this.selection(Array.from({ length: n }, (_, i) => i * n + i)));
    if (this.lowerRows.length > 0) {
      const lower = tf.slice(flat, [0, n], [-1, this.lowerRows.length]);
      const positions = this.lowerRows.map((i, k) => i * n + this.lowerCols[k]);
      l = tf.add(l, tf.matMul(lower, this.selection(positions)));
    }
    return tf.reshape(l, [...batch, n, n]);
  }

  inverse(y: tf.Tensor): tf.Tensor {
    const n = this.dimension;
    const batch = y.shape.slice(0, -2);
    const flat = tf.reshape(y, [-1, n * n]);
    const diagIdx = Array.from({ length: n }, (_, i) => i * n + i);
    const lowerIdx = this.lowerRows.map((i, k) => i * n + this.lowerCols[k]);
    const diag = tf.log(tf.gather(flat, diagIdx, 1));
    const parts = lowerIdx.length > 0 ? [diag, tf.gather(flat, lowerIdx, 1)] : [diag];
    return tf.reshape(tf.concat(parts, 1), [...batch, this.size]);
  }

  logAbsDetJacobian(x: tf.Tensor): tf.Tensor {
    return tf.sum(
      tf.slice(
        x,
        x.shape.map(() => 0),
        [...x.shape.slice(0, -1), this.dimension],
      ),
      -1,
    );
  }

  override forwardShape(shape: readonly number[]): number[] {
    return [...shape.slice(0, -1), this.dimension, this.dimension];
  }

  override inverseShape(shape: readonly number[]): number[] {
    return [...shape.slice(0, -2), this.size];
  }

  override forwardF64(x: Float64Array): Float64Array {
    const n = this.dimension;
    const m = this.size;
    const count = x.length / m;
    const out = new Float64Array(count * n * n);
    for (let b = 0; b < count; b++) {
      for (let i = 0; i < n; i++) out[b * n * n + i * n + i] = Math.exp(x[b * m + i]);
      this.lowerRows.forEach((i, k) => {
        out[b * n * n + i * n + this.lowerCols[k]] = x[b * m + n + k];
      });
    }
    return out;
  }

  override inverseF64(y: Float64Array): Float64Array {
    const n = this.dimension;
    const m = this.size;
    const count = y.length / (n * n);
    const out = new Float64Array(count * m);
    for (let b = 0; b < count; b++) {
      for (let i = 0; i < n; i++) out[b * m + i] = Math.log(y[b * n * n + i * n + i]);
      this.lowerRows.forEach((i, k) => {
        out[b * m + n + k] = y[b * n * n + i * n + this.lowerCols[k]];
      });
    }
    return out;
  }

  // A [positions.length, n*n] matrix with a 1 at (k, positions[k]).
  private selection(positions: number[]): tf.Tensor {
    const n2 = this.dimension * this.dimension;
    const values = new Float32Array(positions.length * n2);
    positions.forEach((p, k) => {
      values[k * n2 + p] = 1;
    });
    return tf.tensor2d(values, [positions.length, n2]);
  }
}

registerBijection(NAME, (c) => new ScaleTrilTransform((c as ScaleTrilConstraint).dimension));
