/**
 * One SVI step's loss and gradient from its particles: each particle's ELBO estimate e_k and
 * gradient g_k come from the engine (one run of guide and model per particle, so models are
 * never batched); the ELBO's `combine` gives the loss L(e_1..e_K), and the chain rule the
 * gradient, sum_k dL/de_k g_k. With one particle L = -e_1 for every estimator.
 */

import { compileObjective } from "../../compile/compile-objective.js";
import type { Key } from "../../primitives/prng.js";
import { constant, tf, tidyValue } from "../../tf.js";
import type { ELBOLoss } from "./elbo.js";
import type { LossEvaluator } from "./engine.js";
import type { ParticleInputs, SVIObjective } from "./objective.js";

/**
 * The loss at `params` for the step key `stepKey`; with `grad`, writes d loss / d params.
 *
 * @example
 * const grad = new Float64Array(objective.paramDim);
 * const loss = particleLoss(objective, evaluator, params, PRNGKey(1), grad);
 */
export function particleLoss(
  objective: SVIObjective,
  evaluator: LossEvaluator,
  params: Float64Array,
  stepKey: Key,
  grad?: Float64Array,
): number {
  const inputs = Array.from({ length: objective.loss.numParticles }, (_, k) =>
    objective.particleInputs(stepKey, k),
  );
  return lossOfParticles(objective, evaluator, params, inputs, grad);
}

/**
 * The loss at `params` for the given inputs of each particle; with `grad`, writes d loss / d
 * params.
 *
 * @example
 * const inputs = [objective.particleInputs(key, 0), objective.particleInputs(key, 1)];
 * const loss = lossOfParticles(objective, evaluator, params, inputs);
 */
export function lossOfParticles(
  objective: SVIObjective,
  evaluator: LossEvaluator,
  params: Float64Array,
  inputs: readonly ParticleInputs[],
  grad?: Float64Array,
): number {
  const n = inputs.length;
  const elbos = new Float64Array(n);
  const grads: Float64Array[] = [];
  inputs.forEach((particle, k) => {
    if (grad === undefined) {
      elbos[k] = evaluator.value(params, particle);
    } else {
      const g = n === 1 ? grad : new Float64Array(params.length);
      elbos[k] = evaluator.valueAndGrad(params, particle, g);
      grads.push(g);
    }
  });
  if (n === 1) {
    if (grad !== undefined) for (let i = 0; i < grad.length; i++) grad[i] = -grad[i];
    return -elbos[0];
  }
  const { loss, weights } = combine(objective, elbos);
  if (grad !== undefined) {
    grad.fill(0);
    grads.forEach((g, k) => {
      for (let i = 0; i < grad.length; i++) grad[i] += weights[k] * g[i];
    });
  }
  return loss;
}

type Combine = (elbos: Float64Array, weights: Float64Array) => number;
const combiners = new WeakMap<ELBOLoss, Combine>();

// The loss and its derivatives in the particles' estimates: the ELBO's tfjs `combine`,
// compiled to float64 once per estimator (eager float32 tfjs if it cannot be compiled).
function combine(
  objective: SVIObjective,
  elbos: Float64Array,
): { loss: number; weights: Float64Array } {
  const lossFn = objective.loss;
  let run = combiners.get(lossFn);
  if (run === undefined) {
    const n = elbos.length;
    const result = compileObjective((e) => lossFn.combine(e), [[n]], {
      name: `${lossFn.name}.combine`,
      at: [elbos],
    });
    run = result.ok
      ? (e, w) => result.compiled.valueAndGrad([e], [w])
      : (e, w) =>
          tidyValue(() => {
            const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => lossFn.combine(x))(
              constant(e),
            );
            w.set(grad.dataSync());
            return value.dataSync()[0];
          });
    combiners.set(lossFn, run);
  }
  const weights = new Float64Array(elbos.length);
  const loss = run(elbos, weights);
  return { loss, weights };
}
