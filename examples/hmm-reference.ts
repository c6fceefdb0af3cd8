/**
 * The HMM tests' reference: the log-likelihood of examples/hmm.ts computed independently in
 * plain float64 JavaScript, by the scaled (not log-space) forward algorithm:
 * log L = sum_t log c_t with c_t the normalizer of the filtered state probabilities.
 */

/**
 * The log-likelihood of the 3-state HMM with Normal((state + 1) * signal, noise) emissions,
 * initial state probabilities `p0` and transition matrix `P`, summed over the sequences.
 *
 * @example
 * const third = [1 / 3, 1 / 3, 1 / 3];
 * plainLogLikelihood(1.15, 0.15, third, [third, third, third], [[1.2, 2.3]]);
 */
export function plainLogLikelihood(
  signal: number,
  noise: number,
  p0: number[],
  P: number[][],
  sequences: number[][],
): number {
  const density = (y: number, k: number) =>
    Math.exp(-0.5 * ((y - (k + 1) * signal) / noise) ** 2) / (noise * Math.sqrt(2 * Math.PI));
  let total = 0;
  for (const y of sequences) {
    let filtered = [0, 1, 2].map((k) => p0[k] * density(y[0], k));
    for (let t = 0; t < y.length; t++) {
      if (t > 0) {
        filtered = [0, 1, 2].map(
          (k) => density(y[t], k) * [0, 1, 2].reduce((s, j) => s + filtered[j] * P[j][k], 0),
        );
      }
      const c = filtered.reduce((a, b) => a + b, 0);
      total += Math.log(c);
      filtered = filtered.map((f) => f / c);
    }
  }
  return total;
}
