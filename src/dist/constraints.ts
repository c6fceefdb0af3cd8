/**
 * Constraints: the sets distributions live in and parameters must respect. Each can check a
 * tensor (for support checks) and plain numbers (for cheap parameter validation).
 */
import { tf } from "../tf.js";

/** A set of values, such as the positive reals or the simplex. */
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
  /** Words for error messages: "positive", "in [0, 1]". */
  abstract describe(): string;
  /**
   * Index of the first block of `values` (row-major, of `shape`) outside the set, or -1.
   * Elementwise by default; event constraints override it.
   */
  firstViolation(values: ArrayLike<number>, _shape: readonly number[]): number {
    for (let i = 0; i < values.length; i++) if (!this.contains(values[i])) return i;
    return -1;
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

/** Bounds as `(low, high)` with open or closed ends; infinite ends allowed. */
export class Interval extends Constraint {
  readonly name: string;
  constructor(
    readonly low: number,
    readonly high: number,
    readonly lowClosed = false,
    readonly highClosed = false,
    name?: string,
  ) {
    super();
    this.name =
      name ??
      (Number.isFinite(low) && Number.isFinite(high)
        ? "interval"
        : Number.isFinite(low)
          ? "greaterThan"
          : "lessThan");
  }
  check(value: tf.Tensor): tf.Tensor {
    const above = this.lowClosed ? tf.greaterEqual(value, this.low) : tf.greater(value, this.low);
    const below = this.highClosed ? tf.lessEqual(value, this.high) : tf.less(value, this.high);
    return tf.logicalAnd(above, below);
  }
  contains(x: number): boolean {
    const above = this.lowClosed ? x >= this.low : x > this.low;
    const below = this.highClosed ? x <= this.high : x < this.high;
    return above && below;
  }
  describe(): string {
    if (this.name === "positive") return "positive";
    if (this.name === "nonnegative") return "nonnegative";
    if (!Number.isFinite(this.high))
      return `greater than ${this.lowClosed ? "or equal to " : ""}${this.low}`;
    if (!Number.isFinite(this.low))
      return `less than ${this.highClosed ? "or equal to " : ""}${this.high}`;
    return `in ${this.lowClosed ? "[" : "("}${this.low}, ${this.high}${this.highClosed ? "]" : ")"}`;
  }
}

class IntegerInterval extends Constraint {
  readonly name = "integerInterval";
  override readonly isDiscrete = true;
  constructor(
    readonly low: number,
    readonly high: number,
  ) {
    super();
  }
  check(value: tf.Tensor): tf.Tensor {
    return tf.logicalAnd(
      tf.equal(value, tf.round(value)),
      tf.logicalAnd(tf.greaterEqual(value, this.low), tf.lessEqual(value, this.high)),
    );
  }
  contains(x: number): boolean {
    return Number.isInteger(x) && x >= this.low && x <= this.high;
  }
  describe(): string {
    if (this.low === 0 && this.high === 1) return "0 or 1";
    if (!Number.isFinite(this.high)) return `an integer >= ${this.low}`;
    return `an integer in [${this.low}, ${this.high}]`;
  }
}

/** A constraint over the rightmost `reinterpreted` batch dims as well (as `Independent` does). */
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
  describe(): string {
    return this.base.describe();
  }
  override firstViolation(values: ArrayLike<number>, shape: readonly number[]): number {
    return this.base.firstViolation(values, shape);
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
/** 0 or 1. */
export const boolean: Constraint = new IntegerInterval(0, 1);
/** 0, 1, 2, ... */
export const nonnegativeInteger: Constraint = new IntegerInterval(0, Number.POSITIVE_INFINITY);
/** Vectors of finite reals. */
export const realVector: Constraint = new IndependentConstraint(real, 1);

/** The open interval (low, high). */
export function interval(low: number, high: number): Constraint {
  return new Interval(low, high);
}
/** Reals greater than `low`. */
export function greaterThan(low: number): Constraint {
  return new Interval(low, Number.POSITIVE_INFINITY);
}
/** Reals less than `high`. */
export function lessThan(high: number): Constraint {
  return new Interval(Number.NEGATIVE_INFINITY, high);
}
/** The integers low, ..., high. */
export function integerInterval(low: number, high: number): Constraint {
  return new IntegerInterval(low, high);
}
/** `base` over `reinterpreted` more rightmost dimensions. */
export function independent(base: Constraint, reinterpreted: number): Constraint {
  return reinterpreted === 0 ? base : new IndependentConstraint(base, reinterpreted);
}
