/**
 * The distribution of a site inside a `scan` body, as the trace records it: the distributions
 * of its steps joined along the time dimension (NumPyro records the same: the step
 * distributions with their parameters stacked). Its log-probability is that of each step at
 * its slice of the value, so it scores the series the body produced.
 */
import { ModelError } from "../errors.js";
import type { Key } from "../primitives/prng.js";
import { foldIn } from "../primitives/prng.js";
import { padShape, splitTime, stackTime } from "../primitives/scan-time.js";
import { float64Of, tf } from "../tf.js";
import { callable } from "../util/callable.js";
import { shapesEqual } from "../util/shapes.js";
import type { Constraint } from "./constraints.js";
import { Distribution } from "./distribution.js";

/** A value and its log-probability, computed while the scan ran (the compiled engine's case). */
export interface ScoredValue {
  readonly value: tf.Tensor;
  readonly logProb: tf.Tensor;
}

/**
 * A scanned site's distribution. `steps` are the step distributions (eager scans), `scored`
 * the site's own value with its log-probability (scans traced once by the compiled engine,
 * which keeps no step distributions).
 *
 * @example
 * const d = ScannedDistribution("z", [Normal(0, 1), Normal(1, 1)], undefined, 0);
 * d.batchShape; // [2]
 * d.logProb([0, 1]); // [-0.919, -0.919]
 */
class ScannedDistributionClass extends Distribution {
  readonly family: string;
  readonly support: Constraint;
  override readonly hasRsample: boolean;
  override readonly hasEnumerateSupport: boolean;
  private readonly prototype: Distribution;

  constructor(
    /** The site's name, for messages. */
    readonly site: string,
    readonly steps: readonly Distribution[] | undefined,
    readonly scored: ScoredValue | undefined,
    /** The number of batch dims right of the time dimension (the site's own batch rank). */
    readonly ownBatchRank: number,
    prototype?: Distribution,
    batchShape?: readonly number[],
  ) {
    const first = prototype ?? steps?.[0];
    if (first === undefined) throw new Error("ScannedDistribution: needs steps or a prototype");
    const length = steps?.length ?? 0;
    const stepBatch = first.batchShape;
    const slot = stepBatch.length - ownBatchRank - 1;
    const batch =
      batchShape?.slice() ??
      (slot < 0 ? [length, ...stepBatch] : stepBatch.map((d, i) => (i === slot ? length : d)));
    super(batch, first.eventShape.slice());
    this.prototype = first;
    this.family = first.family;
    this.support = first.support;
    this.hasRsample = first.hasRsample;
    this.hasEnumerateSupport = first.hasEnumerateSupport;
  }

  /** The steps' support (the same at every step), over the series' batch shape. */
  override enumerateSupport(expand = true): tf.Tensor {
    const values = this.prototype.enumerateSupport(false);
    const n = values.shape[0];
    const flat = tf.reshape(values, [n, ...new Array<number>(this.batchShape.length).fill(1)]);
    return expand ? tf.broadcastTo(flat, [n, ...this.batchShape]) : flat;
  }

  protected computeLogProb(value: tf.Tensor): tf.Tensor {
    if (this.scored !== undefined && sameValue(value, this.scored.value))
      return this.scored.logProb;
    const steps = this.requireSteps("logProb of another value than its own");
    const inner = this.ownBatchRank + this.eventShape.length;
    const full = tf.reshape(
      value,
      padShape(value.shape, this.batchShape.length + this.eventShape.length),
    );
    const parts = splitTime(full, inner, steps.length, `the value of "${this.site}"`);
    const logProbs = steps.map((d, t) => {
      const lp = d.logProb(parts === undefined ? value : parts[t]);
      return tf.reshape(lp, padShape(lp.shape, d.batchShape.length));
    });
    return stackTime(logProbs, this.ownBatchRank, `the log-probability of "${this.site}"`);
  }

  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    const steps = this.requireSteps("sample");
    if (sampleShape.length > 0) {
      throw new ModelError({
        message: `scan: the distribution of the scanned site "${this.site}" draws one series at a time (sample shape [${sampleShape.join(",")}] requested)`,
        site: this.site,
      });
    }
    return this.stack(steps.map((d, t) => d.sample(foldIn(key, t))));
  }

  override get mean(): tf.Tensor {
    return this.stack(this.requireSteps("mean").map((d) => d.mean));
  }

  override get variance(): tf.Tensor {
    return this.stack(this.requireSteps("variance").map((d) => d.variance));
  }

  override assertValid(site?: string): void {
    for (const d of this.steps ?? [this.prototype]) d.assertValid(site);
  }

  private stack(values: tf.Tensor[]): tf.Tensor {
    const rank = this.prototype.batchShape.length + this.eventShape.length;
    return stackTime(
      values.map((v) => tf.reshape(v, padShape(v.shape, rank))),
      this.ownBatchRank + this.eventShape.length,
      `a draw of "${this.site}"`,
    );
  }

  private requireSteps(what: string): readonly Distribution[] {
    if (this.steps !== undefined) return this.steps;
    throw new ModelError({
      message: `scan: the scanned site "${this.site}" was traced once by the compiled engine, which keeps no step distributions; its distribution has no ${what}`,
      site: this.site,
    });
  }
}

// The same tensor, or constants with the same float64 values (condition makes a new constant
// from the same data each time a handler sees the site).
function sameValue(a: tf.Tensor, b: tf.Tensor): boolean {
  if (a === b || a.dataId === b.dataId) return shapesEqual(a.shape, b.shape);
  const x = float64Of(a);
  const y = float64Of(b);
  if (x === undefined || y === undefined || x.length !== y.length) return false;
  if (!shapesEqual(a.shape, b.shape)) return false;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}

/**
 * A scanned site's distribution (see the class above); callable without `new`.
 *
 * @example
 * ScannedDistribution("z", [Normal(0, 1), Normal(1, 1)], undefined, 0).batchShape; // [2]
 */
export const ScannedDistribution = callable(ScannedDistributionClass);
export type ScannedDistribution = ScannedDistributionClass;
