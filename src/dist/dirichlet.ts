/** The Dirichlet distribution. */
import { digamma, lgamma } from "../custom-vjp/special.js";
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { sizeOf } from "../util/shapes.js";
import { independent, positive, simplex } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { implicitGamma } from "./implicit-draws.js";
import { logStandardGamma, streamOf } from "./samplers.js";
import { broadcast, fromValues, mulOrZero, negInfOutside, param, valuesAt } from "./util.js";

/**
 * Dirichlet(concentration): density prod x_i^(a_i - 1) / B(a) on the simplex.
 *
 * @example
 * const d = Dirichlet([1, 2, 3]); // a DirichletDistribution
 * d.eventShape; // [3]
 * d.mean; // [1/6, 1/3, 1/2]
 */
export class DirichletDistribution extends Distribution {
  readonly family = "Dirichlet";
  readonly support = simplex;
  override readonly hasRsample = true;

  constructor(readonly concentration: tf.Tensor) {
    if (concentration.rank < 1) {
      throw new Error("Dirichlet: concentration must have at least one dimension (the categories)");
    }
    super(batchShapeOf("Dirichlet", { concentration }, 1), [
      concentration.shape[concentration.rank - 1],
    ]);
    this.checkParam("concentration", concentration, independent(positive, 1));
  }

  /** log B(a) = sum lgamma(a_i) - lgamma(sum a_i). */
  private get logNormalizer(): tf.Tensor {
    const a = this.concentration;
    return tf.sub(tf.sum(lgamma(a), -1), lgamma(tf.sum(a, -1)));
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    const inside = tf.all(tf.logicalAnd(tf.greaterEqual(x, 0), tf.lessEqual(x, 1)), -1);
    const safeX = tf.where(tf.expandDims(inside, -1), x, tf.onesLike(x));
    const lp = tf.sub(
      // xlogy: a component at 0 with concentration 1 contributes 0, not 0 * -Infinity.
      tf.sum(mulOrZero(tf.sub(this.concentration, 1), tf.log(safeX)), -1),
      this.logNormalizer,
    );
    return negInfOutside(inside, lp);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    // Normalized gammas, reparameterized implicitly; each row is scaled by its largest draw
    // (computed in log space) so that small concentrations do not underflow.
    const shape = this.shape(sampleShape);
    const k = this.eventShape[0];
    const alpha = valuesAt(this.concentration, shape);
    const logG = new Float64Array(alpha.length);
    const logScale = new Float64Array(alpha.length);
    for (let row = 0; row < sizeOf(shape) / k; row++) {
      const stream = streamOf(key, row);
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < k; j++) {
        logG[row * k + j] = logStandardGamma(alpha[row * k + j], stream);
        max = Math.max(max, logG[row * k + j]);
      }
      logScale.fill(max, row * k, (row + 1) * k);
    }
    const g = implicitGamma(
      broadcast(this.concentration, shape),
      fromValues(logG, shape),
      fromValues(logScale, shape),
    );
    return tf.div(g, tf.sum(g, -1, true));
  }
  override get mean(): tf.Tensor {
    const a = this.concentration;
    return broadcast(tf.div(a, tf.sum(a, -1, true)), this.shape());
  }
  override get variance(): tf.Tensor {
    const a = this.concentration;
    const total = tf.sum(a, -1, true);
    const v = tf.div(tf.mul(a, tf.sub(total, a)), tf.mul(tf.square(total), tf.add(total, 1)));
    return broadcast(v, this.shape());
  }
  override entropy(): tf.Tensor {
    // log B(a) + (a0 - K) psi(a0) - sum (a_i - 1) psi(a_i)
    const a = this.concentration;
    const k = this.eventShape[0];
    const total = tf.sum(a, -1);
    const h = tf.sub(
      tf.add(this.logNormalizer, tf.mul(tf.sub(total, k), digamma(total))),
      tf.sum(tf.mul(tf.sub(a, 1), digamma(a)), -1),
    );
    return broadcast(h, this.batchShape);
  }
}

/**
 * The Dirichlet distribution on the simplex with concentrations `concentration` ([..., K]).
 *
 * @example
 * const weights = yield* sample("weights", Dirichlet([1, 1, 1]));
 */
export function Dirichlet(concentration: ArrayLike): DirichletDistribution {
  return new DirichletDistribution(param(concentration));
}
