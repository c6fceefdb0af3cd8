/**
 * The SVI objective: a model, a guide, their arguments and an ELBO turned into a pure tfjs
 * function of two flat tensors,
 *
 *     loss(params: tf.Tensor [paramDim], noise: tf.Tensor [noiseDim]) => tf.Scalar
 *
 * where `params` are the unconstrained values of every `param` site (in `layout` order) and
 * `noise` is the standard normal noise of the guide's Gaussian sites for all particles.
 *
 * THE SEAM FOR THE COMPILED ENGINE: `lossFunction(residualKey)` is exactly the function to
 * compile, `compileObjective(fn, [[paramDim], [noiseDim]], { wrt: [0] })`, with the noise as a
 * non-differentiated input. When `usesResidualKey` is false (every guide site is Gaussian
 * noise-reparameterized or a point mass, and no plate subsamples) the function does not depend
 * on the key at all, so one compilation serves every step; otherwise the key fixes the rest of
 * the randomness (plate subsample indices, draws of other reparameterized families), which the
 * compiled engine would see as constants. See engine.ts.
 */
import { withoutTensorValidation } from "../../dist/validation.js";
import { ModelError } from "../../errors.js";
import { enumerate } from "../../handlers/enumerate.js";
import { replay } from "../../handlers/replay.js";
import { seed } from "../../handlers/seed.js";
import { type Trace, trace } from "../../handlers/trace.js";
import { vmap } from "../../handlers/vmap.js";
import type { Site } from "../../primitives/messages.js";
import { foldIn, type Key, normal, split } from "../../primitives/prng.js";
import { type Model, wrap } from "../../primitives/runtime.js";
import { constant, type tf, tidyValue } from "../../tf.js";
import type { FlatLayout } from "../layout.js";
import type { ELBOLoss, ParticleTraces } from "./elbo.js";
import { checkGuideMatchesModel } from "./guide-checks.js";
import { NoiseSource, withNoise } from "./noise.js";
import { paramLayoutOf, paramValuesOf, withParams } from "./params.js";

/** The loss as a pure function of flat unconstrained parameters and flat standard normal noise. */
export type LossFunction = (params: tf.Tensor, noise: tf.Tensor) => tf.Scalar;

/** A model, guide, arguments and loss, ready to evaluate. */
export interface SVIObjective {
  /** Where each param site lives in the flat parameter vector. */
  readonly layout: FlatLayout;
  /** Number of unconstrained parameters. */
  readonly paramDim: number;
  /** Number of noise values one evaluation takes (all particles). */
  readonly noiseDim: number;
  /** Whether the loss also depends on randomness from the residual key (see the file comment). */
  readonly usesResidualKey: boolean;
  /** The unconstrained parameters that the param sites' initial values give. */
  readonly initialParams: Float64Array;
  /** The loss for a fixed residual key: the function engines differentiate (and compile). */
  lossFunction(residualKey: Key): LossFunction;
  /** The batched guide and model traces at given parameters, noise and key (for losses and tests). */
  traces(params: tf.Tensor, noise: tf.Tensor, residualKey: Key): ParticleTraces;
}

/**
 * Builds the objective: runs guide and model once, unbatched, to find the param sites, check
 * that the guide fits the model and measure the batch rank; then once batched to measure the
 * noise the guide needs.
 *
 * @example
 * const objective = buildObjective("SVI", model, guide, [data], TraceELBO(), PRNGKey(0));
 * const f = objective.lossFunction(PRNGKey(1)); // (params, noise) => loss
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
  const numParticles = loss.numParticles;

  const { layout, initialParams, batchDim } = tidyValue(() =>
    withoutTensorValidation(() => {
      const guideTrace = trace(seed(guide, guideKey)).getTrace(...args);
      const modelTrace = trace(seed(replay(model, guideTrace), modelKey)).getTrace(...args);
      checkGuideMatchesModel(api, guideTrace, modelTrace, loss.enumerate === true);
      const paramLayout = paramLayoutOf(guideTrace, modelTrace);
      return {
        layout: paramLayout,
        initialParams: paramLayout.ravel(paramValuesOf(guideTrace, modelTrace)),
        batchDim: -1 - Math.max(batchRank(guideTrace), batchRank(modelTrace)),
      };
    }),
  );

  const batchedGuide = vmap(guide, { size: numParticles, dim: batchDim });
  // Enumeration dims go left of the particle dim.
  const batchedModel =
    loss.enumerate === true
      ? enumerate(vmap(model, { size: numParticles, dim: batchDim }), {
          firstAvailableDim: batchDim - 1,
        })
      : vmap(model, { size: numParticles, dim: batchDim });

  const runTraces = (
    params: tf.Tensor,
    source: NoiseSource,
    residualKey: Key,
    keyUse: { used: boolean },
  ): ParticleTraces => {
    const values = layout.constrainTensor(params).values;
    const [gk, mk] = split(residualKey);
    const guideRun = seed(
      detectKeyUse(withNoise(withParams(batchedGuide, values), source), keyUse),
      gk,
    );
    const guideTrace = trace(guideRun).getTrace(...args);
    const modelRun = seed(
      detectKeyUse(replay(withParams(batchedModel, values), guideTrace), keyUse),
      mk,
    );
    const modelTrace = trace(modelRun).getTrace(...args);
    return { guide: guideTrace, model: modelTrace, numParticles };
  };

  const { noiseDim, usesResidualKey } = tidyValue(() =>
    withoutTensorValidation(() => {
      const keyUse = { used: false };
      const source = NoiseSource.counting((size) => constant(normal(foldIn(noiseKey, size), size)));
      const traces = runTraces(constant(initialParams), source, probeKey, keyUse);
      // Under enumeration the contraction checks the model's dims itself.
      checkParticleDims(api, traces, -batchDim, loss.enumerate === true);
      loss.loss(traces);
      return { noiseDim: source.used, usesResidualKey: keyUse.used };
    }),
  );

  const traces = (params: tf.Tensor, noise: tf.Tensor, residualKey: Key): ParticleTraces => {
    const source = NoiseSource.fromTensor(noise);
    const result = runTraces(params, source, residualKey, { used: false });
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
    usesResidualKey,
    initialParams,
    traces,
    lossFunction: (residualKey) => (params, noise) =>
      withoutTensorValidation(() => loss.loss(traces(params, noise, residualKey))),
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
      if (msg.type === "sample" && !msg.isObserved) {
        // A point mass ignores its key; everything else would draw from it.
        if (msg.fn.family !== "Delta") keyUse.used = true;
      } else if (msg.type === "plate" && msg.subsampleSize !== msg.size) {
        keyUse.used = true;
      }
    },
  }));
}

// Under particle batching every site's batch shape is [P, ...] with at most `rank` dims; more
// means the model broadcast a particle dim against a plate dim (it did not index from the
// right), which would mix particles silently.
function checkParticleDims(
  api: string,
  traces: ParticleTraces,
  rank: number,
  enumerating: boolean,
): void {
  const roles = [["guide", traces.guide] as const, ["model", traces.model] as const];
  for (const [role, tr] of enumerating ? roles.slice(0, 1) : roles) {
    for (const site of tr.sampleSites()) {
      const batch = site.fn.batchShape;
      if (batch.length > rank) {
        throw new ModelError({
          message:
            `${api}: with ${traces.numParticles} particles batched left of every plate, the ${role}'s site "${site.name}" ` +
            `has batch shape [${batch.join(",")}], more than the ${rank} dims its plates and the particle dim allow; ` +
            "a value was combined with another along the wrong dims: index from the right (e.g. reduce event dims with negative axes)",
          site: site.name,
        });
      }
    }
  }
}

/** The largest number of batch dims any site of a trace uses (plates and batch shapes). */
export function batchRank(tr: Trace): number {
  let rank = 0;
  for (const site of tr.values()) rank = Math.max(rank, siteBatchRank(site));
  return rank;
}

function siteBatchRank(site: Site): number {
  const plateRank = Math.max(0, ...site.plates.map((f) => -f.dim));
  if (site.type === "sample") {
    return Math.max(plateRank, site.value.rank - site.fn.eventShape.length);
  }
  if (site.type === "deterministic") return Math.max(plateRank, site.value.rank);
  return plateRank;
}
