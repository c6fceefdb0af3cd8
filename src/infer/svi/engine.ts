/**
 * Engines that evaluate an SVI objective's loss and its gradient over plain Float64Arrays.
 *
 * `eagerLossEngine` differentiates the objective's tfjs loss with `tf.valueAndGrad` (float32).
 *
 * `compiledLossEngine` (the default) traces the same loss once, with the noise as a second,
 * non-differentiated input, and runs value and gradient as float64 JavaScript (DESIGN.md
 * section 4). It falls back to the eager engine, with one warning naming the cause, when the
 * loss cannot be traced or draws randomness of its own beyond the noise (`usesResidualKey`).
 */
import { compileObjective } from "../../compile/compile-objective.js";
import { compileOrFallBack, fallBackToEager } from "../../compile/engine-selection.js";
import { withoutTensorValidation } from "../../dist/validation.js";
import { type Key, PRNGKey } from "../../primitives/prng.js";
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

/**
 * The compiled engine: the loss traced once and emitted as float64 JavaScript, with the noise
 * as an input, so each step costs no tfjs kernel at all.
 *
 * @example
 * const svi = new SVI(model, guide, Adam(0.01), new TraceELBO(), { engine: compiledLossEngine });
 */
export const compiledLossEngine: LossEngine = (objective) => {
  if (objective.usesResidualKey) {
    fallBackToEager(
      "SVI",
      "the loss draws randomness beyond its reparameterized noise (a non-Gaussian guide site or a subsampled plate), which a compiled loss would freeze",
    );
    return eagerLossEngine(objective);
  }
  const key = PRNGKey(0);
  const params = new Float64Array(objective.paramDim).fill(0.1);
  const noise = new Float64Array(objective.noiseDim).fill(0.1);
  // A guide without noise (AutoDelta) compiles as a function of the parameters alone.
  const withNoise = objective.noiseDim > 0;
  const loss = objective.lossFunction(key);
  const choice = compileOrFallBack("SVI", "loss", () =>
    withoutTensorValidation(() =>
      withNoise
        ? compileObjective(loss, [[objective.paramDim], [objective.noiseDim]], {
            wrt: [0],
            name: "svi-loss",
            at: [params, noise],
          })
        : compileObjective((p) => loss(p, tf.zeros([0])), [[objective.paramDim]], {
            wrt: [0],
            name: "svi-loss",
            at: [params],
          }),
    ),
  );
  if (choice.engine === "eager") return eagerLossEngine(objective);
  const compiled = choice.compiled;
  const inputs: Float64Array[] = withNoise ? [params, noise] : [params];
  const grads: Float64Array[] = [new Float64Array(objective.paramDim)];
  return {
    valueAndGrad(p, n, _key, grad) {
      inputs[0] = p;
      if (withNoise) inputs[1] = n;
      grads[0] = grad;
      return compiled.valueAndGrad(inputs, grads);
    },
    value(p, n) {
      inputs[0] = p;
      if (withNoise) inputs[1] = n;
      return compiled.value(inputs);
    },
  };
};
