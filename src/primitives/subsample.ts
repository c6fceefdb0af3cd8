/**
 * Random subsets of plate indices: `count` distinct indices of 0..size-1 in random order, by a
 * partial Fisher-Yates shuffle (Knuth, TAOCP vol. 2, algorithm P) that keeps only the swapped
 * positions in a map, so a draw costs O(count) time and memory, not O(size).
 */
import { type Key, randomBits } from "./prng.js";

/**
 * `count` distinct indices of 0..size-1, reproducible for a key.
 *
 * @example
 * subsampleIndices(PRNGKey(0), 100000, 3); // Int32Array of 3 distinct indices below 100000
 */
export function subsampleIndices(key: Key, size: number, count: number): Int32Array {
  const swapped = new Map<number, number>();
  const at = (i: number) => swapped.get(i) ?? i;
  const bits = randomBits(key, count);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor((bits[i] / 2 ** 32) * (size - i));
    out[i] = at(j);
    swapped.set(j, at(i));
  }
  return out;
}
