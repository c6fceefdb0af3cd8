/**
 * Many small float64 arrays of one length without one allocation outside the heap each.
 */

/**
 * New arrays of length `dim`, carved out of larger buffers. Every NUTS transition returns a
 * state with a new position and gradient (states are values: a caller may keep any of them),
 * and metric estimators keep a copy of each draw; a Float64Array of more than 64 bytes gets a
 * backing store of its own outside the heap, whose allocation and collection cost more than a
 * whole NUTS iteration's arithmetic on a small model. An array made here is a view into a
 * shared buffer, an ordinary heap object; a buffer is freed once none of its arrays is
 * referenced.
 *
 * @example
 * const arena = new ArrayArena(3);
 * const copy = arena.copyOf(Float64Array.of(1, 2, 3)); // a new array [1, 2, 3]
 */
export class ArrayArena {
  private buffer: ArrayBuffer;
  private used: number;
  private readonly capacity: number;

  constructor(private readonly dim: number) {
    // 64 KiB per buffer, or two arrays where they are larger.
    this.capacity = Math.max(2 * dim, Math.floor(8192 / Math.max(dim, 1)) * dim);
    this.buffer = new ArrayBuffer(8 * this.capacity);
    this.used = 0;
  }

  /** A new array holding a copy of `values` (length `dim`). */
  copyOf(values: Float64Array): Float64Array {
    if (this.used + this.dim > this.capacity) {
      this.buffer = new ArrayBuffer(8 * this.capacity);
      this.used = 0;
    }
    const array = new Float64Array(this.buffer, 8 * this.used, this.dim);
    this.used += this.dim;
    for (let i = 0; i < this.dim; i++) array[i] = values[i];
    return array;
  }
}
