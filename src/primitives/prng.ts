/**
 * Counter-based random keys: threefry2x32 with 20 rounds (Salmon et al. 2011, "Parallel
 * random numbers: as easy as 1, 2, 3"), with JAX's key semantics: a key is two 32-bit words,
 * `split` derives independent keys, `foldIn` mixes data into a key, and the same key always
 * gives the same numbers. Keys are derived as in JAX's partitionable scheme: key i of a split,
 * and the bits of element i, come from threefry over the 64-bit counter i.
 */
import erfinv from "@stdlib/math-base-special-erfinv";

/** A PRNG key: two unsigned 32-bit words. Make one with `PRNGKey`. */
export type Key = Uint32Array & { readonly __key: unique symbol };

const SKEIN_PARITY = 0x1bd11bda;

/** Scratch for the two output words of threefry2x32 (every caller here copies them out at once). */
const words = new Uint32Array(2);

/** 32-bit left rotation (the result as a signed 32-bit integer). */
function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/**
 * threefry2x32-20 of one counter block under one key: the Random123 function itself.
 * Returns the two output words through `out` to avoid allocation.
 *
 * @example
 * threefry2x32(0, 0, 0, 0); // Uint32Array [0x6b200159, 0x99ba4efe]: Random123's known answer
 */
export function threefry2x32(
  k0: number,
  k1: number,
  c0: number,
  c1: number,
  out: Uint32Array = new Uint32Array(2),
): Uint32Array {
  // Unrolled, in signed 32-bit arithmetic (`| 0`: the same bits as unsigned, kept in small
  // integers): this function runs once per random word, several times per NUTS iteration.
  // Rotations 13 15 26 6 | 17 29 16 24, four rounds each; after every fourth round s = 1..5
  // the key schedule ks = [k0, k1, k0 ^ k1 ^ parity] is injected: ks[s % 3], ks[(s + 1) % 3] + s.
  const ka = k0 | 0;
  const kb = k1 | 0;
  const kc = SKEIN_PARITY ^ ka ^ kb;
  let x0 = (c0 + ka) | 0;
  let x1 = (c1 + kb) | 0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 13) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 15) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 26) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 6) ^ x0;
  x0 = (x0 + kb) | 0;
  x1 = (x1 + kc + 1) | 0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 17) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 29) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 16) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 24) ^ x0;
  x0 = (x0 + kc) | 0;
  x1 = (x1 + ka + 2) | 0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 13) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 15) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 26) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 6) ^ x0;
  x0 = (x0 + ka) | 0;
  x1 = (x1 + kb + 3) | 0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 17) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 29) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 16) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 24) ^ x0;
  x0 = (x0 + kb) | 0;
  x1 = (x1 + kc + 4) | 0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 13) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 15) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 26) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 6) ^ x0;
  x0 = (x0 + kc) | 0;
  x1 = (x1 + ka + 5) | 0;
  out[0] = x0;
  out[1] = x1;
  return out;
}

function makeKey(w0: number, w1: number): Key {
  const k = new Uint32Array(2) as Key;
  k[0] = w0;
  k[1] = w1;
  return k;
}

/**
 * A key from an integer seed (as `jax.random.PRNGKey`): high and low 32 bits of the seed.
 *
 * @example
 * const key = PRNGKey(0);
 * const [k1, k2] = split(key);
 */
export function PRNGKey(seed: number): Key {
  if (!Number.isSafeInteger(seed)) {
    throw new TypeError(`PRNGKey: seed must be a safe integer, got ${seed}`);
  }
  const big = BigInt.asUintN(64, BigInt(seed));
  return makeKey(Number(big >> 32n), Number(big & 0xffffffffn));
}

/** Whether a value is a key (two uint32 words). */
export function isKey(x: unknown): x is Key {
  return x instanceof Uint32Array && x.length === 2;
}

/** A key from a key or an integer seed. */
export function toKey(keyOrSeed: Key | number, api = "seed"): Key {
  if (typeof keyOrSeed === "number") return PRNGKey(keyOrSeed);
  if (!isKey(keyOrSeed)) {
    throw new TypeError(
      `${api}: expected a PRNG key (PRNGKey(n)) or an integer seed, got ${String(keyOrSeed)}`,
    );
  }
  return keyOrSeed;
}

/**
 * Splits a key into `num` new independent keys (default 2).
 *
 * @example
 * const [modelKey, initKey] = split(PRNGKey(1));
 */
export function split(key: Key, num = 2): Key[] {
  const out = words;
  const keys: Key[] = [];
  for (let i = 0; i < num; i++) {
    threefry2x32(key[0], key[1], Math.floor(i / 2 ** 32), i >>> 0, out);
    keys.push(makeKey(out[0], out[1]));
  }
  return keys;
}

/**
 * `split(key, outs.length)`, written into the given keys (no allocation: for hot loops that
 * split a key every iteration).
 *
 * @example
 * const [a, b] = [PRNGKey(0), PRNGKey(0)];
 * splitInto(PRNGKey(1), [a, b]); // a, b equal split(PRNGKey(1))
 */
export function splitInto(key: Key, outs: readonly Key[]): void {
  const k0 = key[0];
  const k1 = key[1];
  for (let i = 0; i < outs.length; i++) {
    threefry2x32(k0, k1, Math.floor(i / 2 ** 32), i >>> 0, outs[i]);
  }
}

/**
 * Mixes an integer into a key, e.g. a chain or iteration number.
 *
 * @example
 * const chainKey = foldIn(PRNGKey(0), 3);
 */
export function foldIn(key: Key, data: number): Key {
  if (!Number.isInteger(data)) throw new TypeError(`foldIn: data must be an integer, got ${data}`);
  let high: number;
  let low: number;
  if (Number.isSafeInteger(data)) {
    // The two words of data as a 64-bit two's complement integer, without BigInt (this runs
    // once per MCMC iteration): floor(data / 2^32) is exact for |data| < 2^53, and `>>> 0`
    // reduces modulo 2^32.
    high = Math.floor(data / 2 ** 32) >>> 0;
    low = data >>> 0;
  } else {
    const big = BigInt.asUintN(64, BigInt(data));
    high = Number(big >> 32n);
    low = Number(big & 0xffffffffn);
  }
  const out = threefry2x32(key[0], key[1], high, low, words);
  return makeKey(out[0], out[1]);
}

/**
 * `n` random 32-bit words from a key (element i from threefry of counter i, words xored).
 *
 * @example
 * randomBits(PRNGKey(0), 4); // Uint32Array of 4 words, the same on every run
 */
export function randomBits(key: Key, n: number): Uint32Array {
  const bits = new Uint32Array(n);
  const out = words;
  for (let i = 0; i < n; i++) {
    threefry2x32(key[0], key[1], Math.floor(i / 2 ** 32), i >>> 0, out);
    bits[i] = (out[0] ^ out[1]) >>> 0;
  }
  return bits;
}

/**
 * `n` float64 uniform variates on [0, 1), each from the top 52 bits of a 64-bit word.
 *
 * @example
 * uniform(PRNGKey(0), 3); // Float64Array(3) in [0, 1)
 */
export function uniform(key: Key, n: number, low = 0, high = 1): Float64Array {
  return fillUniform(key, new Float64Array(n), low, high);
}

/** `uniform(key, out.length, low, high)`, written into `out`. */
function fillUniform(key: Key, out: Float64Array, low: number, high: number): Float64Array {
  const width = high - low;
  const k0 = key[0];
  const k1 = key[1];
  for (let i = 0; i < out.length; i++) {
    threefry2x32(k0, k1, Math.floor(i / 2 ** 32), i >>> 0, words);
    const unit = words[0] * 2 ** -32 + (words[1] >>> 12) * 2 ** -52;
    out[i] = Math.max(low, unit * width + low);
  }
  return out;
}

// The largest double below -1 in magnitude: the open lower end for normal variates.
const JUST_ABOVE_MINUS_ONE = -1 + 2 ** -53;

/**
 * `n` standard normal variates: sqrt(2) erfinv(u) with u uniform on (-1, 1), as JAX does.
 *
 * @example
 * normal(PRNGKey(0), 1000); // mean about 0, sd about 1
 */
export function normal(key: Key, n: number): Float64Array {
  return fillNormal(key, new Float64Array(n));
}

/**
 * `normal(key, out.length)`, written into `out` (the same numbers, without allocating).
 *
 * @example
 * const momentum = new Float64Array(10);
 * fillNormal(PRNGKey(0), momentum); // equals normal(PRNGKey(0), 10)
 */
export function fillNormal(key: Key, out: Float64Array): Float64Array {
  fillUniform(key, out, JUST_ABOVE_MINUS_ONE, 1);
  for (let i = 0; i < out.length; i++) out[i] = Math.SQRT2 * erfinv(out[i]);
  return out;
}
