/**
 * Tensor helpers of the contraction: log-sum-exp that keeps impossible configurations
 * impossible, a Categorical site's log-probabilities over its whole support, padding.
 */
import { CategoricalDistribution } from "../dist/categorical.js";
import { ExpandedDistribution } from "../dist/distribution.js";
import { constant, tf } from "../tf.js";
import type { SampleSite } from "./messages.js";

/**
 * log(sum(exp(x))) along an axis, keeping the dim, that is -inf (not NaN) where every entry is
 * -inf, with a finite gradient there: a value whose every configuration is impossible (a
 * structural zero of a transition matrix) must weigh nothing in the sums around it rather than
 * make them NaN. Entries are raised to -1e30 first (exp of which is 0 next to any possible
 * entry) so that tf.logSumExp never meets a slice of -inf; results at that floor are -inf.
 */
export function logSumExpKeepingInfinity(x: tf.Tensor, axis: number): tf.Tensor {
  const lse = tf.logSumExp(tf.maximum(x, constant(IMPOSSIBLE)), axis, true);
  return tf.where(
    tf.less(lse, constant(IMPOSSIBLE / 2)),
    tf.fill(lse.shape, Number.NEGATIVE_INFINITY),
    lse,
  );
}

/** Log-weights at or below it are impossible (exp of it is 0 next to any possible entry). */
export const IMPOSSIBLE = -1e30;

/**
 * The log-probability of an enumerated Categorical site over its whole support 0..K-1: its
 * logits with the category axis moved to the site's dim, which is what `logProb` computes
 * entry by entry (with one-hot masks and support checks the support cannot fail). Undefined
 * for other families, which take the general path.
 */
export function supportLogProb(site: SampleSite, dim: number): tf.Tensor | undefined {
  const fn = site.fn instanceof ExpandedDistribution ? site.fn.base : site.fn;
  if (!(fn instanceof CategoricalDistribution)) return undefined;
  const logits = fn.logits;
  const k = fn.numCategories;
  const batch = logits.shape.slice(0, -1);
  const rank = Math.max(batch.length, -dim);
  const padded = [...new Array<number>(rank - batch.length).fill(1), ...batch];
  const axis = rank + dim;
  if (padded[axis] !== 1) return undefined;
  const perm = [
    ...Array.from({ length: axis }, (_, i) => i),
    rank,
    ...Array.from({ length: rank - axis }, (_, i) => axis + i),
  ];
  const moved = tf.transpose(tf.reshape(logits, [...padded, k]), perm);
  return tf.reshape(
    moved,
    padded.map((d, i) => (i === axis ? k : d)),
  );
}

/** `t` with leading dims of size 1 up to `rank`. */
export function padTo(t: tf.Tensor, rank: number): tf.Tensor {
  if (t.rank === rank) return t;
  return tf.reshape(t, [...new Array<number>(rank - t.rank).fill(1), ...t.shape]);
}
