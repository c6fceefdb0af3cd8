/**
 * Time per gradient of four log densities, measured in one run: the compiled engine against
 * hand-written float64 code with hand-derived gradients (for logistic regression also against a
 * version tuned for speed), and eager tfjs against the compiled engine. Not part of the tests;
 * run with `npx tsx bench/gradient.ts` (add `--print-source` to see the emitted code of each
 * case, `--only=logistic` to run the cases whose name contains it, `--no-eager` to skip eager).
 *
 * Targets (DESIGN.md section 4): compiled / hand-written <= 3 for eight schools, <= 1.5 for
 * the HMM, logistic regression and the dense products.
 *
 * Under tsx every typed-array loop here, compiled or hand-written, runs about 1.3x slower than
 * under plain node: tsx's module loader detaches an ArrayBuffer in the main thread, which turns
 * off V8's ArrayBufferDetaching protector (see `node --trace-protector-invalidation`), so
 * optimized code checks each array access. Ratios within a run stay fair; for absolute times,
 * bundle the bench and run it with node:
 *
 *     npx esbuild bench/gradient.ts --bundle --platform=node --format=esm --packages=external \
 *       --outfile=scratch/gradient.mjs && node scratch/gradient.mjs
 */
import { readFileSync } from "node:fs";
import { compileObjective } from "../src/compile/index.js";
import { rememberFloat64, tf } from "../src/tf.js";

const SHARED = new URL("../../shared/", import.meta.url);
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * A float32 tensor that remembers its float64 values (what `constant` is meant to do). Computed
 * constants go through it: a plain JS number given to a tfjs op reaches the compiler as float32
 * (only short decimals such as 0.1 are recovered exactly).
 */
function data(values: number[], shape: number[]): tf.Tensor {
  const f64 = Float64Array.from(values);
  return rememberFloat64(tf.tensor(Float32Array.from(f64), shape), f64);
}

/** log N(x | loc, scale), elementwise, written with tfjs ops as model code would. */
function normalLogPdf(x: tf.Tensor, loc: tf.Tensor | number, scale: tf.Tensor | number): tf.Tensor {
  const z = tf.div(tf.sub(x, loc), scale);
  return tf.sub(tf.sub(tf.mul(-0.5, tf.square(z)), tf.log(scale)), data([HALF_LOG_2PI], []));
}

function element(q: tf.Tensor, i: number): tf.Tensor {
  return tf.reshape(tf.slice(q, [i], [1]), []);
}

interface Case {
  name: string;
  dim: number;
  target: number;
  /** U(q) = -log density, in tfjs. */
  potential: (q: tf.Tensor) => tf.Tensor;
  /** The same, hand-written, returning U and writing dU/dq. */
  handWritten: (q: Float64Array, grad: Float64Array) => number;
  /** The same, hand-written and tuned for speed, where the plain version is not. */
  tuned?: (q: Float64Array, grad: Float64Array) => number;
  point: Float64Array;
}

// --- Eight schools, non-centred: q = [mu, log tau, eta_1..8] ---------------------------------
function eightSchools(): Case {
  const raw = JSON.parse(
    readFileSync(
      new URL("posteriordb/eight_schools-eight_schools_noncentered/data.json", SHARED),
      "utf8",
    ),
  ) as { J: number; y: number[]; sigma: number[] };
  const J = raw.J;
  const y = data(raw.y, [J]);
  const sigma = data(raw.sigma, [J]);
  const logHalfCauchyNorm = Math.log(2 / (Math.PI * 5));
  const potential = (q: tf.Tensor) => {
    const mu = element(q, 0);
    const logTau = element(q, 1);
    const eta = tf.slice(q, [2], [J]);
    const tau = tf.exp(logTau);
    const theta = tf.add(mu, tf.mul(tau, eta));
    const lpMu = normalLogPdf(mu, 0, 5);
    const lpTau = tf.add(
      tf.sub(data([logHalfCauchyNorm], []), tf.log1p(tf.square(tf.div(tau, 5)))),
      logTau,
    );
    const lpEta = tf.sum(normalLogPdf(eta, 0, 1));
    const lpY = tf.sum(normalLogPdf(y, theta, sigma));
    return tf.neg(tf.addN([lpMu, lpTau, lpEta, lpY]));
  };
  const ys = Float64Array.from(raw.y);
  const sigmas = Float64Array.from(raw.sigma);
  const handWritten = (q: Float64Array, grad: Float64Array): number => {
    const mu = q[0];
    const logTau = q[1];
    const tau = Math.exp(logTau);
    let lp = -0.5 * (mu / 5) ** 2 - Math.log(5) - HALF_LOG_2PI;
    let dMu = -mu / 25;
    const r = tau / 5;
    lp += logHalfCauchyNorm - Math.log1p(r * r) + logTau;
    let dLogTau = ((-2 * r) / (1 + r * r)) * r + 1;
    for (let j = 0; j < J; j++) {
      const eta = q[2 + j];
      const s = sigmas[j];
      const z = (ys[j] - mu - tau * eta) / s;
      lp += -0.5 * eta * eta - HALF_LOG_2PI - 0.5 * z * z - Math.log(s) - HALF_LOG_2PI;
      const dTheta = z / s;
      dMu += dTheta;
      dLogTau += dTheta * eta * tau;
      grad[2 + j] = -(-eta + dTheta * tau);
    }
    grad[0] = -dMu;
    grad[1] = -dLogTau;
    return -lp;
  };
  const point = Float64Array.from({ length: J + 2 }, (_, i) => 0.3 * Math.sin(i + 1));
  return {
    name: "eight schools (non-centred)",
    dim: J + 2,
    target: 3,
    potential,
    handWritten,
    point,
  };
}

// --- Marginal HMM of the PyMC notebook -------------------------------------------------------
// q = [signal, log noise, 3 initial logits, 9 transition logits (row j: from state j)].
function hmm(): Case {
  const raw = JSON.parse(readFileSync(new URL("data/hmm_data.json", SHARED), "utf8")) as {
    emission_observed: number[][];
  };
  const N = raw.emission_observed.length;
  const T = raw.emission_observed[0].length;
  const K = 3;
  const flat = raw.emission_observed.flat();
  const y = data(flat, [N, T, 1]);
  const states = data([1, 2, 3], [K]);
  const logHalfNormalNorm = Math.log(2) - HALF_LOG_2PI;
  const potential = (q: tf.Tensor) => {
    const signal = element(q, 0);
    const logNoise = element(q, 1);
    const noise = tf.exp(logNoise);
    const logP0 = tf.logSoftmax(tf.slice(q, [2], [K]));
    const logP = tf.logSoftmax(tf.reshape(tf.slice(q, [2 + K], [K * K]), [K, K]));
    const emission = normalLogPdf(y, tf.mul(states, signal), noise); // [N, T, K]
    const at = (t: number) => tf.reshape(tf.slice(emission, [0, t, 0], [N, 1, K]), [N, K]);
    let alpha = tf.add(logP0, at(0));
    for (let t = 1; t < T; t++) {
      alpha = tf.add(tf.logSumExp(tf.add(tf.expandDims(alpha, 2), logP), 1), at(t));
    }
    const logLik = tf.sum(tf.logSumExp(alpha, 1));
    const logPrior = tf.addN([
      normalLogPdf(signal, 0, 1),
      tf.add(tf.sub(data([logHalfNormalNorm], []), tf.mul(0.5, tf.square(noise))), logNoise),
      tf.sum(normalLogPdf(tf.slice(q, [2], [K + K * K]), 0, 1)),
    ]);
    return tf.neg(tf.add(logLik, logPrior));
  };

  const ys = Float64Array.from(flat);
  const alpha = new Float64Array(N * T * K); // log forward variables
  const weights = new Float64Array(N * T * K * K); // w[n,t,k,j] = p(state j at t-1 | state k at t, y)
  const dAlpha = new Float64Array(K);
  const dPrev = new Float64Array(K);
  const logP0 = new Float64Array(K);
  const logP = new Float64Array(K * K);
  const dLogP0 = new Float64Array(K);
  const dLogP = new Float64Array(K * K);
  const logSoftmaxInto = (
    src: Float64Array,
    offset: number,
    out: Float64Array,
    outOffset: number,
  ) => {
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < K; i++) max = Math.max(max, src[offset + i]);
    let total = 0;
    for (let i = 0; i < K; i++) total += Math.exp(src[offset + i] - max);
    const lse = max + Math.log(total);
    for (let i = 0; i < K; i++) out[outOffset + i] = src[offset + i] - lse;
  };
  const handWritten = (q: Float64Array, grad: Float64Array): number => {
    const signal = q[0];
    const logNoise = q[1];
    const noise = Math.exp(logNoise);
    logSoftmaxInto(q, 2, logP0, 0);
    for (let j = 0; j < K; j++) logSoftmaxInto(q, 2 + K + j * K, logP, j * K);
    const emissionConst = -logNoise - HALF_LOG_2PI;
    const emission = (n: number, t: number, k: number) => {
      const z = (ys[n * T + t] - (k + 1) * signal) / noise;
      return -0.5 * z * z + emissionConst;
    };
    dLogP0.fill(0);
    dLogP.fill(0);
    let dSignal = 0;
    let dLogNoise = 0;
    const addEmissionGrad = (n: number, t: number, k: number, g: number) => {
      const z = (ys[n * T + t] - (k + 1) * signal) / noise;
      dSignal += (g * z * (k + 1)) / noise;
      dLogNoise += g * (z * z - 1);
    };
    let logLik = 0;
    for (let n = 0; n < N; n++) {
      const base = n * T * K;
      for (let k = 0; k < K; k++) alpha[base + k] = logP0[k] + emission(n, 0, k);
      for (let t = 1; t < T; t++) {
        const prev = base + (t - 1) * K;
        const cur = base + t * K;
        for (let k = 0; k < K; k++) {
          let max = Number.NEGATIVE_INFINITY;
          for (let j = 0; j < K; j++) max = Math.max(max, alpha[prev + j] + logP[j * K + k]);
          let total = 0;
          const w = (cur * K + k * K) | 0;
          for (let j = 0; j < K; j++) {
            const e = Math.exp(alpha[prev + j] + logP[j * K + k] - max);
            weights[w + j] = e;
            total += e;
          }
          for (let j = 0; j < K; j++) weights[w + j] /= total;
          alpha[cur + k] = max + Math.log(total) + emission(n, t, k);
        }
      }
      const last = base + (T - 1) * K;
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < K; k++) max = Math.max(max, alpha[last + k]);
      let total = 0;
      for (let k = 0; k < K; k++) total += Math.exp(alpha[last + k] - max);
      const lse = max + Math.log(total);
      logLik += lse;
      // Backward: adjoints of alpha from the last step to the first.
      for (let k = 0; k < K; k++) dAlpha[k] = Math.exp(alpha[last + k] - lse);
      for (let t = T - 1; t >= 1; t--) {
        dPrev.fill(0);
        const cur = base + t * K;
        for (let k = 0; k < K; k++) {
          const g = dAlpha[k];
          addEmissionGrad(n, t, k, g);
          const w = cur * K + k * K;
          for (let j = 0; j < K; j++) {
            const gw = g * weights[w + j];
            dPrev[j] += gw;
            dLogP[j * K + k] += gw;
          }
        }
        dAlpha.set(dPrev);
      }
      for (let k = 0; k < K; k++) {
        addEmissionGrad(n, 0, k, dAlpha[k]);
        dLogP0[k] += dAlpha[k];
      }
    }
    // Priors, then the chain rule through the log-softmaxes.
    let logPrior = -0.5 * signal * signal - HALF_LOG_2PI;
    dSignal -= signal;
    logPrior += logHalfNormalNorm - 0.5 * noise * noise + logNoise;
    dLogNoise += -noise * noise + 1;
    const softmaxBack = (
      logp: Float64Array,
      offset: number,
      g: Float64Array,
      gOffset: number,
      out: number,
    ) => {
      let total = 0;
      for (let i = 0; i < K; i++) total += g[gOffset + i];
      for (let i = 0; i < K; i++)
        grad[out + i] = -(g[gOffset + i] - Math.exp(logp[offset + i]) * total);
    };
    softmaxBack(logP0, 0, dLogP0, 0, 2);
    for (let j = 0; j < K; j++) softmaxBack(logP, j * K, dLogP, j * K, 2 + K + j * K);
    for (let i = 2; i < 2 + K + K * K; i++) {
      logPrior += -0.5 * q[i] * q[i] - HALF_LOG_2PI;
      grad[i] += q[i];
    }
    grad[0] = -dSignal;
    grad[1] = -dLogNoise;
    return -(logLik + logPrior);
  };
  const point = Float64Array.of(
    1.0,
    Math.log(0.5),
    0.1,
    -0.2,
    0.3,
    1.5,
    -0.5,
    0.1,
    -0.4,
    1.2,
    0.2,
    0.1,
    -0.3,
    1.1,
  );
  return {
    name: "HMM (PyMC notebook, 70x51, 3 states)",
    dim: 14,
    target: 1.5,
    potential,
    handWritten,
    point,
  };
}

/**
 * Logistic regression's U and dU/dq, hand-written and tuned: three passes (X beta with four
 * accumulators; the Bernoulli terms from one exp; X^T r streaming rows of X four at a time).
 * One fused pass per row measured 1.8x slower. Arrays and sizes are arguments: read from a
 * closure, they made it 1.2x slower.
 */
function tunedLogistic(
  xs: Float64Array,
  ys: Float64Array,
  N: number,
  D: number,
  eta: Float64Array,
  residual: Float64Array,
  q: Float64Array,
  grad: Float64Array,
): number {
  let lp = 0;
  for (let i = 0; i <= D; i++) {
    lp += -0.5 * q[i] * q[i] - HALF_LOG_2PI;
    grad[i] = q[i];
  }
  for (let n = 0; n < N; n++) {
    const row = n * D;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let d = 0;
    for (; d + 3 < D; d += 4) {
      s0 += xs[row + d] * q[1 + d];
      s1 += xs[row + d + 1] * q[2 + d];
      s2 += xs[row + d + 2] * q[3 + d];
      s3 += xs[row + d + 3] * q[4 + d];
    }
    for (; d < D; d++) s0 += xs[row + d] * q[1 + d];
    eta[n] = s0 + s1 + (s2 + s3);
  }
  const alpha = q[0];
  let dAlpha = 0;
  for (let n = 0; n < N; n++) {
    const t = alpha + eta[n];
    const e = Math.exp(-Math.abs(t)); // softplus and sigmoid from one exp
    lp += ys[n] * t - (Math.max(t, 0) + Math.log1p(e));
    const r = (t >= 0 ? 1 / (1 + e) : e / (1 + e)) - ys[n];
    residual[n] = r;
    dAlpha += r;
  }
  grad[0] += dAlpha;
  let n = 0;
  for (; n + 3 < N; n += 4) {
    const row = n * D;
    const r0 = residual[n];
    const r1 = residual[n + 1];
    const r2 = residual[n + 2];
    const r3 = residual[n + 3];
    for (let d = 0; d < D; d++) {
      grad[1 + d] +=
        xs[row + d] * r0 +
        xs[row + D + d] * r1 +
        (xs[row + 2 * D + d] * r2 + xs[row + 3 * D + d] * r3);
    }
  }
  for (; n < N; n++) for (let d = 0; d < D; d++) grad[1 + d] += xs[n * D + d] * residual[n];
  return -lp;
}

// --- Logistic regression, 5000 x 20: q = [alpha, beta_1..20] ----------------------------------
function logistic(): Case {
  const raw = JSON.parse(readFileSync(new URL("data/logistic_5000x20.json", SHARED), "utf8")) as {
    N: number;
    D: number;
    X: number[][];
    y: number[];
  };
  const { N, D } = raw;
  const X = data(raw.X.flat(), [N, D]);
  const y = data(raw.y, [N]);
  const potential = (q: tf.Tensor) => {
    const alpha = element(q, 0);
    const beta = tf.slice(q, [1], [D]);
    const eta = tf.add(alpha, tf.reshape(tf.matMul(X, tf.reshape(beta, [D, 1])), [N]));
    const logLik = tf.sum(tf.sub(tf.mul(y, eta), tf.softplus(eta)));
    const logPrior = tf.sum(normalLogPdf(q, 0, 1));
    return tf.neg(tf.add(logLik, logPrior));
  };
  const xs = Float64Array.from(raw.X.flat());
  const ys = Float64Array.from(raw.y);
  const handWritten = (q: Float64Array, grad: Float64Array): number => {
    let lp = 0;
    for (let i = 0; i <= D; i++) {
      lp += -0.5 * q[i] * q[i] - HALF_LOG_2PI;
      grad[i] = q[i];
    }
    const alpha = q[0];
    for (let n = 0; n < N; n++) {
      const row = n * D;
      let eta = alpha;
      for (let d = 0; d < D; d++) eta += xs[row + d] * q[1 + d];
      const softplus = eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
      lp += ys[n] * eta - softplus;
      const residual = ys[n] - 1 / (1 + Math.exp(-eta));
      grad[0] -= residual;
      for (let d = 0; d < D; d++) grad[1 + d] -= residual * xs[row + d];
    }
    return -lp;
  };
  const eta = new Float64Array(N);
  const residual = new Float64Array(N);
  const tuned = (q: Float64Array, grad: Float64Array) =>
    tunedLogistic(xs, ys, N, D, eta, residual, q, grad);
  const point = Float64Array.from({ length: D + 1 }, (_, i) => 0.1 * Math.cos(i));
  return {
    name: "logistic regression (5000 x 20)",
    dim: D + 1,
    target: 1.5,
    potential,
    handWritten,
    tuned,
    point,
  };
}

// --- Dense products, 100 x 100: q = W (100 x 100), U = |A W|^2 / 2 + |W|^2 / 2 ------------------
// The matrix products of a GP-like model: A W forward, A^T (A W) in the gradient.
function denseProducts(): Case {
  const n = 100;
  const a = Float64Array.from({ length: n * n }, (_, i) => Math.sin(0.37 * i + 1) / Math.sqrt(n));
  const A = data(Array.from(a), [n, n]);
  const potential = (q: tf.Tensor) => {
    const W = tf.reshape(q, [n, n]);
    return tf.mul(0.5, tf.add(tf.sum(tf.square(tf.matMul(A, W))), tf.sum(tf.square(W))));
  };
  const c = new Float64Array(n * n);
  const handWritten = (q: Float64Array, grad: Float64Array): number => {
    c.fill(0);
    let u = 0;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) {
        const aik = a[i * n + k];
        for (let j = 0; j < n; j++) c[i * n + j] += aik * q[k * n + j];
      }
    }
    for (let t = 0; t < n * n; t++) {
      u += 0.5 * (c[t] * c[t] + q[t] * q[t]);
      grad[t] = q[t];
    }
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        const aki = a[k * n + i];
        for (let j = 0; j < n; j++) grad[i * n + j] += aki * c[k * n + j];
      }
    }
    return u;
  };
  const point = Float64Array.from({ length: n * n }, (_, i) => 0.1 * Math.cos(i));
  return {
    name: "dense products (100 x 100)",
    dim: n * n,
    target: 1.5,
    potential,
    handWritten,
    point,
  };
}

// --- Timing ------------------------------------------------------------------------------------
// The machine is shared: wall-clock timings drift with other people's load. Times are this
// process's CPU time (user + system), each round times every contender back to back, and
// ratios are taken within a round, then the median over rounds.

/** CPU microseconds per call over `calls` calls of `f`. */
function microsPerCall(f: () => void, calls: number): number {
  const t0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) f();
  const { user, system } = process.cpuUsage(t0);
  return (user + system) / calls;
}

/** How many calls of `f` take about `ms` milliseconds (after at least 50 warm-up calls). */
function callsFor(f: () => void, ms: number): number {
  const t0 = performance.now();
  let calls = 0;
  while (calls < 50 || performance.now() - t0 < ms) {
    f();
    calls++;
  }
  return Math.max(1, Math.round((calls * ms) / (performance.now() - t0)));
}

function median(xs: number[]): number {
  const sorted = xs.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Medians over rounds of each contender's CPU microseconds per call, and of the ratio of each
 * contender's time to `compiled`'s within the round. The eager engine gets a third of the calls.
 */
function timeRounds(
  contenders: Record<string, () => void>,
  rounds = 9,
  ms = 120,
): { time: Record<string, number>; overCompiled: Record<string, number> } {
  const names = Object.keys(contenders);
  const calls = names.map((k) => {
    const n = callsFor(contenders[k], ms);
    return k === "eager" ? Math.max(1, Math.round(n / 3)) : n;
  });
  const per = names.map(() => [] as number[]);
  const ratios = names.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    const times = names.map((k, i) => microsPerCall(contenders[k], calls[i]));
    const compiled = times[names.indexOf("compiled")];
    times.forEach((t, i) => {
      per[i].push(t);
      ratios[i].push(t / compiled);
    });
  }
  return {
    time: Object.fromEntries(names.map((k, i) => [k, median(per[i])])),
    overCompiled: Object.fromEntries(names.map((k, i) => [k, median(ratios[i])])),
  };
}

function eagerValueAndGrad(
  potential: (q: tf.Tensor) => tf.Tensor,
  q: Float64Array,
  grad: Float64Array,
): number {
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => potential(x))([
      tf.tensor(Float32Array.from(q)),
    ]);
    grad.set(grads[0].dataSync());
    return value.dataSync()[0];
  });
}

function main(): void {
  const printSource = process.argv.includes("--print-source");
  const rows: string[] = [];
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);
  const noEager = process.argv.includes("--no-eager");
  for (const make of [eightSchools, hmm, logistic, denseProducts]) {
    if (only !== undefined && !make.name.toLowerCase().includes(only)) continue;
    const c = make();
    const t0 = performance.now();
    const result = compileObjective(c.potential, [[c.dim]], { name: c.name, at: [c.point] });
    const compileMs = performance.now() - t0;
    if (!result.ok) {
      rows.push(`${c.name}: not compiled: ${result.reason}`);
      continue;
    }
    const compiled = result.compiled;
    if (printSource) console.log(`// ${c.name}\n${compiled.artifact.valueAndGrad.source}\n`);
    const q = c.point;
    const gradCompiled = new Float64Array(c.dim);
    const gradHand = new Float64Array(c.dim);
    const gradEager = new Float64Array(c.dim);
    const inputs = [q];
    const grads = [gradCompiled];
    const vCompiled = compiled.valueAndGrad(inputs, grads);
    const vHand = c.handWritten(q, gradHand);
    const vEager = noEager ? Number.NaN : eagerValueAndGrad(c.potential, q, gradEager);
    let worst = Math.abs(vCompiled - vHand) / Math.max(1, Math.abs(vHand));
    for (let i = 0; i < c.dim; i++) {
      worst = Math.max(
        worst,
        Math.abs(gradCompiled[i] - gradHand[i]) / Math.max(1, Math.abs(gradHand[i])),
      );
    }
    const contenders: Record<string, () => void> = {
      "hand-written": () => c.handWritten(q, gradHand),
    };
    if (c.tuned !== undefined) {
      const tuned = c.tuned;
      const gradTuned = new Float64Array(c.dim);
      const vTuned = tuned(q, gradTuned);
      worst = Math.max(worst, Math.abs(vTuned - vHand) / Math.max(1, Math.abs(vHand)));
      for (let i = 0; i < c.dim; i++) {
        worst = Math.max(
          worst,
          Math.abs(gradTuned[i] - gradHand[i]) / Math.max(1, Math.abs(gradHand[i])),
        );
      }
      contenders["tuned hand-written"] = () => tuned(q, gradTuned);
    }
    contenders.compiled = () => compiled.valueAndGrad(inputs, grads);
    if (!noEager) contenders.eager = () => eagerValueAndGrad(c.potential, q, gradEager);
    const t = timeRounds(contenders);
    const handRatio = 1 / t.overCompiled["hand-written"];
    const lines = [
      `${c.name} (dim ${c.dim})`,
      `  value: compiled ${vCompiled.toPrecision(12)}, hand-written ${vHand.toPrecision(12)}${noEager ? "" : `, eager float32 ${vEager.toPrecision(8)}`}; worst relative difference compiled (and tuned) vs hand-written ${worst.toExponential(1)}`,
      `  time per gradient (medians of 9 rounds): ${Object.entries(t.time)
        .map(([k, v]) => `${k} ${v.toFixed(2)} us`)
        .join(", ")} (compile ${compileMs.toFixed(0)} ms)`,
      `  compiled / hand-written = ${handRatio.toFixed(2)} (target <= ${c.target}: ${handRatio <= c.target ? "met" : "MISSED"})`,
    ];
    if (c.tuned !== undefined) {
      lines.push(
        `  compiled / tuned hand-written = ${(1 / t.overCompiled["tuned hand-written"]).toFixed(2)}`,
      );
    }
    if (!noEager) lines.push(`  eager / compiled = ${t.overCompiled.eager.toFixed(0)}`);
    rows.push(lines.join("\n"));
  }
  console.log(rows.join("\n\n"));
}

main();
