/**
 * Engines that evaluate an SVI objective's loss and its gradient over plain Float64Arrays.
 *
 * `eagerLossEngine` differentiates the objective's tfjs loss with `tf.valueAndGrad` (float32).
 *
 * Where the compiled engine plugs in: a `LossEngine` is any function from an objective to a
 * `LossEvaluator`. The compiled one will be, in outline,
 *
 *     const compiledLossEngine: LossEngine = (objective) => {
 *       if (objective.usesResidualKey) return eagerLossEngine(objective); // or recompile per key
 *       const compiled = compileObjective(objective.lossFunction(PRNGKey(0)),
 *         [[objective.paramDim], [objective.noiseDim]], { wrt: [0] });
 *       return {
 *         valueAndGrad: (params, noise, _key, grad) => compiled.valueAndGrad([params, noise], [grad]),
 *         value: (params, noise) => compiled.value([params, noise]),
 *       };
 *     };
 *
 * and is passed as `new SVI(model, guide, optimizer, loss, { engine: compiledLossEngine })`
 * (and `advi(model, args, { engine })`).
 */
import type { Key } from "../../primitives/prng.js";
import { constant, tf, tidyValue } from "../../tf.js";
import type { SVIObjective } from "./objective.js";

/** Loss value and gradient of one objective over flat arrays. */
export interface LossEvaluator {
  /** The loss at `params` for `noise` and `residualKey`; writes d loss / d params into `grad`. */
  valueAndGrad(
    params: Float64Array,
    noise: Float64Array,
    residualKey: Key,
    grad: Float64Array,
  ): number;
  /** The loss alone. */
  value(params: Float64Array, noise: Float64Array, residualKey: Key): number;
}

/** Makes the evaluator of an objective: the place where engines differ. */
export type LossEngine = (objective: SVIObjective) => LossEvaluator;

/**
 * The eager tfjs engine: `tf.valueAndGrad` of `objective.lossFunction(key)` in the params.
 *
 * @example
 * const evaluator = eagerLossEngine(objective);
 * const loss = evaluator.valueAndGrad(params, noise, key, grad);
 */
export const eagerLossEngine: LossEngine = (objective) => ({
  valueAndGrad(params, noise, residualKey, grad) {
    return tidyValue(() => {
      const lossOf = objective.lossFunction(residualKey);
      const noiseTensor = constant(noise);
      const { value, grad: g } = tf.valueAndGrad((p: tf.Tensor) => lossOf(p, noiseTensor))(
        constant(params),
      );
      grad.set(g.dataSync());
      return value.dataSync()[0];
    });
  },
  value(params, noise, residualKey) {
    return tidyValue(
      () => objective.lossFunction(residualKey)(constant(params), constant(noise)).dataSync()[0],
    );
  },
});
