/**
 * Constraints: the sets distributions live in and parameters must respect. Each can check a
 * tensor (for support checks) and plain numbers (for cheap parameter validation). Bounds of
 * intervals may be tensors, so that a support can depend on other parameters (e.g.
 * `Uniform(0, tf.sub(1, alpha))`); `bijectTo` builds the transform from the bounds it finds.
 */
import { float64Of, readFloat64, tf } from "../tf.js";
import { broadcastShapes, broadcastTo, sizeOf } from "../util/shapes.js";
import { sliceLast } from "./util.js";
import { tensorValidationActive } from "./validation.js";

/**
 * A set of values, such as the positive reals or the simplex.
 *
 * @example
 * constraints.positive.contains(2); // true
 * constraints.simplex.eventDim; // 1: a simplex is a whole vector
 * bijectTo(constraints.positive).name; // "exp"
 */
export abstract class Constraint {
  /** Kind of set; `bijectTo` finds a transform by it. */
  abstract readonly name: string;
  /** Number of rightmost dimensions a single element of the set spans (1 for the simplex). */
  readonly eventDim: number = 0;
  readonly isDiscrete: boolean = false;
  /** Elementwise membership of the rightmost-event-dim blocks of `value`, as a bool tensor. */
  abstract check(value: tf.Tensor): tf.Tensor;
  /** Whether one scalar belongs to the set (constraints with eventDim 0). */
  abstract contains(x: number): boolean;
  /**
   * Words for error messages: "positive", "in [0, 1]". With `index`, the words for the block
   * at that index (constraints whose bounds are tensors name the bound's value there).
   */
  abstract describe(index?: number, shape?: readonly number[]): string;
  /**
   * Index of the first block of `values` (row-major, of `shape`) outside the set, or -1.
   * Elementwise by default; event constraints override it.
   */
  firstViolation(values: ArrayLike<number>, _shape: readonly number[]): number {
    for (let i = 0; i < values.length; i++) if (!this.contains(values[i])) return i;
    return -1;
  }
  /** Whether `firstViolation` can run now (false when it would read tensors during inference). */
  canCheck(): boolean {
    return true;
  }
  /**
   * Whether the set depends on other parameters (a bound computed from them, as in
   * `Uniform(0, tf.sub(1, alpha))`): its `bijectTo` transform must be rebuilt per evaluation.
   */
  get isParameterDependent(): boolean {
    return false;
  }
}

class Real extends Constraint {
  readonly name = "real";
  check(value: tf.Tensor): tf.Tensor {
    return tf.logicalNot(tf.logicalOr(tf.isNaN(value), tf.isInf(value)));
  }
  contains(x: number): boolean {
    return Number.isFinite(x);
  }
  describe(): string {
    return "a finite real number";
  }
}

/** A bound of an interval: a number, or a tensor that broadcasts against the values. */
export type Bound = number | tf.Tensor;

function isFiniteBound(b: Bound): boolean {
  return b instanceof tf.Tensor || Number.isFinite(b);
}

/**
 * Bounds as `(low, high)` with open or closed ends; infinite ends allowed; tensor ends allowed.
 *
 * @example
 * const halfOpen = new constraints.Interval(0, 1, true, false);
 * halfOpen.contains(0); // true
 * halfOpen.contains(1); // false
 */
export class Interval extends Constraint {
  readonly name: string;
  constructor(
    readonly low: Bound,
    readonly high: Bound,
    readonly lowClosed = false,
    readonly highClosed = false,
    name?: string,
    /** Names of tensor bounds for error messages, e.g. { low: "low" }. */
    readonly boundNames: { low?: string; high?: string } = {},
  ) {
    super();
    this.name =
      name ??
      (isFiniteBound(low) && isFiniteBound(high)
        ? "interval"
        : isFiniteBound(low)
          ? "greaterThan"
          : "lessThan");
  }
  /** Whether a bound is a tensor. */
  get hasTensorBounds(): boolean {
    return this.low instanceof tf.Tensor || this.high instanceof tf.Tensor;
  }
  /** Whether a bound is a tensor computed from parameters (not made by `constant`). */
  override get isParameterDependent(): boolean {
    const computed = (b: Bound) => b instanceof tf.Tensor && float64Of(b) === undefined;
    return computed(this.low) || computed(this.high);
  }
  check(value: tf.Tensor): tf.Tensor {
    const above = this.lowClosed ? tf.greaterEqual(value, this.low) : tf.greater(value, this.low);
    const below = this.highClosed ? tf.lessEqual(value, this.high) : tf.less(value, this.high);
    return tf.logicalAnd(above, below);
  }
  contains(x: number): boolean {
    return this.containsWith(x, this.low as number, this.high as number);
  }
  private containsWith(x: number, low: number, high: number): boolean {
    const above = this.lowClosed ? x >= low : x > low;
    const below = this.highClosed ? x <= high : x < high;
    return above && below;
  }
  override canCheck(): boolean {
    const readable = (b: Bound) =>
      !(b instanceof tf.Tensor) || float64Of(b) !== undefined || tensorValidationActive();
    return readable(this.low) && readable(this.high);
  }
  override firstViolation(values: ArrayLike<number>, shape: readonly number[]): number {
    if (!this.hasTensorBounds) return super.firstViolation(values, shape);
    const { low, high, size } = this.boundsAt(shape);
    for (let i = 0; i < size; i++) {
      const x = values.length === 1 ? values[0] : values[i];
      if (!this.containsWith(x, low[i], high[i])) return i;
    }
    return -1;
  }
  // Bounds broadcast to the shape of the checked values (or to the bounds' shape if larger).
  private boundsAt(shape: readonly number[]): {
    low: Float64Array;
    high: Float64Array;
    size: number;
  } {
    const lowShape = this.low instanceof tf.Tensor ? this.low.shape : [];
    const highShape = this.high instanceof tf.Tensor ? this.high.shape : [];
    const target = broadcastShapes(shape, lowShape, highShape);
    const values = (b: Bound, s: readonly number[]) =>
      broadcastTo(b instanceof tf.Tensor ? readFloat64(b) : Float64Array.of(b), s, target);
    return {
      low: values(this.low, lowShape),
      high: values(this.high, highShape),
      size: sizeOf(target),
    };
  }
  describe(index?: number, shape?: readonly number[]): string {
    const bound = (side: "low" | "high"): string => {
      const b = this[side];
      if (!(b instanceof tf.Tensor)) return String(b);
      const label = this.boundNames[side] ?? side;
      if (index === undefined || shape === undefined) return label;
      const at = this.boundsAt(shape)[side][index];
      return `${label} (${at})`;
    };
    if (this.name === "positive") return "positive";
    if (this.name === "nonnegative") return "nonnegative";
    if (!isFiniteBound(this.high))
      return `greater than ${this.lowClosed ? "or equal to " : ""}${bound("low")}`;
    if (!isFiniteBound(this.low))
      return `less than ${this.highClosed ? "or equal to " : ""}${bound("high")}`;
    return `in ${this.lowClosed ? "[" : "("}${bound("low")}, ${bound("high")}${this.highClosed ? "]" : ")"}`;
  }
}

class IntegerInterval extends Constraint {
  readonly name = "integerInterval";
  override readonly isDiscrete = true;
  private readonly bounds: Interval;
  constructor(
    readonly low: Bound,
    readonly high: Bound,
    boundNames: { low?: string; high?: string } = {},
  ) {
    super();
    this.bounds = new Interval(low, high, true, true, "integerInterval", boundNames);
  }
  check(value: tf.Tensor): tf.Tensor {
    return tf.logicalAnd(tf.equal(value, tf.round(value)), this.bounds.check(value));
  }
  contains(x: number): boolean {
    return Number.isInteger(x) && this.bounds.contains(x);
  }
  override canCheck(): boolean {
    return this.bounds.canCheck();
  }
  override firstViolation(values: ArrayLike<number>, shape: readonly number[]): number {
    for (let i = 0; i < values.length; i++) if (!Number.isInteger(values[i])) return i;
    return this.bounds.firstViolation(values, shape);
  }
  describe(index?: number, shape?: readonly number[]): string {
    if (this.low === 0 && this.high === 1) return "0 or 1";
    if (this.high === Number.POSITIVE_INFINITY && typeof this.low === "number")
      return `an integer >= ${this.low}`;
    return `an integer ${this.bounds.describe(index, shape)}`;
  }
}

/**
 * A constraint over the rightmost `reinterpreted` batch dims as well (as `Independent` does).
 *
 * @example
 * const positiveVectors = new constraints.IndependentConstraint(constraints.positive, 1);
 * positiveVectors.eventDim; // 1
 * positiveVectors.check(tf.tensor([[1, 2], [1, -2]])); // [true, false]: one answer per vector
 */
export class IndependentConstraint extends Constraint {
  readonly name: string;
  override readonly eventDim: number;
  override readonly isDiscrete: boolean;
  constructor(
    readonly base: Constraint,
    readonly reinterpreted: number,
  ) {
    super();
    this.name = base.name;
    this.eventDim = base.eventDim + reinterpreted;
    this.isDiscrete = base.isDiscrete;
  }
  check(value: tf.Tensor): tf.Tensor {
    let ok = this.base.check(value);
    for (let i = 0; i < this.reinterpreted; i++) ok = tf.all(ok, -1);
    return ok;
  }
  contains(x: number): boolean {
    return this.base.contains(x);
  }
  describe(index?: number, shape?: readonly number[]): string {
    return this.base.describe(index, shape);
  }
  override firstViolation(values: ArrayLike<number>, shape: readonly number[]): number {
    return this.base.firstViolation(values, shape);
  }
  override canCheck(): boolean {
    return this.base.canCheck();
  }
  override get isParameterDependent(): boolean {
    return this.base.isParameterDependent;
  }
}

/**
 * A constraint on blocks of the `eventDim` rightmost dimensions, checked in JavaScript by
 * `blockOk` on each block's row-major values (and with tfjs by `check`).
 */
abstract class BlockConstraint extends Constraint {
  abstract override readonly eventDim: number;
  abstract blockOk(block: ArrayLike<number>, eventShape: readonly number[]): boolean;
  contains(_x: number): boolean {
    throw new Error(`constraints.${this.name}: contains() checks scalars; use check() on blocks`);
  }
  override firstViolation(values: ArrayLike<number>, shape: readonly number[]): number {
    const eventShape = shape.slice(shape.length - this.eventDim);
    const blockSize = sizeOf(eventShape);
    if (shape.length < this.eventDim) return 0;
    for (let start = 0; start < values.length; start += blockSize) {
      const block = Array.prototype.slice.call(values, start, start + blockSize) as number[];
      if (!this.blockOk(block, eventShape)) return start;
    }
    return -1;
  }
}

// Float32 tolerance for sums and norms that should be exactly 1.
const UNIT_TOLERANCE = 1e-5;

class Simplex extends BlockConstraint {
  readonly name = "simplex";
  readonly eventDim = 1;
  check(value: tf.Tensor): tf.Tensor {
    return tf.logicalAnd(
      tf.all(tf.greaterEqual(value, 0), -1),
      tf.less(tf.abs(tf.sub(tf.sum(value, -1), 1)), UNIT_TOLERANCE),
    );
  }
  blockOk(block: ArrayLike<number>): boolean {
    let sum = 0;
    for (let i = 0; i < block.length; i++) {
      if (!(block[i] >= 0)) return false;
      sum += block[i];
    }
    return Math.abs(sum - 1) < UNIT_TOLERANCE;
  }
  describe(): string {
    return "a probability vector (nonnegative entries summing to 1)";
  }
}

class Ordered extends BlockConstraint {
  readonly eventDim = 1;
  constructor(
    readonly name: string,
    readonly positiveEntries: boolean,
  ) {
    super();
  }
  check(value: tf.Tensor): tf.Tensor {
    const n = value.shape[value.rank - 1];
    let ok: tf.Tensor = tf.all(tf.logicalNot(tf.isNaN(value)), -1);
    if (n > 1) {
      const rest = sliceLast(value, 1, n - 1);
      const head = sliceLast(value, 0, n - 1);
      ok = tf.logicalAnd(ok, tf.all(tf.greater(rest, head), -1));
    }
    if (this.positiveEntries) ok = tf.logicalAnd(ok, tf.all(tf.greater(value, 0), -1));
    return ok;
  }
  blockOk(block: ArrayLike<number>): boolean {
    for (let i = 0; i < block.length; i++) {
      if (!Number.isFinite(block[i])) return false;
      if (this.positiveEntries && !(block[i] > 0)) return false;
      if (i > 0 && !(block[i] > block[i - 1])) return false;
    }
    return true;
  }
  describe(): string {
    return this.positiveEntries
      ? "a strictly increasing vector of positive numbers"
      : "a strictly increasing vector";
  }
}

/** Masks of a D x D matrix: strictly lower, diagonal. */
function triangleMasks(d: number): { lower: tf.Tensor; diag: tf.Tensor; upper: tf.Tensor } {
  const ones = tf.ones([d, d]);
  const lowerIncl = tf.linalg.bandPart(ones, -1, 0);
  const diag = tf.linalg.bandPart(ones, 0, 0);
  return {
    lower: tf.cast(tf.sub(lowerIncl, diag), "bool"),
    diag: tf.cast(diag, "bool"),
    upper: tf.cast(tf.sub(ones, lowerIncl), "bool"),
  };
}

class LowerCholesky extends BlockConstraint {
  readonly eventDim = 2;
  constructor(
    readonly name: string,
    readonly unitRows: boolean,
  ) {
    super();
  }
  check(value: tf.Tensor): tf.Tensor {
    const d = value.shape[value.rank - 1];
    const { diag, upper } = triangleMasks(d);
    const upperZero = tf.all(
      tf.all(tf.logicalOr(tf.logicalNot(upper), tf.equal(value, 0)), -1),
      -1,
    );
    const diagPositive = tf.all(
      tf.all(tf.logicalOr(tf.logicalNot(diag), tf.greater(value, 0)), -1),
      -1,
    );
    let ok = tf.logicalAnd(upperZero, diagPositive);
    if (this.unitRows) {
      const norms = tf.sum(tf.square(value), -1);
      ok = tf.logicalAnd(ok, tf.all(tf.less(tf.abs(tf.sub(norms, 1)), UNIT_TOLERANCE), -1));
    }
    return ok;
  }
  blockOk(block: ArrayLike<number>, eventShape: readonly number[]): boolean {
    const d = eventShape[0];
    if (eventShape[1] !== d) return false;
    for (let i = 0; i < d; i++) {
      let norm = 0;
      for (let j = 0; j < d; j++) {
        const v = block[i * d + j];
        if (!Number.isFinite(v)) return false;
        if (j > i && v !== 0) return false;
        if (j === i && !(v > 0)) return false;
        norm += v * v;
      }
      if (this.unitRows && Math.abs(norm - 1) >= UNIT_TOLERANCE) return false;
    }
    return true;
  }
  describe(): string {
    return this.unitRows
      ? "the lower Cholesky factor of a correlation matrix (lower triangular, positive diagonal, unit-norm rows)"
      : "lower triangular with a positive diagonal";
  }
}

/** Cholesky factorization in float64 of a row-major d x d matrix; undefined if not positive definite. */
function choleskyF64(a: ArrayLike<number>, d: number, offset = 0): Float64Array | undefined {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[offset + i * d + j];
      for (let k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      if (i === j) {
        if (!(s > 0)) return undefined;
        l[i * d + i] = Math.sqrt(s);
      } else {
        l[i * d + j] = s / l[j * d + j];
      }
    }
  }
  return l;
}

class PositiveDefinite extends BlockConstraint {
  readonly name = "positiveDefinite";
  readonly eventDim = 2;
  check(value: tf.Tensor): tf.Tensor {
    // Symmetric, and positive definite by a Cholesky factorization of each block in float64.
    const d = value.shape[value.rank - 1];
    const values = value.dataSync();
    const blocks = values.length / (d * d);
    const ok = new Uint8Array(blocks);
    for (let b = 0; b < blocks; b++) {
      ok[b] = this.blockOk(values.subarray(b * d * d, (b + 1) * d * d), [d, d]) ? 1 : 0;
    }
    return tf.tensor(ok, value.shape.slice(0, value.rank - 2), "bool");
  }
  blockOk(block: ArrayLike<number>, eventShape: readonly number[]): boolean {
    const d = eventShape[0];
    if (eventShape[1] !== d) return false;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < i; j++) {
        const a = block[i * d + j];
        const b = block[j * d + i];
        if (Math.abs(a - b) > 1e-6 * Math.max(1, Math.abs(a), Math.abs(b))) return false;
      }
    }
    return choleskyF64(block, d) !== undefined;
  }
  describe(): string {
    return "a symmetric positive definite matrix";
  }
}

class MultinomialCounts extends BlockConstraint {
  readonly name = "multinomial";
  readonly eventDim = 1;
  override readonly isDiscrete = true;
  constructor(readonly totalCount: Bound) {
    super();
  }
  check(value: tf.Tensor): tf.Tensor {
    const integral = tf.all(
      tf.logicalAnd(tf.equal(value, tf.round(value)), tf.greaterEqual(value, 0)),
      -1,
    );
    return tf.logicalAnd(integral, tf.equal(tf.sum(value, -1), this.totalCount));
  }
  blockOk(block: ArrayLike<number>): boolean {
    for (let i = 0; i < block.length; i++)
      if (!Number.isInteger(block[i]) || block[i] < 0) return false;
    return true;
  }
  describe(): string {
    return "a vector of nonnegative integer counts summing to totalCount";
  }
}

/** All finite reals. */
export const real: Constraint = new Real();
/** Reals greater than zero. */
export const positive: Constraint = new Interval(
  0,
  Number.POSITIVE_INFINITY,
  false,
  false,
  "positive",
);
/** Reals greater than or equal to zero. */
export const nonnegative: Constraint = new Interval(
  0,
  Number.POSITIVE_INFINITY,
  true,
  false,
  "nonnegative",
);
/** The closed unit interval [0, 1]. */
export const unitInterval: Constraint = new Interval(0, 1, true, true, "unitInterval");
/** Angles in [-pi, pi] (VonMises). */
export const circular: Constraint = new Interval(-Math.PI, Math.PI, true, true, "circular");
/** 0 or 1. */
export const boolean: Constraint = new IntegerInterval(0, 1);
/** 0, 1, 2, ... */
export const nonnegativeInteger: Constraint = new IntegerInterval(0, Number.POSITIVE_INFINITY);
/** 1, 2, 3, ... */
export const positiveInteger: Constraint = new IntegerInterval(1, Number.POSITIVE_INFINITY);
/** Vectors of finite reals. */
export const realVector: Constraint = new IndependentConstraint(real, 1);
/** Matrices of finite reals. */
export const realMatrix: Constraint = new IndependentConstraint(real, 2);
/** Probability vectors: nonnegative entries summing to 1 (along the last dimension). */
export const simplex: Constraint = new Simplex();
/** Strictly increasing vectors. */
export const orderedVector: Constraint = new Ordered("ordered", false);
/** Strictly increasing vectors of positive numbers. */
export const positiveOrderedVector: Constraint = new Ordered("positiveOrdered", true);
/** Lower triangular matrices with a positive diagonal. */
export const lowerCholesky: Constraint = new LowerCholesky("lowerCholesky", false);
/** Lower Cholesky factors of correlation matrices (rows of unit norm). */
export const correlationCholesky: Constraint = new LowerCholesky("correlationCholesky", true);
/** Symmetric positive definite matrices. */
export const positiveDefinite: Constraint = new PositiveDefinite();

/**
 * The open interval (low, high); bounds may be tensors (a parameter-dependent support).
 *
 * @example
 * interval(0, 1).check(tf.tensor([0.5, 2])); // [true, false]
 */
export function interval(low: Bound, high: Bound): Constraint {
  return new Interval(low, high);
}
/**
 * The closed interval [low, high].
 *
 * @example
 * closedInterval(0, 1).check(tf.tensor([0, 1])); // [true, true]
 */
export function closedInterval(low: Bound, high: Bound): Constraint {
  return new Interval(low, high, true, true);
}
/**
 * Reals greater than `low` (a number or a tensor).
 *
 * @example
 * greaterThan(2).check(tf.tensor([1, 3])); // [false, true]
 */
export function greaterThan(low: Bound): Constraint {
  return new Interval(low, Number.POSITIVE_INFINITY);
}
/**
 * Reals greater than or equal to `low`.
 *
 * @example
 * greaterThanEq(0).check(tf.tensor([0, -1])); // [true, false]
 */
export function greaterThanEq(low: Bound): Constraint {
  return new Interval(low, Number.POSITIVE_INFINITY, true, false, "greaterThan");
}
/**
 * Reals less than `high` (a number or a tensor).
 *
 * @example
 * lessThan(0).check(tf.tensor([-1, 1])); // [true, false]
 */
export function lessThan(high: Bound): Constraint {
  return new Interval(Number.NEGATIVE_INFINITY, high);
}
/**
 * The integers low, ..., high (bounds may be tensors, e.g. a Binomial's totalCount).
 *
 * @example
 * integerInterval(0, 3).check(tf.tensor([0, 2.5, 4])); // [true, false, false]
 */
export function integerInterval(
  low: Bound,
  high: Bound,
  boundNames: { low?: string; high?: string } = {},
): Constraint {
  return new IntegerInterval(low, high, boundNames);
}
/**
 * The integers low, low + 1, ....
 *
 * @example
 * integerGreaterThanEq(1).check(tf.tensor([0, 1])); // [false, true]
 */
export function integerGreaterThanEq(low: number): Constraint {
  return new IntegerInterval(low, Number.POSITIVE_INFINITY);
}
/**
 * Count vectors summing to `totalCount` (Multinomial's support).
 *
 * @example
 * multinomial(3).check(tf.tensor([1, 2])); // true
 */
export function multinomial(totalCount: Bound): Constraint {
  return new MultinomialCounts(totalCount);
}
/**
 * `base` over `reinterpreted` more rightmost dimensions.
 *
 * @example
 * independent(positive, 1).check(tf.tensor([[1, 2], [1, -2]])); // [true, false]
 */
export function independent(base: Constraint, reinterpreted: number): Constraint {
  return reinterpreted === 0 ? base : new IndependentConstraint(base, reinterpreted);
}
