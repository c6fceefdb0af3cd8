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

const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24];
const SKEIN_PARITY = 0x1bd11bda;

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
  // The key schedule ks = [k0, k1, parity] is read as ks[s % 3], ks[(s + 1) % 3] at injection
  // s = 1..5; kept in locals (no array per call: this function runs once per random word).
  const ka = k0 >>> 0;
  const kb = k1 >>> 0;
  const kc = (SKEIN_PARITY ^ k0 ^ k1) >>> 0;
  let x0 = (c0 + ka) >>> 0;
  let x1 = (c1 + kb) >>> 0;
  for (let round = 0; round < 20; round++) {
    x0 = (x0 + x1) >>> 0;
    const r = ROTATIONS[round % 8];
    x1 = ((x1 << r) | (x1 >>> (32 - r))) >>> 0;
    x1 = (x1 ^ x0) >>> 0;
    if (round % 4 === 3) {
      const s = (round + 1) / 4;
      const m = s % 3;
      x0 = (x0 + (m === 0 ? ka : m === 1 ? kb : kc)) >>> 0;
      x1 = (x1 + (m === 0 ? kb : m === 1 ? kc : ka) + s) >>> 0;
    }
  }
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
  const out = new Uint32Array(2);
  const keys: Key[] = [];
  for (let i = 0; i < num; i++) {
    threefry2x32(key[0], key[1], Math.floor(i / 2 ** 32), i >>> 0, out);
    keys.push(makeKey(out[0], out[1]));
  }
  return keys;
}

/**
 * Mixes an integer into a key, e.g. a chain or iteration number.
 *
 * @example
 * const chainKey = foldIn(PRNGKey(0), 3);
 */
export function foldIn(key: Key, data: number): Key {
  if (!Number.isInteger(data)) throw new TypeError(`foldIn: data must be an integer, got ${data}`);
  const big = BigInt.asUintN(64, BigInt(data));
  const out = threefry2x32(key[0], key[1], Number(big >> 32n), Number(big & 0xffffffffn));
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
  const out = new Uint32Array(2);
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
  const u = new Float64Array(n);
  const out = new Uint32Array(2);
  const width = high - low;
  for (let i = 0; i < n; i++) {
    threefry2x32(key[0], key[1], Math.floor(i / 2 ** 32), i >>> 0, out);
    const unit = out[0] * 2 ** -32 + (out[1] >>> 12) * 2 ** -52;
    u[i] = Math.max(low, unit * width + low);
  }
  return u;
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
  const z = uniform(key, n, JUST_ABOVE_MINUS_ONE, 1);
  for (let i = 0; i < n; i++) z[i] = Math.SQRT2 * erfinv(z[i]);
  return z;
}
