/**
 * The cost of the low-rank metric estimate (fisher-metric.ts), which low-rank adaptation runs
 * about 60 times per chain's warmup: the SPD geometric mean of two d x d matrices (through a
 * Cholesky factor and one symmetric eigendecomposition, on flat arrays) against the formula
 * B^{-1/2} (B^{1/2} A B^{1/2})^{1/2} B^{-1/2} with ml-matrix's EigenvalueDecomposition and mmul
 * (what fisher-metric.ts used before), measured in the same run
 * (CPU microseconds per call), and the whole estimate from 200 draws. The two means are checked
 * to agree (relative 1e-8) before anything is timed.
 *
 *   npx tsx bench/low-rank-estimate.ts
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { lowRankFisherEstimate, spdMean } from "../src/infer/nuts/fisher-metric.js";

/** M = B^{-1/2} (B^{1/2} A B^{1/2})^{1/2} B^{-1/2} with ml-matrix (the baseline). */
function spdMeanMlMatrix(a: Matrix, b: Matrix): Matrix {
  const spectral = (m: Matrix, f: (v: number) => number) => {
    const eig = new EigenvalueDecomposition(m, { assumeSymmetric: true });
    const v = eig.eigenvectorMatrix;
    const scaled = v.clone();
    eig.realEigenvalues.forEach((value, j) => {
      for (let i = 0; i < v.rows; i++) scaled.set(i, j, v.get(i, j) * f(value));
    });
    return scaled.mmul(v.transpose());
  };
  const bSqrt = spectral(b, Math.sqrt);
  const bInvSqrt = spectral(b, (v) => 1 / Math.sqrt(v));
  const innerSqrt = spectral(bSqrt.mmul(a).mmul(bSqrt), (v) => Math.sqrt(Math.max(v, 0)));
  return bInvSqrt.mmul(innerSqrt).mmul(bInvSqrt);
}

/** A random SPD matrix C C^T / d + I from a seeded generator. */
function randomSpd(d: number, seed: number): Float64Array {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  };
  const c = Float64Array.from({ length: d * d }, next);
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += c[i * d + k] * c[j * d + k];
      out[i * d + j] = s / d + (i === j ? 1 : 0);
    }
  }
  return out;
}

function cpuMicroseconds(f: () => void, calls: number): number {
  for (let i = 0; i < Math.min(calls, 50); i++) f(); // warm the JIT
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) f();
  return process.cpuUsage(start).user / calls;
}

const toMatrix = (flat: Float64Array, d: number) =>
  new Matrix(Array.from({ length: d }, (_, i) => Array.from(flat.subarray(i * d, (i + 1) * d))));

console.log("| d | spdMean flat (us) | ml-matrix (us) | ratio | whole estimate, 200 draws (us) |");
console.log("|---|---|---|---|---|");
for (const d of [10, 20, 50, 100]) {
  const a = randomSpd(d, 1 + d);
  const b = randomSpd(d, 2 + d);
  const flat = spdMean(a, b, d);
  const reference = spdMeanMlMatrix(toMatrix(a, d), toMatrix(b, d)).to1DArray();
  const error = Math.max(...reference.map((v, i) => Math.abs(v - flat[i]) / (1 + Math.abs(v))));
  if (!(error < 1e-8)) throw new Error(`spdMean disagrees with ml-matrix at d = ${d}: ${error}`);
  const calls = Math.max(20, Math.round(200000 / d ** 2));
  const flatUs = cpuMicroseconds(() => spdMean(a, b, d), calls);
  const [ma, mb] = [toMatrix(a, d), toMatrix(b, d)];
  const mlUs = cpuMicroseconds(() => spdMeanMlMatrix(ma, mb), calls);
  let state = d;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  };
  const x = Array.from({ length: 200 }, () => Float64Array.from({ length: d }, next));
  const g = x.map((row) => row.map((v, i) => v / (1 + i) + 0.1 * next()));
  const estimateUs = cpuMicroseconds(
    () => lowRankFisherEstimate(x, g, { gamma: 1e-5, eigvalCutoff: 2, varianceFloor: 0 }),
    Math.max(10, Math.round(calls / 4)),
  );
  console.log(
    `| ${d} | ${flatUs.toFixed(1)} | ${mlUs.toFixed(1)} | ${(mlUs / flatUs).toFixed(2)}x | ${estimateUs.toFixed(1)} |`,
  );
}
