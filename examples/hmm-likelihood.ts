/**
 * The marginal likelihood of the PyMC example "How to wrap a JAX function for use in PyMC":
 * a 3-state hidden Markov model with Normal((state + 1) * signal, noise) emissions, the hidden
 * states summed out by the forward algorithm on the log scale.
 *
 * Two versions, which must agree in value and gradient:
 *   (a) `hmmLogLikelihoodTf`: written with tfjs ops as a user would (a loop over time,
 *       logSumExp over the previous state); every engine differentiates it as it is.
 *       `hmmLogLikelihoodScan` is the same recursion as `scan` over time, as the notebook's JAX
 *       code writes it with lax.scan: traced once, whatever the number of time steps.
 *   (b) `hmmLogLikelihoodOp`: one custom op whose forward is the forward algorithm in plain
 *       JavaScript over Float64Array and whose VJP is the backward pass, the notebook's
 *       "wrap an external function with its gradient" pattern; `hmmLogLikelihoodValueAndGrad`
 *       is its "single op that returns value and gradients together" variant.
 */

import { defineOp } from "../src/compile/index.js";
import { constant, scan, tf } from "../src/index.js";

/** Number of hidden states. */
export const NUM_STATES = 3;

/**
 * (a) The log-likelihood of every sequence, summed, in tfjs ops.
 *
 * @param y observations, shape [sequences, time] (made with `constant`, to keep them float64)
 * @param pInitial initial-state probabilities, shape [3]
 * @param pTransition transition matrix, row j = from state j, shape [3, 3]
 */
export function hmmLogLikelihoodTf(
  signal: tf.Tensor,
  noise: tf.Tensor,
  pInitial: tf.Tensor,
  pTransition: tf.Tensor,
  y: tf.Tensor,
): tf.Tensor {
  const steps = tf.unstack(emissionLogDensities(signal, noise, y), 1); // T tensors of [N, 3]
  const logTransition = tf.log(pTransition);
  let alpha = tf.add(tf.log(pInitial), steps[0]); // [N, 3]
  for (let t = 1; t < steps.length; t++) alpha = forwardStep(alpha, logTransition, steps[t]);
  return tf.sum(tf.logSumExp(alpha, 1));
}

/**
 * (a') The same log-likelihood with the recursion over time as `scan`: `yield*` it in a model.
 *
 * @example
 * function* model(y: tf.Tensor) {
 *   const signal = yield* sample("signal", Normal(0, 1));
 *   const noise = yield* sample("noise", HalfNormal(1));
 *   const p0 = yield* sample("p0", Dirichlet([1, 1, 1]));
 *   const P = yield* sample("P", Dirichlet(constant([[1, 1, 1], [1, 1, 1], [1, 1, 1]])));
 *   yield* factor("emission", yield* hmmLogLikelihoodScan(signal, noise, p0, P, y));
 * }
 */
export function* hmmLogLikelihoodScan(
  signal: tf.Tensor,
  noise: tf.Tensor,
  pInitial: tf.Tensor,
  pTransition: tf.Tensor,
  y: tf.Tensor,
) {
  // Time first: [T, N, 3], the axis scan slices.
  const steps = tf.transpose(emissionLogDensities(signal, noise, y), [1, 0, 2]);
  const [first, rest] = tf.split(steps, [1, steps.shape[0] - 1], 0);
  const logTransition = tf.log(pTransition);
  const [alpha] = yield* scan(
    // biome-ignore lint/correctness/useYield: scan takes a generator; this step has no sites.
    function* (alpha: tf.Tensor, emission: tf.Tensor) {
      return [forwardStep(alpha, logTransition, emission), null];
    },
    tf.add(tf.log(pInitial), tf.squeeze(first, [0])),
    rest,
  );
  return tf.sum(tf.logSumExp(alpha, 1));
}

/** Emission log-densities for every sequence, time and state: [N, T, 3]. */
function emissionLogDensities(signal: tf.Tensor, noise: tf.Tensor, y: tf.Tensor): tf.Tensor {
  const means = tf.mul(signal, constant([1, 2, 3])); // [3]
  const z = tf.div(tf.sub(tf.expandDims(y, -1), means), noise);
  // Numbers go through `constant` so that the compiled engine computes with their float64
  // values (a plain JS number reaches tfjs as float32).
  return tf.sub(
    tf.mul(-0.5, tf.square(z)),
    tf.add(tf.log(noise), constant(0.5 * Math.log(2 * Math.PI))),
  );
}

/** alpha'[n, k] = logsumexp_j(alpha[n, j] + log P[j, k]) + emission[n, k]. */
function forwardStep(alpha: tf.Tensor, logTransition: tf.Tensor, emission: tf.Tensor): tf.Tensor {
  return tf.add(tf.logSumExp(tf.add(tf.expandDims(alpha, 2), logTransition), 1), emission);
}

/** Forward and backward log-messages of every sequence, and the log-likelihood. */
function forwardBackward(
  signal: number,
  noise: number,
  p0: Float64Array,
  P: Float64Array,
  y: Float64Array,
  T: number,
) {
  const K = NUM_STATES;
  const N = y.length / T;
  const logP0 = p0.map(Math.log);
  const logP = P.map(Math.log);
  const logNorm = -Math.log(noise) - 0.5 * Math.log(2 * Math.PI);
  const emission = new Float64Array(N * T * K);
  for (let i = 0; i < N * T; i++) {
    for (let k = 0; k < K; k++) {
      const r = (y[i] - (k + 1) * signal) / noise;
      emission[i * K + k] = logNorm - 0.5 * r * r;
    }
  }
  const alpha = new Float64Array(N * T * K);
  const beta = new Float64Array(N * T * K);
  const terms = new Float64Array(K);
  let total = 0;
  for (let n = 0; n < N; n++) {
    const base = n * T * K;
    for (let k = 0; k < K; k++) alpha[base + k] = logP0[k] + emission[base + k];
    for (let t = 1; t < T; t++) {
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < K; j++) terms[j] = alpha[base + (t - 1) * K + j] + logP[j * K + k];
        alpha[base + t * K + k] = logSumExp(terms) + emission[base + t * K + k];
      }
    }
    for (let k = 0; k < K; k++) beta[base + (T - 1) * K + k] = 0;
    for (let t = T - 2; t >= 0; t--) {
      for (let j = 0; j < K; j++) {
        for (let k = 0; k < K; k++)
          terms[k] =
            logP[j * K + k] + emission[base + (t + 1) * K + k] + beta[base + (t + 1) * K + k];
        beta[base + t * K + j] = logSumExp(terms);
      }
    }
    total += logSumExp(alpha.subarray(base + (T - 1) * K, base + T * K));
  }
  return { total, alpha, beta, emission, logP, N };
}

/** The gradient of the total log-likelihood from the forward and backward messages. */
function gradients(
  signal: number,
  noise: number,
  p0: Float64Array,
  P: Float64Array,
  y: Float64Array,
  T: number,
) {
  const K = NUM_STATES;
  const { total, alpha, beta, emission, logP, N } = forwardBackward(signal, noise, p0, P, y, T);
  let dSignal = 0;
  let dNoise = 0;
  const dP0 = new Float64Array(K);
  const dP = new Float64Array(K * K);
  for (let n = 0; n < N; n++) {
    const base = n * T * K;
    const ll = logSumExp(alpha.subarray(base + (T - 1) * K, base + T * K));
    for (let t = 0; t < T; t++) {
      const yt = y[n * T + t];
      for (let k = 0; k < K; k++) {
        // gamma: posterior probability of state k at time t.
        const gamma = Math.exp(alpha[base + t * K + k] + beta[base + t * K + k] - ll);
        const r = yt - (k + 1) * signal;
        dSignal += (gamma * r * (k + 1)) / (noise * noise);
        dNoise += gamma * (-1 / noise + (r * r) / noise ** 3);
        if (t === 0) dP0[k] += gamma / p0[k];
        else {
          // xi: posterior probability of the transition j -> k between t-1 and t.
          for (let j = 0; j < K; j++) {
            const xi = Math.exp(
              alpha[base + (t - 1) * K + j] +
                logP[j * K + k] +
                emission[base + t * K + k] +
                beta[base + t * K + k] -
                ll,
            );
            dP[j * K + k] += xi / P[j * K + k];
          }
        }
      }
    }
  }
  return { total, dSignal, dNoise, dP0, dP };
}

function logSumExp(x: ArrayLike<number>): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) max = Math.max(max, x[i]);
  if (!Number.isFinite(max)) return max;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i] - max);
  return max + Math.log(s);
}

const inputs = ["signal", "noise", "pInitial", "pTransition", "y"];

/**
 * (b) The log-likelihood as one custom op: forward algorithm forward, backward pass VJP.
 *
 * @example
 * yield* factor("emission", hmmLogLikelihoodOp(signal, noise, pInitial, pTransition, y));
 */
export const hmmLogLikelihoodOp = defineOp({
  name: "hmmLogLikelihood",
  inputs,
  outputShape: () => [],
  forward: ([signal, noise, p0, P, y], shapes) =>
    Float64Array.of(forwardBackward(signal[0], noise[0], p0, P, y, shapes[4][1]).total),
  vjp: ([signal, noise, p0, P, y], shapes, _output, dy) => {
    const g = gradients(signal[0], noise[0], p0, P, y, shapes[4][1]);
    return [
      Float64Array.of(dy[0] * g.dSignal),
      Float64Array.of(dy[0] * g.dNoise),
      g.dP0.map((v) => dy[0] * v),
      g.dP.map((v) => dy[0] * v),
      null, // the data are not differentiated
    ];
  },
});

/**
 * (b') The same op in the "returns value and gradients together" form: one forward-backward
 * pass per evaluation gives both, and the gradient rule just scales them.
 */
export const hmmLogLikelihoodValueAndGrad = defineOp({
  name: "hmmLogLikelihoodValueAndGrad",
  inputs,
  valueAndGrad: ([signal, noise, p0, P, y], shapes) => {
    const g = gradients(signal[0], noise[0], p0, P, y, shapes[4][1]);
    return {
      value: g.total,
      grads: [Float64Array.of(g.dSignal), Float64Array.of(g.dNoise), g.dP0, g.dP, null],
    };
  },
});
