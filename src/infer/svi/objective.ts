/**
 * The SVI objective: a model, a guide, their arguments and an ELBO turned into a pure tfjs
 * function of one particle's inputs,
 *
 *     particleElbo(params [paramDim], noise [noiseDim], subsample [subsampleDim]) => tf.Scalar
 *
 * where `params` are the unconstrained values of every `param` site (in `layout` order),
 * `noise` the standard normal noise of the guide's Gaussian sites and `subsample` the indices
 * of every subsampled plate (laid out by `subsamplePlates`). A step evaluates it once per
 * particle, each with inputs of its own, and the ELBO's `combine` turns the particles'
 * estimates into the loss (particles.ts).
 *
 * THE SEAM FOR THE COMPILED ENGINE: `particleElbo(residualKey)` is exactly the function to
 * compile, once, with the noise and the subsample indices as non-differentiated inputs, then
 * evaluated per particle (engine.ts). When `usesResidualKey` is false (every guide site is
 * Gaussian noise-reparameterized or a point mass) the function does not depend on the key;
 * otherwise the key fixes the rest of the randomness (draws of other reparameterized
 * families), which a compiled function would freeze.
 */
import { withoutTensorValidation } from "../../dist/validation.js";
import { ModelError } from "../../errors.js";
import { enumerate } from "../../handlers/enumerate.js";
import { replay } from "../../handlers/replay.js";
import { seed } from "../../handlers/seed.js";
import { trace } from "../../handlers/trace.js";
import { batchRankOfTrace } from "../../handlers/vmap.js";
import { foldIn, type Key, normal, split } from "../../primitives/prng.js";
import { type Model, wrap } from "../../primitives/runtime.js";
import { constant, type tf, tidyValue } from "../../tf.js";
import type { FlatLayout } from "../layout.js";
import type { ELBOLoss, ParticleTraces } from "./elbo.js";
import { checkGuideMatchesModel } from "./guide-checks.js";
import { NoiseSource, withNoise } from "./noise.js";
import { paramLayoutOf, paramValuesOf, withParams } from "./params.js";
import { drawSubsample, type SubsamplePlate, SubsampleSource, withSubsample } from "./subsample.js";

/** One particle's ELBO estimate as a pure function of its inputs. */
export type ParticleFunction = (
  params: tf.Tensor,
  noise: tf.Tensor,
  subsample: tf.Tensor,
) => tf.Scalar;

/** The randomness of one particle of one step. */
export interface ParticleInputs {
  /** Standard normal noise, `noiseDim` values. */
  readonly noise: Float64Array;
  /** Subsample indices of every subsampled plate, `subsampleDim` values. */
  readonly subsample: Float64Array;
  /** The key of any other randomness (see `usesResidualKey`). */
  readonly residualKey: Key;
}

/** A model, guide, arguments and loss, ready to evaluate. */
export interface SVIObjective {
  /** Where each param site lives in the flat parameter vector. */
  readonly layout: FlatLayout;
  /** Number of unconstrained parameters. */
  readonly paramDim: number;
  /** Number of noise values one particle takes. */
  readonly noiseDim: number;
  /** The subsampled plates, in the order their indices sit in the subsample input. */
  readonly subsamplePlates: readonly SubsamplePlate[];
  /** Number of subsample indices one particle takes. */
  readonly subsampleDim: number;
  /** The ELBO estimator (its particle count and how it combines particles). */
  readonly loss: ELBOLoss;
  /** Whether the ELBO also depends on randomness from the residual key (see the file comment). */
  readonly usesResidualKey: boolean;
  /** The unconstrained parameters that the param sites' initial values give. */
  readonly initialParams: Float64Array;
  /** One particle's ELBO estimate for a fixed residual key: what engines differentiate. */
  particleElbo(residualKey: Key): ParticleFunction;
  /** The inputs of particle `k` of the step with key `stepKey`. */
  particleInputs(stepKey: Key, k: number): ParticleInputs;
  /** The guide and model traces of one particle (for losses and tests). */
  traces(params: tf.Tensor, inputs: ParticleInputs): ParticleTraces;
}

/**
 * Builds the objective: runs guide and model once to find the param sites and check that the
 * guide fits the model, then once more to measure the noise and the subsampled plates.
 *
 * @example
 * const objective = buildObjective("SVI", model, guide, [data], TraceELBO(), PRNGKey(0));
 * const elbo = objective.particleElbo(PRNGKey(1)); // (params, noise, subsample) => ELBO estimate
 */
export function buildObjective<A extends any[]>(
  api: string,
  model: Model<A, unknown>,
  guide: Model<A, unknown>,
  args: A,
  loss: ELBOLoss,
  key: Key,
): SVIObjective {
  const [guideKey, modelKey, noiseKey, probeKey] = split(key, 4);

  const { layout, initialParams, firstAvailableDim } = tidyValue(() =>
    withoutTensorValidation(() => {
      const guideTrace = trace(seed(guide, guideKey)).getTrace(...args);
      const modelTrace = trace(seed(replay(model, guideTrace), modelKey)).getTrace(...args);
      checkGuideMatchesModel(api, guideTrace, modelTrace, loss.enumerate === true);
      const paramLayout = paramLayoutOf(guideTrace, modelTrace);
      return {
        layout: paramLayout,
        initialParams: paramLayout.ravel(paramValuesOf(guideTrace, modelTrace)),
        // Enumeration dims go left of every batch dim of the model.
        firstAvailableDim: -1 - batchRankOfTrace(modelTrace),
      };
    }),
  );
  // With an enumerating ELBO the model's marked sites take all their values at once; handlers
  // that set values (replay, params, subsample indices) stay inside the enumeration.
  const enumerating = <R>(m: Model<A, R>): Model<A, R> =>
    loss.enumerate === true ? enumerate(m, { firstAvailableDim }) : m;

  const runTraces = (
    params: tf.Tensor,
    noise: NoiseSource,
    subsample: SubsampleSource,
    residualKey: Key,
    keyUse: { used: boolean },
  ): ParticleTraces => {
    const values = layout.constrainTensor(params).values;
    const [gk, mk] = split(residualKey);
    const guideRun = seed(
      detectKeyUse(withSubsample(withNoise(withParams(guide, values), noise), subsample), keyUse),
      gk,
    );
    const guideTrace = trace(guideRun).getTrace(...args);
    const modelRun = seed(
      detectKeyUse(
        enumerating(withSubsample(replay(withParams(model, values), guideTrace), subsample)),
        keyUse,
      ),
      mk,
    );
    return { guide: guideTrace, model: trace(modelRun).getTrace(...args) };
  };

  const { noiseDim, subsamplePlates, usesResidualKey } = tidyValue(() =>
    withoutTensorValidation(() => {
      const keyUse = { used: false };
      const noise = NoiseSource.counting((size) => constant(normal(foldIn(noiseKey, size), size)));
      const subsample = SubsampleSource.discovering(foldIn(noiseKey, -1));
      const traces = runTraces(constant(initialParams), noise, subsample, probeKey, keyUse);
      loss.particleElbo(traces);
      return {
        noiseDim: noise.used,
        subsamplePlates: subsample.discovered,
        usesResidualKey: keyUse.used,
      };
    }),
  );
  const subsampleDim = subsamplePlates.reduce((n, p) => n + p.subsampleSize, 0);

  const traces = (params: tf.Tensor, inputs: ParticleInputs): ParticleTraces =>
    tracesAt(params, constant(inputs.noise), constant(inputs.subsample), inputs.residualKey);

  const tracesAt = (
    params: tf.Tensor,
    noise: tf.Tensor,
    subsample: tf.Tensor,
    residualKey: Key,
  ): ParticleTraces => {
    const source = NoiseSource.fromTensor(noise);
    const result = runTraces(
      params,
      source,
      SubsampleSource.fromTensor(subsample, subsamplePlates),
      residualKey,
      { used: false },
    );
    if (source.used !== noiseDim) {
      throw new ModelError({
        message: `${api}: the guide used ${source.used} noise values where ${noiseDim} were measured at initialization; guides must draw the same sites with the same shapes at every step`,
      });
    }
    return result;
  };

  return {
    layout,
    paramDim: layout.dim,
    noiseDim,
    subsamplePlates,
    subsampleDim,
    loss,
    usesResidualKey,
    initialParams,
    traces,
    particleElbo: (residualKey) => (params, noise, subsample) =>
      withoutTensorValidation(() =>
        loss.particleElbo(tracesAt(params, noise, subsample, residualKey)),
      ),
    particleInputs(stepKey, k) {
      const [noiseKey, subsampleKey, residualKey] = split(foldIn(stepKey, k), 3);
      return {
        noise: normal(noiseKey, noiseDim),
        subsample: drawSubsample(subsampleKey, subsamplePlates),
        residualKey,
      };
    },
  };
}

// Flags the run when a site will take its value from a key rather than from noise or replay.
function detectKeyUse<A extends any[], R>(
  model: Model<A, R>,
  keyUse: { used: boolean },
): Model<A, R> {
  return wrap(model, () => ({
    process(msg) {
      if (msg.value !== null) return;
      // A point mass ignores its key; everything else would draw from it.
      if (msg.type === "sample" && !msg.isObserved && msg.fn.family !== "Delta") {
        keyUse.used = true;
      }
    },
  }));
}
