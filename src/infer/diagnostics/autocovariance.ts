/**
 * Autocovariances at every lag with the "biased" estimator that Geyer (1992, "Practical Markov
 * chain Monte Carlo", Statistical Science 7) recommends: gamma(t) = (1/N) sum_i (x_i - m)(x_{i+t}
 * - m). Computed through an FFT of the zero-padded, centred sequence (Wiener-Khinchin).
 */
import { fft, nextPowerOfTwo } from "./fft.js";

/**
 * Autocovariance of `values` at lags 0 .. N-1.
 *
 * @example
 * autocovariance(Float64Array.of(1, -1, 1, -1)); // [1, -0.75, 0.5, -0.25]
 */
export function autocovariance(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  // Padding to at least 2N makes the circular correlation equal the linear one.
  const size = nextPowerOfTwo(2 * n);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < n; i++) re[i] = values[i] - mean;
  fft(re, im, -1);
  for (let k = 0; k < size; k++) {
    re[k] = re[k] * re[k] + im[k] * im[k];
    im[k] = 0;
  }
  fft(re, im, 1);
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) out[t] = re[t] / size / n;
  return out;
}
