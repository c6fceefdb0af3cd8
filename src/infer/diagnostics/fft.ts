/**
 * An in-place iterative radix-2 fast Fourier transform (Cooley & Tukey 1965) over separate
 * real and imaginary arrays whose length is a power of two. Used for autocovariances.
 */

/** The smallest power of two that is at least `n`. */
export function nextPowerOfTwo(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}

/**
 * Transforms (re, im) in place: forward with sign -1, unnormalized inverse with sign +1.
 *
 * @example
 * const re = Float64Array.of(1, 0, 0, 0), im = new Float64Array(4);
 * fft(re, im, -1); // re = [1, 1, 1, 1]
 */
export function fft(re: Float64Array, im: Float64Array, sign: 1 | -1): void {
  const n = re.length;
  if ((n & (n - 1)) !== 0 || im.length !== n) {
    throw new RangeError(`fft: length must be a power of two shared by re and im, got ${n}`);
  }
  // Bit-reversal permutation.
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (let size = 2; size <= n; size *= 2) {
    const angle = (sign * 2 * Math.PI) / size;
    const half = size / 2;
    for (let k = 0; k < half; k++) {
      const wr = Math.cos(angle * k);
      const wi = Math.sin(angle * k);
      for (let start = 0; start < n; start += size) {
        const a = start + k;
        const b = a + half;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
}
