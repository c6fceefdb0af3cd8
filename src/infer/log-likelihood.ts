/**
 * `logLikelihood`: the log-likelihood of every observation at every posterior draw (NumPyro's
 * `numpyro.infer.log_likelihood`), the input of `loo` and `waic` and of InferenceData's
 * log_likelihood group.
 */
import { ModelError } from "../errors.js";
import { seed } from "../handlers/seed.js";
import { substitute } from "../handlers/substitute.js";
import { trace } from "../handlers/trace.js";
import type { Model } from "../primitives/runtime.js";
import { scaleAndMask } from "../primitives/scale-mask.js";
import { constant, readFloat64, tf, tidyValue } from "../tf.js";
import { sizeOf } from "../util/shapes.js";
import { type Draws, stackDraws } from "./draws.js";

/**
 * Runs `model` once per posterior draw with its latent sites set to that draw and returns, for
 * every observed sample site (factors included, as in NumPyro), the elementwise log-probability
 * of the observed value: shape [draws, ...site batch shape]. A site's `mask` applies (masked
 * entries are 0); plate subsampling scales do not. Every latent sample site must have draws.
 *
 * Values are computed by the eager tfjs engine (float32 arithmetic, about 7 significant digits).
 *
 * @example
 * function* regression(x: number[], y?: number[]) {
 *   const a = yield* sample("a", Normal(0, 10));
 *   const b = yield* sample("b", Normal(0, 10));
 *   yield* plate("data", x.length, function* () {
 *     yield* sample("y", Normal(tf.add(a, tf.mul(b, constant(x))), 1), { obs: y });
 *   });
 * }
 * const x = [1, 2, 3, 4];
 * const mcmc = new MCMC(new NUTS(regression), { numWarmup: 100, numSamples: 100, progressBar: false });
 * await mcmc.run(PRNGKey(0), x, [1.1, 1.9, 3.2, 3.9]);
 * const ll = logLikelihood(regression, mcmc.getSamples(), x, [1.1, 1.9, 3.2, 3.9]);
 * ll.y.shape; // [numDraws, x.length]
 */
export function logLikelihood<A extends unknown[]>(
  model: Model<A, unknown>,
  posteriorSamples: Record<string, Draws>,
  ...args: A
): Record<string, Draws> {
  const names = Object.keys(posteriorSamples);
  const counts = names.map((name) => posteriorSamples[name].shape[0]);
  const numDraws = counts[0];
  if (names.length === 0 || counts.some((n) => n !== numDraws) || !(numDraws >= 1)) {
    throw new ModelError({
      message: `logLikelihood: posteriorSamples must hold draws of every latent site with the same leading number of draws, got ${names.map((n, i) => `${n}: ${counts[i]}`).join(", ") || "no sites"}`,
    });
  }
  return stackDraws(numDraws, (i) =>
    tidyValue(() => {
      const values: Record<string, tf.Tensor> = {};
      for (const name of names) {
        const { shape, data } = posteriorSamples[name];
        const own = shape.slice(1);
        const size = sizeOf(own);
        values[name] = tf.reshape(constant(data.subarray(i * size, (i + 1) * size)), own);
      }
      // The seed only serves sites the model draws without a value; a latent one is an error below.
      const tr = trace(seed(substitute(model, values), 0)).getTrace(...args);
      const out: Record<string, Draws> = {};
      for (const site of tr.sampleSites()) {
        if (!site.isObserved) {
          if (values[site.name] === undefined) {
            throw new ModelError({
              message: `logLikelihood: latent site "${site.name}" has no draws in posteriorSamples (sites given: ${names.join(", ")})`,
              site: site.name,
            });
          }
          continue;
        }
        const logProb = scaleAndMask(site.fn.logProb(site.value), null, site.mask);
        out[site.name] = {
          shape: logProb.shape.slice(),
          data: Float64Array.from(readFloat64(logProb)),
        };
      }
      return out;
    }),
  );
}
