/**
 * Draws of one scalar quantity grouped by chain, and the small statistics every diagnostic in
 * this folder shares (pooling, splitting, means, variances). Splitting follows Vehtari et al.
 * (2021), "Rank-normalization, folding, and localization: an improved R-hat for assessing
 * convergence of MCMC", Bayesian Analysis 16(2): each chain is cut into its first and second
 * half, and with an odd length the middle draw is dropped, as the R package `posterior` does.
 */

/** Draws of one scalar, one array per chain, every chain the same length. */
export type Chains = ReadonlyArray<ArrayLike<number>>;

/**
 * Checks `chains` and copies it into Float64Arrays. `api` names the calling function in errors.
 *
 * @example
 * toChainArrays([[1, 2, 3], [4, 5, 6]], "rhat"); // [Float64Array [1,2,3], Float64Array [4,5,6]]
 */
export function toChainArrays(chains: Chains, api: string): Float64Array[] {
  if (!Array.isArray(chains) || chains.length === 0) {
    throw new TypeError(
      `${api}: chains must be a non-empty array with one array of draws per chain, got ${describe(chains)}`,
    );
  }
  const length = chains[0]?.length;
  const out: Float64Array[] = [];
  for (let c = 0; c < chains.length; c++) {
    const chain = chains[c];
    if (chain == null || typeof chain.length !== "number") {
      throw new TypeError(
        `${api}: chains[${c}] must be an array of numbers, got ${describe(chain)}`,
      );
    }
    if (chain.length !== length) {
      const lengths = chains.map((x) => x?.length).join(", ");
      throw new RangeError(`${api}: all chains must have the same length, got lengths ${lengths}`);
    }
    out.push(Float64Array.from(chain));
  }
  if (length === 0) throw new RangeError(`${api}: chains must hold at least one draw, got 0`);
  return out;
}

function describe(x: unknown): string {
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  return x === null ? "null" : typeof x;
}

/** All draws of all chains in one array, chain after chain. */
export function pool(chains: readonly Float64Array[]): Float64Array {
  const total = chains.reduce((n, c) => n + c.length, 0);
  const out = new Float64Array(total);
  let offset = 0;
  for (const chain of chains) {
    out.set(chain, offset);
    offset += chain.length;
  }
  return out;
}

/** Each chain cut into two halves (the middle draw dropped when the length is odd). */
export function splitChains(chains: readonly Float64Array[]): Float64Array[] {
  const n = chains[0].length;
  if (n === 1) return chains.slice();
  const half = Math.floor(n / 2);
  const out: Float64Array[] = [];
  for (const chain of chains) out.push(chain.subarray(0, half));
  for (const chain of chains) out.push(chain.subarray(n - half));
  return out;
}

/** Applies `f` to every draw, keeping the chain structure. */
export function mapDraws(
  chains: readonly Float64Array[],
  f: (value: number) => number,
): Float64Array[] {
  return chains.map((chain) => chain.map(f));
}

/** Arithmetic mean. */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Sample variance with denominator n - 1 (as R's `var`). */
export function sampleVariance(values: ArrayLike<number>): number {
  const m = mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] - m) ** 2;
  return sum / (values.length - 1);
}

/**
 * Whether the diagnostics of `posterior` would answer NA: a non-finite draw, or all draws equal
 * (within double precision, as `posterior`'s `is_constant`).
 */
export function isDegenerate(chains: readonly Float64Array[]): boolean {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const chain of chains) {
    for (let i = 0; i < chain.length; i++) {
      const v = chain[i];
      if (!Number.isFinite(v)) return true;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return Math.abs(hi - lo) < Number.EPSILON;
}
