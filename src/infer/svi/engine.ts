/**
 * Engines that evaluate one particle's ELBO estimate and its gradient over plain
 * Float64Arrays (particles.ts combines the particles into the loss).
 *
 * `eagerLossEngine` differentiates the objective's tfjs function with `tf.valueAndGrad`
 * (float32).
 *
 * `compiledLossEngine` (the default) traces the same function once, with the noise and the
 * plates' subsample indices as non-differentiated inputs, and runs value and gradient as
 * float64 JavaScript (DESIGN.md section 4), once per particle. It falls back to the eager
 * engine, with one warning naming the cause, when the function cannot be traced or draws
 * randomness of its own beyond the noise and the subsample (`usesResidualKey`).
 */
import { compileObjective } from "../../compile/compile-objective.js";
import { compileOrFallBack, fallBackToEager } from "../../compile/engine-selection.js";
import { withoutTensorValidation } from "../../dist/validation.js";
import { PRNGKey } from "../../primitives/prng.js";
import { constant, tf, tidyValue } from "../../tf.js";
import type { ParticleInputs, SVIObjective } from "./objective.js";

/** One particle's ELBO estimate and its gradient over flat arrays. */
export interface LossEvaluator {
  /** The particle's ELBO estimate at `params`; writes d estimate / d params into `grad`. */
  valueAndGrad(params: Float64Array, inputs: ParticleInputs, grad: Float64Array): number;
  /** The estimate alone. */
  value(params: Float64Array, inputs: ParticleInputs): number;
}

/** Makes the evaluator of an objective: the place where engines differ. */
export type LossEngine = (objective: SVIObjective) => LossEvaluator;

/**
 * The eager tfjs engine: `tf.valueAndGrad` of `objective.particleElbo(key)` in the params.
 *
 * @example
 * const evaluator = eagerLossEngine(objective);
 * const grad = new Float64Array(objective.paramDim);
 * const loss = evaluator.valueAndGrad(params, objective.particleInputs(key, 0), grad);
 */
export const eagerLossEngine: LossEngine = (objective) => ({
  valueAndGrad(params, inputs, grad) {
    return tidyValue(() => {
      const elboOf = objective.particleElbo(inputs.residualKey);
      const noise = constant(inputs.noise);
      const subsample = constant(inputs.subsample);
      const { value, grad: g } = tf.valueAndGrad((p: tf.Tensor) => elboOf(p, noise, subsample))(
        constant(params),
      );
      grad.set(g.dataSync());
      return value.dataSync()[0];
    });
  },
  value(params, inputs) {
    return tidyValue(
      () =>
        objective
          .particleElbo(inputs.residualKey)(
            constant(params),
            constant(inputs.noise),
            constant(inputs.subsample),
          )
          .dataSync()[0],
    );
  },
});

/**
 * The compiled engine: the particle ELBO traced once and emitted as float64 JavaScript, with
 * the noise and the subsample indices as inputs, so each particle costs no tfjs kernel at all.
 *
 * @example
 * const svi = new SVI(model, guide, Adam(0.01), TraceELBO(), { engine: compiledLossEngine });
 */
export const compiledLossEngine: LossEngine = (objective) => {
  if (objective.usesResidualKey) {
    fallBackToEager(
      "SVI",
      "the loss draws randomness beyond its reparameterized noise (a non-Gaussian guide site), which a compiled loss would freeze",
    );
    return eagerLossEngine(objective);
  }
  // Inputs of size 0 (a guide without noise, no subsampled plate) are left out of the trace.
  const at = objective.particleInputs(PRNGKey(0), 0);
  const present = [objective.noiseDim > 0, objective.subsampleDim > 0];
  const elbo = objective.particleElbo(PRNGKey(0));
  const params = new Float64Array(objective.paramDim).fill(0.1);
  const extras = [at.noise.fill(0.1), at.subsample].filter((_, i) => present[i]);
  const shapes = [[objective.paramDim], ...extras.map((x) => [x.length])];
  const fn = (p: tf.Tensor, ...rest: tf.Tensor[]) => {
    const [noise, subsample] = present.map((on) =>
      on ? (rest.shift() as tf.Tensor) : tf.zeros([0]),
    );
    return elbo(p, noise, subsample);
  };
  const choice = compileOrFallBack("SVI", "loss", () =>
    withoutTensorValidation(() =>
      compileObjective(fn, shapes, { wrt: [0], name: "svi-elbo", at: [params, ...extras] }),
    ),
  );
  if (choice.engine === "eager") return eagerLossEngine(objective);
  const compiled = choice.compiled;
  const inputsOf = (p: Float64Array, inputs: ParticleInputs): Float64Array[] => [
    p,
    ...[inputs.noise, inputs.subsample].filter((_, i) => present[i]),
  ];
  const grads: Float64Array[] = [new Float64Array(objective.paramDim)];
  return {
    valueAndGrad(p, inputs, grad) {
      grads[0] = grad;
      return compiled.valueAndGrad(inputsOf(p, inputs), grads);
    },
    value(p, inputs) {
      return compiled.value(inputsOf(p, inputs));
    },
  };
};
