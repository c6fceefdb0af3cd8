/**
 * The distribution base class with Torch/NumPyro shape semantics (batch and event shapes,
 * `sample(key, sampleShape)`, `logProb`), and the three shape wrappers every distribution
 * gets: `expand` (ExpandedDistribution), `toEvent` (Independent) and `mask` (Masked).
 * The wrappers live here because the base class constructs them.
 */
import { DistributionParameterError, NumericalError } from "../errors.js";
import { batchAwareShape } from "../primitives/batch-context.js";
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, constant, float64Of, tf } from "../tf.js";
import { callable } from "../util/callable.js";
import { broadcastShapes, formatShape, shapesEqual, tryBroadcastShapes } from "../util/shapes.js";
import { type Constraint, independent } from "./constraints.js";
import { tensorValidationActive, validationEnabled } from "./validation.js";

interface ParamCheck {
  readonly name: string;
  readonly value: tf.Tensor;
  readonly constraint: Constraint;
}

/**
 * A probability distribution over tensors of shape `[...batchShape, ...eventShape]`.
 *
 * @example
 * const d: Distribution = Normal([0, 1], 1);
 * d.batchShape; // [2]
 * d.sample(PRNGKey(0), [100]).shape; // [100, 2]
 * d.logProb([0.5, 0.5]); // one log-density per batch element, shape [2]
 */
export abstract class Distribution {
  /** The family's name, used in error messages: "Normal". */
  abstract readonly family: string;
  /** The set values live in. */
  abstract readonly support: Constraint;
  /** Whether `sample` is differentiable with respect to the parameters (reparameterized). */
  readonly hasRsample: boolean = false;
  /** Whether `enumerateSupport` is available (finite discrete support). */
  readonly hasEnumerateSupport: boolean = false;

  private readonly paramChecks: ParamCheck[] = [];
  private validated = false;

  protected constructor(
    /** Shape of independent, non-identical copies. */
    readonly batchShape: number[],
    /** Shape of one draw. */
    readonly eventShape: number[],
  ) {}

  /** Whether values are discrete. */
  get isDiscrete(): boolean {
    return this.support.isDiscrete;
  }

  /**
   * Log-density (or mass) of `value`; the result has the broadcast batch shape. Values of any
   * dtype are accepted (an int32 draw, float32 data from `constant`, booleans) and read as
   * float32.
   *
   * @example
   * Normal(0, 1).logProb(0); // -0.9189385
   */
  logProb(value: ArrayLike): tf.Tensor {
    this.assertValid();
    const x = constant(value);
    const xf = x.dtype === "float32" ? x : tf.cast(x, "float32");
    const lp = minusInfinityWhereInfinite(x, this.computeLogProb(xf), this.eventShape.length);
    if (tensorValidationActive()) this.assertNotNaN(xf, lp);
    return lp;
  }

  /**
   * Throws a NumericalError where the log-density of a value without NaN is NaN although
   * parameters and value passed validation: a float32 breakdown (an intermediate that
   * overflowed), never a silent NaN. Runs outside inference only (it reads the result).
   */
  private assertNotNaN(x: tf.Tensor, lp: tf.Tensor): void {
    const out = lp.dataSync();
    const i = out.findIndex(Number.isNaN);
    if (i < 0) return;
    const values = float64Of(x) ?? x.dataSync();
    if (values.some(Number.isNaN)) return; // NaN in, NaN out
    const params = this.paramChecks
      .map((c) => {
        const v = float64Of(c.value) ?? c.value.dataSync();
        return v.length === 1
          ? `${c.name} ${v[0]}`
          : `${c.name} of shape ${formatShape(c.value.shape)}`;
      })
      .join(", ");
    const at =
      values.length === 1
        ? `value ${values[0]}`
        : `the value of shape ${formatShape(x.shape)} (log-density index ${i})`;
    throw new NumericalError({
      api: `${this.family}.logProb`,
      message: `${this.family}.logProb: the log-density is NaN at ${at} with ${params || "its parameters"}, which are valid: the float32 computation broke down (an intermediate overflowed); rescale the model`,
    });
  }

  /**
   * Draws of shape `[...sampleShape, ...batchShape, ...eventShape]`, reproducible for a key.
   * Draws of discrete distributions are int32 tensors (as NumPyro's), so they index arrays:
   * `tf.gather(locs, z)`; the others are float32.
   *
   * @example
   * Normal(0, 1).sample(PRNGKey(0), [1000]);
   * Categorical({ probs: [0.2, 0.8] }).sample(PRNGKey(0)).dtype; // "int32"
   */
  sample(key: Key, sampleShape: readonly number[] = []): tf.Tensor {
    this.assertValid();
    const x = this.draw(key, sampleShape);
    return this.isDiscrete && x.dtype !== "int32" ? tf.cast(x, "int32") : x;
  }

  protected abstract computeLogProb(value: tf.Tensor): tf.Tensor;
  protected abstract draw(key: Key, sampleShape: readonly number[]): tf.Tensor;

  /** The mean, of shape `[...batchShape, ...eventShape]`. */
  get mean(): tf.Tensor {
    throw this.unsupported("mean");
  }
  /** The variance, of shape `[...batchShape, ...eventShape]`. */
  get variance(): tf.Tensor {
    throw this.unsupported("variance");
  }
  /** The cumulative distribution function at `value`. */
  cdf(_value: ArrayLike): tf.Tensor {
    throw this.unsupported("cdf");
  }
  /** The inverse of the cdf at probability `q`. */
  icdf(_q: ArrayLike): tf.Tensor {
    throw this.unsupported("icdf");
  }
  /** The (differential) entropy, of shape `batchShape`. */
  entropy(): tf.Tensor {
    throw this.unsupported("entropy");
  }
  /**
   * Every value of a finite discrete support (int32, as draws), along a new leading dimension;
   * with `expand` the result is broadcast to `[n, ...batchShape, ...eventShape]`, else
   * `[n, 1, ..., 1, ...eventShape]`.
   */
  enumerateSupport(_expand = true): tf.Tensor {
    throw this.unsupported("enumerateSupport");
  }

  /** `[...sampleShape, ...batchShape, ...eventShape]`. */
  shape(sampleShape: readonly number[] = []): number[] {
    return [...sampleShape, ...this.batchShape, ...this.eventShape];
  }

  /**
   * The same distribution broadcast to a larger batch shape. Under `vmap`, batch dims that vmap
   * added in front of the distribution's own are kept: the model names its shapes unbatched.
   *
   * @example
   * Normal(0, 1).expand([3, 2]).batchShape; // [3, 2]
   */
  expand(batchShape: readonly number[]): Distribution {
    const target = batchAwareShape(this.batchShape, batchShape, this.eventShape.length);
    if (shapesEqual(target, this.batchShape)) return this;
    return new ExpandedDistribution(this, target);
  }

  /**
   * Reinterprets the rightmost `n` batch dims as event dims (log-probs are summed over them).
   *
   * @example
   * Normal(tf.zeros([3]), 1).toEvent(1).eventShape; // [3]
   */
  toEvent(n: number = this.batchShape.length): Distribution {
    if (n === 0) return this;
    return new Independent(this, n);
  }

  /**
   * Zeroes the log-probability where `mask` is false.
   *
   * @example
   * Normal(tf.zeros([3]), 1).mask([true, false, true]);
   */
  mask(mask: boolean | ArrayLike): Distribution {
    if (mask === true) return this;
    return new Masked(this, mask);
  }

  /**
   * Records a parameter to validate against `constraint`. Parameters made from numbers are
   * checked in JavaScript; tensor parameters are read back only outside inference.
   */
  protected checkParam(name: string, value: tf.Tensor, constraint: Constraint): void {
    this.paramChecks.push({ name, value, constraint });
  }

  /**
   * Throws a DistributionParameterError naming the family, parameter, rule, value and site
   * when a parameter violates its constraint (and validation is on).
   */
  assertValid(site?: string): void {
    if (this.validated || !validationEnabled()) return;
    let complete = true;
    for (const check of this.paramChecks) {
      if (!check.constraint.canCheck()) {
        complete = false;
        continue;
      }
      let values: Float64Array | Float32Array | undefined = float64Of(check.value);
      if (values === undefined) {
        if (!tensorValidationActive()) {
          complete = false;
          continue;
        }
        values = check.value.dataSync() as Float32Array;
      }
      const j = float64Of(check.value) === undefined ? -1 : firstOutsideFloat32(values);
      if (j >= 0) {
        const where = values.length > 1 || j > 0 ? ` at index ${j}` : "";
        const siteText = site === undefined ? "" : ` (site "${site}")`;
        throw new DistributionParameterError({
          message: `${this.family}: ${check.name} must be representable in float32 (zero or a magnitude from 1.4e-45 to 3.4e38), got ${values[j]}${where}${siteText}; the eager engine computes in float32, so rescale the model`,
          family: this.family,
          parameter: check.name,
          site,
        });
      }
      const i = check.constraint.firstViolation(values, check.value.shape);
      if (i >= 0) {
        const where = values.length > 1 || i > 0 ? ` at index ${i}` : "";
        const siteText = site === undefined ? "" : ` (site "${site}")`;
        throw new DistributionParameterError({
          message: `${this.family}: ${check.name} must be ${check.constraint.describe(i, check.value.shape)}, got ${values[values.length === 1 ? 0 : i]}${where}${siteText}`,
          family: this.family,
          parameter: check.name,
          site,
        });
      }
    }
    this.validated = complete;
  }

  protected unsupported(what: string): Error {
    return new Error(`${this.family}: ${what} is not available for this distribution`);
  }
}

/** The first finite value that float32 rounds to 0 or to an infinity, or -1. */
function firstOutsideFloat32(values: Float64Array | Float32Array): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== 0 && Number.isFinite(v) && (Math.fround(v) === 0 || !Number.isFinite(Math.fround(v))))
      return i;
  }
  return -1;
}

/**
 * `lp` with -Infinity for every event whose value, given as numbers, is infinite in float32
 * (an infinity, or a finite number beyond float32's range): no support holds it, and the
 * densities' formulas give NaN there (Infinity - Infinity). Values computed by tensors are
 * left alone (reading them would stall inference).
 */
function minusInfinityWhereInfinite(x: tf.Tensor, lp: tf.Tensor, eventRank: number): tf.Tensor {
  const values = float64Of(x);
  if (values === undefined) return lp;
  let any = false;
  const infinite = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.fround(values[i]);
    if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
      infinite[i] = 1;
      any = true;
    }
  }
  if (!any) return lp;
  let mask = tf.tensor(infinite, x.shape, "bool");
  if (eventRank > 0 && x.rank >= eventRank)
    mask = tf.any(
      mask,
      Array.from({ length: eventRank }, (_, i) => x.rank - 1 - i),
    );
  const shape = broadcastShapes(mask.shape, lp.shape);
  return tf.where(
    tf.broadcastTo(mask, shape),
    tf.fill(shape, Number.NEGATIVE_INFINITY),
    shapesEqual(lp.shape, shape) ? lp : tf.broadcastTo(lp, shape),
  );
}

/**
 * The batch shape of parameters: their broadcast shape without the trailing `eventRank` dims.
 *
 * @example
 * batchShapeOf("Normal", { loc: tf.zeros([3, 1]), scale: tf.ones([4]) }); // [3, 4]
 */
export function batchShapeOf(
  family: string,
  params: Record<string, tf.Tensor>,
  eventRank = 0,
): number[] {
  const shapes = Object.values(params).map((p) =>
    p.shape.slice(0, Math.max(0, p.rank - eventRank)),
  );
  const out = tryBroadcastShapes(...shapes);
  if (out === undefined) {
    const described = Object.entries(params)
      .map(([name, p]) => `${name} ${formatShape(p.shape)}`)
      .join(", ");
    throw new DistributionParameterError({
      message: `${family}: parameter shapes do not broadcast: ${described}`,
      family,
      parameter: Object.keys(params).join(", "),
    });
  }
  return out;
}

class ExpandedDistributionClass extends Distribution {
  readonly family: string;
  readonly support: Constraint;
  override readonly hasRsample: boolean;
  override readonly hasEnumerateSupport: boolean;

  constructor(
    readonly base: Distribution,
    batchShape: readonly number[],
  ) {
    super(batchShape.slice(), base.eventShape);
    const fits =
      batchShape.length >= base.batchShape.length &&
      base.batchShape.every(
        (d, i) => d === 1 || d === batchShape[batchShape.length - base.batchShape.length + i],
      );
    if (!fits) {
      throw new Error(
        `${base.family}.expand: cannot expand batch shape ${formatShape(base.batchShape)} to ${formatShape(batchShape)}`,
      );
    }
    this.family = base.family;
    this.support = base.support;
    this.hasRsample = base.hasRsample;
    this.hasEnumerateSupport = base.hasEnumerateSupport;
  }

  override expand(batchShape: readonly number[]): Distribution {
    const target = batchAwareShape(this.batchShape, batchShape, this.eventShape.length);
    return shapesEqual(target, this.batchShape)
      ? this
      : new ExpandedDistribution(this.base, target);
  }

  override assertValid(site?: string): void {
    this.base.assertValid(site);
  }

  protected computeLogProb(value: tf.Tensor): tf.Tensor {
    const lp = this.base.logProb(value);
    const target = broadcastShapes(lp.shape, this.batchShape);
    return shapesEqual(target, lp.shape) ? lp : tf.broadcastTo(lp, target);
  }

  // New leading dims are drawn as extra sample dims; base dims of size 1 that grow are drawn as
  // "interstitial" sample dims and interleaved back into place.
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    const base = this.base.batchShape;
    const lead = this.batchShape.slice(0, this.batchShape.length - base.length);
    const trailing = this.batchShape.slice(this.batchShape.length - base.length);
    const interstitial = base.map((d, i) => (d === 1 ? trailing[i] : 1));
    const draws = this.base.sample(key, [...sampleShape, ...lead, ...interstitial]);
    const target = [...sampleShape, ...this.batchShape, ...this.eventShape];
    if (interstitial.every((k) => k === 1)) return tf.reshape(draws, target);
    const front = sampleShape.length + lead.length;
    const b = base.length;
    const perm = Array.from({ length: front }, (_, i) => i);
    for (let i = 0; i < b; i++) perm.push(front + i, front + b + i);
    for (let i = 0; i < this.eventShape.length; i++) perm.push(front + 2 * b + i);
    return tf.reshape(tf.transpose(draws, perm), target);
  }

  override get mean(): tf.Tensor {
    return tf.broadcastTo(this.base.mean, this.shape());
  }
  override get variance(): tf.Tensor {
    return tf.broadcastTo(this.base.variance, this.shape());
  }
  override cdf(value: ArrayLike): tf.Tensor {
    const c = this.base.cdf(value);
    return tf.broadcastTo(c, broadcastShapes(c.shape, this.batchShape));
  }
  override icdf(q: ArrayLike): tf.Tensor {
    const x = this.base.icdf(q);
    return tf.broadcastTo(x, broadcastShapes(x.shape, this.shape()));
  }
  override entropy(): tf.Tensor {
    return tf.broadcastTo(this.base.entropy(), this.batchShape);
  }
  override enumerateSupport(expand = true): tf.Tensor {
    const values = this.base.enumerateSupport(false);
    const n = values.shape[0];
    const ones = [n, ...this.batchShape.map(() => 1), ...this.eventShape];
    const reshaped = tf.reshape(values, ones);
    return expand
      ? tf.broadcastTo(reshaped, [n, ...this.batchShape, ...this.eventShape])
      : reshaped;
  }
}

/**
 * A distribution broadcast to a larger batch shape; draws are independent across the new entries.
 *
 * @example
 * const d = Normal(0, 1).expand([3]); // an ExpandedDistribution
 * d.batchShape; // [3]
 * d.sample(PRNGKey(0)).shape; // [3]: three independent draws
 */
export const ExpandedDistribution = callable(ExpandedDistributionClass);
export type ExpandedDistribution = ExpandedDistributionClass;

class IndependentClass extends Distribution {
  readonly family: string;
  readonly support: Constraint;
  override readonly hasRsample: boolean;

  constructor(
    readonly base: Distribution,
    readonly reinterpreted: number,
  ) {
    if (
      !Number.isInteger(reinterpreted) ||
      reinterpreted < 0 ||
      reinterpreted > base.batchShape.length
    ) {
      throw new Error(
        `${base.family}.toEvent: n must be an integer in [0, ${base.batchShape.length}] (the batch rank), got ${reinterpreted}`,
      );
    }
    const cut = base.batchShape.length - reinterpreted;
    super(base.batchShape.slice(0, cut), [...base.batchShape.slice(cut), ...base.eventShape]);
    this.family = base.family;
    this.support = independent(base.support, reinterpreted);
    this.hasRsample = base.hasRsample;
  }

  override assertValid(site?: string): void {
    this.base.assertValid(site);
  }

  protected computeLogProb(value: tf.Tensor): tf.Tensor {
    const lp = this.base.logProb(value);
    const axes = Array.from({ length: this.reinterpreted }, (_, i) => lp.rank - 1 - i);
    return tf.sum(lp, axes);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    return this.base.sample(key, sampleShape);
  }
  override get mean(): tf.Tensor {
    return this.base.mean;
  }
  override get variance(): tf.Tensor {
    return this.base.variance;
  }
  override entropy(): tf.Tensor {
    const h = this.base.entropy();
    const axes = Array.from({ length: this.reinterpreted }, (_, i) => h.rank - 1 - i);
    return tf.sum(h, axes);
  }
}

/**
 * Reinterprets batch dims as event dims: log-probabilities are summed over them.
 *
 * @example
 * const d = Normal([0, 0], 1).toEvent(1); // an Independent
 * [d.batchShape, d.eventShape]; // [[], [2]]
 * d.logProb([0, 0]); // one number: the sum of the two log-densities
 */
export const Independent = callable(IndependentClass);
export type Independent = IndependentClass;

class MaskedClass extends Distribution {
  readonly family: string;
  readonly support: Constraint;
  override readonly hasRsample: boolean;
  override readonly hasEnumerateSupport: boolean;
  readonly maskValue: boolean | tf.Tensor;

  constructor(
    readonly base: Distribution,
    mask: boolean | ArrayLike,
  ) {
    const maskTensor = typeof mask === "boolean" ? mask : toBoolTensor(constant(mask));
    const batch =
      typeof maskTensor === "boolean"
        ? base.batchShape
        : broadcastShapes(base.batchShape, maskTensor.shape);
    super(batch, base.eventShape);
    this.maskValue = maskTensor;
    this.family = base.family;
    this.support = base.support;
    this.hasRsample = base.hasRsample;
    this.hasEnumerateSupport = base.hasEnumerateSupport;
  }

  override assertValid(site?: string): void {
    this.base.assertValid(site);
  }

  protected computeLogProb(value: tf.Tensor): tf.Tensor {
    const lp = this.base.logProb(value);
    if (this.maskValue === true) return lp;
    if (this.maskValue === false) return tf.zeros(broadcastShapes(lp.shape, this.batchShape));
    return tf.where(this.maskValue, lp, tf.zerosLike(lp));
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    const x = this.base.sample(key, sampleShape);
    const target = this.shape(sampleShape);
    return shapesEqual(x.shape, target) ? x : tf.broadcastTo(x, target);
  }
  override get mean(): tf.Tensor {
    return this.base.mean;
  }
  override get variance(): tf.Tensor {
    return this.base.variance;
  }
  override enumerateSupport(expand = true): tf.Tensor {
    return this.base.enumerateSupport(expand);
  }
}

/**
 * Zeroes the log-probability where a mask is false.
 *
 * @example
 * const d = Normal([0, 0], 1).mask([true, false]); // a Masked
 * d.logProb([1, 1]); // [-1.4189385, 0]
 */
export const Masked = callable(MaskedClass);
export type Masked = MaskedClass;

function toBoolTensor(t: tf.Tensor): tf.Tensor {
  return t.dtype === "bool" ? t : tf.notEqual(t, 0);
}
