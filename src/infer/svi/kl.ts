/**
 * Analytic KL divergences for `TraceMeanFieldELBO`, behind a hook.
 *
 * A `KLDivergence` returns KL(q || p) summed over q's event dims (one value per batch element
 * of q), or undefined when it has no closed form for the pair; the ELBO then falls back to
 * the Monte Carlo term log q(z) - log p(z) for that site. `normalKL` covers Normal against
 * Normal (through `expand` and `toEvent`). When the distribution library's `kl(p, q)`
 * registry lands, pass a function that tries it first:
 * `TraceMeanFieldELBO({ klDivergence: (q, p) => registryKL(q, p) ?? normalKL(q, p) })`, or make
 * that the default below.
 */
import { type Distribution, ExpandedDistribution, Independent } from "../../dist/distribution.js";
import { NormalDistribution } from "../../dist/normal.js";
import { tf } from "../../tf.js";

/** KL(q || p) per batch element of q, or undefined when there is no closed form for the pair. */
export type KLDivergence = (q: Distribution, p: Distribution) => tf.Tensor | undefined;

interface NormalParams {
  loc: tf.Tensor;
  scale: tf.Tensor;
}

// loc and scale of a Normal seen through expand and toEvent, broadcastable to fn.shape().
function normalParams(fn: Distribution): NormalParams | undefined {
  if (fn instanceof NormalDistribution) return { loc: fn.loc, scale: fn.scale };
  if (fn instanceof ExpandedDistribution || fn instanceof Independent) {
    return normalParams(fn.base);
  }
  return undefined;
}

/**
 * KL(q || p) for two normal distributions with the same event shape:
 * log(sp / sq) + (sq^2 + (mq - mp)^2) / (2 sp^2) - 1/2 per element, summed over the event.
 *
 * @example
 * normalKL(Normal(0, 1), Normal(1, 2)); // log 2 + (1 + 1) / 8 - 0.5 = 0.4431
 */
export function normalKL(q: Distribution, p: Distribution): tf.Tensor | undefined {
  const a = normalParams(q);
  const b = normalParams(p);
  if (a === undefined || b === undefined || q.eventShape.length !== p.eventShape.length) {
    return undefined;
  }
  const ratio = tf.div(a.scale, b.scale);
  const shift = tf.div(tf.sub(a.loc, b.loc), b.scale);
  const elementwise = tf.mul(
    0.5,
    tf.sub(tf.add(tf.square(ratio), tf.square(shift)), tf.add(1, tf.mul(2, tf.log(ratio)))),
  );
  const full = tf.broadcastTo(elementwise, q.shape());
  const eventRank = q.eventShape.length;
  if (eventRank === 0) return full;
  const axes = Array.from({ length: eventRank }, (_, i) => full.rank - 1 - i);
  return tf.sum(full, axes);
}

/** The KL hook `TraceMeanFieldELBO` uses by default. */
export const defaultKLDivergence: KLDivergence = normalKL;
