/**
 * Uniform variates drawn one at a time from a key, for the variable number of coin flips a NUTS
 * trajectory needs (directions and multinomial choices). The i-th variate equals
 * `uniform(key, n)[i]` for any n > i, so a stream is just a lazy `uniform` that never allocates.
 */
import { type Key, threefry2x32 } from "../../primitives/prng.js";

/** A lazy sequence of uniform [0, 1) variates from one key. */
export class UniformStream {
  private counter = 0;
  private readonly words = new Uint32Array(2);
  private key0: number;
  private key1: number;

  constructor(key: Key) {
    this.key0 = key[0];
    this.key1 = key[1];
  }

  /**
   * Starts over from `key`, as `new UniformStream(key)` would (reusing this one in a loop).
   *
   * @example
   * const stream = new UniformStream(PRNGKey(0));
   * stream.restart(PRNGKey(1)).next(); // uniform(PRNGKey(1), 1)[0]
   */
  restart(key: Key): this {
    this.key0 = key[0];
    this.key1 = key[1];
    this.counter = 0;
    return this;
  }

  /**
   * The next variate.
   *
   * @example
   * const stream = new UniformStream(PRNGKey(0));
   * stream.next(); // uniform(PRNGKey(0), 2)[0]
   * stream.next(); // uniform(PRNGKey(0), 2)[1]
   */
  next(): number {
    const i = this.counter++;
    threefry2x32(this.key0, this.key1, Math.floor(i / 2 ** 32), i >>> 0, this.words);
    // The same 52-bit construction as `uniform` in primitives/prng.ts.
    return this.words[0] * 2 ** -32 + (this.words[1] >>> 12) * 2 ** -52;
  }

  /** How many variates have been drawn. */
  get count(): number {
    return this.counter;
  }
}
