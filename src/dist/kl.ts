/**
 * `kl(p, q)`: the Kullback-Leibler divergence KL(p || q) = E_p[log p(x) - log q(x)] from a
 * registry of closed forms keyed by the two families' classes (as NumPyro's
 * `kl_divergence`). The result has the broadcast batch shape of p and q.
 *
 * Registered pairs: Normal, LogNormal, Exponential, Gamma, Beta, Dirichlet,
 * MultivariateNormal, Bernoulli, Categorical (each with itself); TransformedDistribution
 * pairs with the same transforms (KL of the bases); Independent pairs (KL of the bases,
 * summed over the reinterpreted dimensions); ExpandedDistribution (KL of the bases,
 * broadcast).
 */
import { digamma, lgamma } from "../custom-vjp/special.js";
import { lbeta } from "../custom-vjp/special-incomplete.js";
import { solveLowerTriangular } from "../custom-vjp/special-linalg.js";
import { tf } from "../tf.js";
import { shapesEqual } from "../util/shapes.js";
import { BernoulliDistribution } from "./bernoulli.js";
import { BetaDistribution } from "./beta.js";
import { CategoricalDistribution } from "./categorical.js";
import { DirichletDistribution } from "./dirichlet.js";
import { type Distribution, ExpandedDistribution, Independent } from "./distribution.js";
import { ExponentialDistribution } from "./exponential.js";
import { GammaDistribution } from "./gamma.js";
import { LogNormalDistribution } from "./log-normal.js";
import { MultivariateNormalDistribution } from "./multivariate-normal.js";
import { NormalDistribution } from "./normal.js";
import { TransformedDistribution } from "./transformed-distribution.js";
import { AffineTransform, PowerTransform, type Transform } from "./transforms.js";
import { broadcast } from "./util.js";

type DistributionClass = abstract new (...args: any[]) => Distribution;
type KLRule = (p: Distribution, q: Distribution) => tf.Tensor;

const rules: Array<{ p: DistributionClass; q: DistributionClass; rule: KLRule }> = [];

/**
 * Registers the closed form of KL(p || q) for p of class `pClass` and q of class `qClass`
 * (the most recently registered matching rule wins).
 *
 * @example
 * // KL(Laplace(m1, b1) || Laplace(m2, b2)) = log(b2 / b1) + d / b2 + (b1 / b2) exp(-d / b1) - 1,
 * // d = |m1 - m2|
 * registerKL(LaplaceDistribution, LaplaceDistribution, (p, q) => {
 *   const d = tf.abs(tf.sub(p.loc, q.loc));
 *   const ratio = tf.div(p.scale, q.scale);
 *   return tf.add(
 *     tf.add(tf.neg(tf.log(ratio)), tf.div(d, q.scale)),
 *     tf.sub(tf.mul(ratio, tf.exp(tf.neg(tf.div(d, p.scale)))), 1),
 *   );
 * });
 * kl(Laplace(0, 1), Laplace(1, 2)); // a scalar tensor
 */
export function registerKL<P extends Distribution, Q extends Distribution>(
  pClass: abstract new (...args: never[]) => P,
  qClass: abstract new (...args: never[]) => Q,
  rule: (p: P, q: Q) => tf.Tensor,
): void {
  rules.unshift({
    p: pClass as unknown as DistributionClass,
    q: qClass as unknown as DistributionClass,
    rule: rule as KLRule,
  });
}

/**
 * Whether the registry has a closed form for KL(p || q).
 *
 * @example
 * hasKL(Normal(0, 1), Normal(1, 2)); // true
 */
export function hasKL(p: Distribution, q: Distribution): boolean {
  return rules.some(({ p: pClass, q: qClass }) => p instanceof pClass && q instanceof qClass);
}

/**
 * KL(p || q), from the registry of closed forms.
 *
 * @example
 * kl(Normal(0, 1), Normal(1, 2)); // log 2 + (1 + 1)/8 - 1/2 = 0.4431472
 */
export function kl(p: Distribution, q: Distribution): tf.Tensor {
  for (const { p: pClass, q: qClass, rule } of rules) {
    if (p instanceof pClass && q instanceof qClass) return rule(p, q);
  }
  throw new Error(
    `kl: no closed form is registered for KL(${p.family} || ${q.family}); register one with registerKL`,
  );
}

function batchOf(p: Distribution, q: Distribution): number[] {
  return tf.broadcast_util.assertAndGetBroadcastShape(p.batchShape, q.batchShape);
}

/** KL of normals: log(sq/sp) + (sp^2 + (mp - mq)^2) / (2 sq^2) - 1/2. */
function normalKL(mp: tf.Tensor, sp: tf.Tensor, mq: tf.Tensor, sq: tf.Tensor): tf.Tensor {
  const ratio = tf.square(tf.div(sp, sq));
  const shift = tf.square(tf.div(tf.sub(mp, mq), sq));
  return tf.mul(0.5, tf.sub(tf.add(ratio, shift), tf.add(1, tf.log(ratio))));
}

registerKL(NormalDistribution, NormalDistribution, (p, q) =>
  broadcast(normalKL(p.loc, p.scale, q.loc, q.scale), batchOf(p, q)),
);
registerKL(LogNormalDistribution, LogNormalDistribution, (p, q) =>
  broadcast(normalKL(p.loc, p.scale, q.loc, q.scale), batchOf(p, q)),
);
registerKL(ExponentialDistribution, ExponentialDistribution, (p, q) => {
  // log(rp/rq) + rq/rp - 1
  const ratio = tf.div(q.rate, p.rate);
  return broadcast(tf.sub(tf.sub(ratio, tf.log(ratio)), 1), batchOf(p, q));
});
registerKL(GammaDistribution, GammaDistribution, (p, q) => {
  // (ap - aq) psi(ap) - lgamma(ap) + lgamma(aq) + aq (log bp - log bq) + ap (bq - bp)/bp
  const ap = p.concentration;
  const aq = q.concentration;
  const v = tf.add(
    tf.add(tf.mul(tf.sub(ap, aq), digamma(ap)), tf.sub(lgamma(aq), lgamma(ap))),
    tf.add(
      tf.mul(aq, tf.sub(tf.log(p.rate), tf.log(q.rate))),
      tf.mul(ap, tf.div(tf.sub(q.rate, p.rate), p.rate)),
    ),
  );
  return broadcast(v, batchOf(p, q));
});
registerKL(BetaDistribution, BetaDistribution, (p, q) => {
  // log B(aq, bq) - log B(ap, bp) + (ap - aq) psi(ap) + (bp - bq) psi(bp) + (aq - ap + bq - bp) psi(ap + bp)
  const ap = p.concentration1;
  const bp = p.concentration0;
  const aq = q.concentration1;
  const bq = q.concentration0;
  const v = tf.add(
    tf.add(tf.sub(lbeta(aq, bq), lbeta(ap, bp)), tf.mul(tf.sub(ap, aq), digamma(ap))),
    tf.add(
      tf.mul(tf.sub(bp, bq), digamma(bp)),
      tf.mul(tf.add(tf.sub(aq, ap), tf.sub(bq, bp)), digamma(tf.add(ap, bp))),
    ),
  );
  return broadcast(v, batchOf(p, q));
});
registerKL(DirichletDistribution, DirichletDistribution, (p, q) => {
  // lgamma(sum ap) - sum lgamma(ap) - lgamma(sum aq) + sum lgamma(aq) + sum (ap - aq)(psi(ap) - psi(sum ap))
  const ap = p.concentration;
  const aq = q.concentration;
  const sp = tf.sum(ap, -1);
  const sq = tf.sum(aq, -1);
  const v = tf.add(
    tf.sub(tf.sub(lgamma(sp), tf.sum(lgamma(ap), -1)), tf.sub(lgamma(sq), tf.sum(lgamma(aq), -1))),
    tf.sum(tf.mul(tf.sub(ap, aq), tf.sub(digamma(ap), tf.expandDims(digamma(sp), -1))), -1),
  );
  return broadcast(v, batchOf(p, q));
});
registerKL(MultivariateNormalDistribution, MultivariateNormalDistribution, (p, q) => {
  // 1/2 (tr(Sq^-1 Sp) + (mq - mp)^T Sq^-1 (mq - mp) - k + log |Sq|/|Sp|), with Lq^-1 Lp
  const k = p.eventShape[0];
  const lp = p.scaleTril;
  const lq = q.scaleTril;
  const m = solveLowerTriangular(lq, lp);
  const trace = tf.sum(tf.square(m), [-2, -1]);
  const z = solveLowerTriangular(lq, tf.expandDims(tf.sub(q.loc, p.loc), -1));
  const maha = tf.sum(tf.square(z), [-2, -1]);
  const eye = tf.eye(k);
  const logDetRatio = tf.mul(
    2,
    tf.sub(
      tf.sum(tf.log(tf.sum(tf.mul(lq, eye), -1)), -1),
      tf.sum(tf.log(tf.sum(tf.mul(lp, eye), -1)), -1),
    ),
  );
  return broadcast(tf.mul(0.5, tf.add(tf.sub(tf.add(trace, maha), k), logDetRatio)), batchOf(p, q));
});
registerKL(BernoulliDistribution, BernoulliDistribution, (p, q) => {
  // p (log p - log q) + (1-p)(log(1-p) - log(1-q)), through logits: log sigmoid(l) = -softplus(-l)
  const pp = p.probs;
  const lp = p.logits;
  const lq = q.logits;
  const v = tf.add(
    tf.mul(pp, tf.sub(tf.softplus(tf.neg(lq)), tf.softplus(tf.neg(lp)))),
    tf.mul(tf.sub(1, pp), tf.sub(tf.softplus(lq), tf.softplus(lp))),
  );
  return broadcast(v, batchOf(p, q));
});
registerKL(CategoricalDistribution, CategoricalDistribution, (p, q) => {
  const pp = p.probs;
  const terms = tf.where(
    tf.greater(pp, 0),
    tf.mul(pp, tf.sub(p.logits, q.logits)),
    tf.zerosLike(pp),
  );
  return broadcast(tf.sum(terms, -1), batchOf(p, q));
});
registerKL(Independent, Independent, (p, q) => {
  if (p.reinterpreted !== q.reinterpreted) {
    throw new Error(
      `kl: Independent distributions must reinterpret the same number of dims, got ${p.reinterpreted} and ${q.reinterpreted}`,
    );
  }
  const inner = kl(p.base, q.base);
  const axes = Array.from({ length: p.reinterpreted }, (_, i) => inner.rank - 1 - i);
  return tf.sum(inner, axes);
});
registerKL(ExpandedDistribution, ExpandedDistribution, (p, q) =>
  broadcast(kl(p.base, q.base), batchOf(p, q)),
);
registerKL(TransformedDistribution, TransformedDistribution, (p, q) => {
  if (!sameTransforms(p.transforms, q.transforms)) {
    throw new Error(
      "kl: TransformedDistributions must share their transforms for a closed-form KL",
    );
  }
  return broadcast(kl(p.base, q.base), batchOf(p, q));
});

/** Whether two transform lists are the same bijections (same objects, or equal affine maps). */
function sameTransforms(a: readonly Transform[], b: readonly Transform[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((t, i) => {
    const u = b[i];
    if (t === u) return true;
    if (t.constructor !== u.constructor) return false;
    if (t instanceof AffineTransform && u instanceof AffineTransform) {
      return sameBound(t.loc, u.loc) && sameBound(t.scale, u.scale);
    }
    if (t instanceof PowerTransform && u instanceof PowerTransform)
      return t.exponent === u.exponent;
    return stateless(t);
  });
}

/** Transforms without parameters (exp, sigmoid, ...): same class means same map. */
function stateless(t: Transform): boolean {
  return [
    "identity",
    "exp",
    "sigmoid",
    "softplus",
    "tanh",
    "stickBreaking",
    "ordered",
    "lowerCholesky",
    "corrCholesky",
  ].includes(t.name);
}

function sameBound(x: number | tf.Tensor, y: number | tf.Tensor): boolean {
  if (x === y) return true;
  if (typeof x === "number" || typeof y === "number") return false;
  if (!shapesEqual(x.shape, y.shape)) return false;
  const a = x.dataSync();
  const b = y.dataSync();
  return a.every((v, i) => v === b[i]);
}
