/**
 * Numbers for property tests that shrink toward values a person can read.
 *
 * fast-check's `fc.double` shrinks toward 0 (or the bound nearest to it) through values such
 * as 0.0073291873551; a counterexample like that hides the cause. `readableDouble` draws
 * from a main range, from edge regions (tiny and huge scales, probabilities near 0 and 1)
 * and from a list of simple values, and shrinks in three ways, each strictly simpler by the
 * order (rank in the simple list, number of significant digits, distance to the target):
 *
 * 1. to a simple value earlier in the list (1, 0.5, 2, ...);
 * 2. to the same value with fewer significant digits (0.0073291873551 -> 0.007);
 * 3. one unit of the last significant digit toward the target (0.007 -> 0.008), so that a
 *    failure on one side of a boundary ends at the readable value nearest to it.
 *
 * Every step lowers that order on a finite set of candidates, so shrinking terminates.
 */
import fc from "fast-check";

/** A region drawn with `edgeProbability`: maps a uniform u in [0, 1) to a value. */
export type EdgeRegion = (u: number) => number;

/** Options of `readableDouble`. */
export interface ReadableDoubleOptions {
  /** Smallest value (default -1e3). */
  readonly min?: number;
  /** Largest value (default 1e3). */
  readonly max?: number;
  /** Exclude `min` itself (default false). */
  readonly minExcluded?: boolean;
  /** Exclude `max` itself (default false). */
  readonly maxExcluded?: boolean;
  /**
   * "linear" draws uniformly and measures closeness as |x - target|; "log" draws uniformly in
   * log x and measures |log x - log target| (needs min > 0). Default "linear".
   */
  readonly scale?: "linear" | "log";
  /** Simple values, most readable first; the first one in range is the shrink target. */
  readonly simple?: readonly number[];
  /** Edge regions (see `logUniformRegion`, `nearRegion`), drawn with `edgeProbability`. */
  readonly edges?: readonly EdgeRegion[];
  /** Where the main range of draws lies, inside [min, max] (default [min, max]). */
  readonly main?: readonly [number, number];
  /** Probability of drawing from an edge region (default 0.15 when there are edges). */
  readonly edgeProbability?: number;
  /** Probability of drawing a simple value (default 0.1). */
  readonly simpleProbability?: number;
}

/** The default simple values: integers and halves near 0, then powers of ten. */
export const SIMPLE_VALUES: readonly number[] = [
  0, 1, -1, 0.5, -0.5, 2, -2, 0.1, -0.1, 10, -10, 3, -3, 5, -5, 0.01, -0.01, 100, -100,
];

/**
 * An edge region uniform in log x between `low` and `high` (both positive).
 *
 * @example
 * const tiny = logUniformRegion(1e-8, 1e-3);
 */
export function logUniformRegion(low: number, high: number): EdgeRegion {
  const a = Math.log(low);
  const b = Math.log(high);
  return (u) => Math.exp(a + (b - a) * u);
}

/**
 * An edge region `anchor + sign * d` with d log-uniform in [low, high]: values just above or
 * below `anchor` (probabilities near 1: `nearRegion(1, -1, 1e-7, 1e-3)`).
 *
 * @example
 * const nearOne = nearRegion(1, -1, 1e-7, 1e-3); // 1 - d, d in [1e-7, 1e-3]
 */
export function nearRegion(anchor: number, sign: 1 | -1, low: number, high: number): EdgeRegion {
  const distance = logUniformRegion(low, high);
  return (u) => anchor + sign * distance(u);
}

/**
 * The fewest significant digits that represent x exactly (1 for 0 and non-finite x).
 *
 * @example
 * significantDigits(0.0073); // 2
 */
export function significantDigits(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return 1;
  for (let d = 1; d < 17; d++) if (Number(x.toPrecision(d)) === x) return d;
  return 17;
}

/** x rounded to `digits` significant digits. */
function roundTo(x: number, digits: number): number {
  return Number(x.toPrecision(digits));
}

/** One unit of the last of `digits` significant digits of x (0.007 has unit 0.001). */
function lastDigitUnit(x: number, digits: number): number {
  if (x === 0) return 10 ** (1 - digits);
  const exponent = Math.floor(Math.log10(Math.abs(x)));
  return 10 ** (exponent - digits + 1);
}

class ReadableDouble extends fc.Arbitrary<number> {
  private readonly min: number;
  private readonly max: number;
  private readonly minExcluded: boolean;
  private readonly maxExcluded: boolean;
  private readonly log: boolean;
  private readonly simple: number[];
  private readonly edges: readonly EdgeRegion[];
  private readonly main: readonly [number, number];
  private readonly edgeProbability: number;
  private readonly simpleProbability: number;
  private readonly target: number;

  constructor(options: ReadableDoubleOptions) {
    super();
    this.min = options.min ?? -1e3;
    this.max = options.max ?? 1e3;
    this.minExcluded = options.minExcluded ?? false;
    this.maxExcluded = options.maxExcluded ?? false;
    this.log = options.scale === "log";
    if (!(this.min <= this.max) || (this.log && !(this.min > 0))) {
      throw new RangeError(
        `readableDouble: need min <= max${this.log ? " and min > 0 on a log scale" : ""}, got min ${this.min}, max ${this.max}`,
      );
    }
    this.simple = (options.simple ?? SIMPLE_VALUES).filter((v) => this.inRange(v));
    this.edges = options.edges ?? [];
    this.main = options.main ?? [this.min, this.max];
    this.edgeProbability = this.edges.length === 0 ? 0 : (options.edgeProbability ?? 0.15);
    this.simpleProbability = this.simple.length === 0 ? 0 : (options.simpleProbability ?? 0.1);
    this.target = this.simple[0] ?? this.clamp(this.log ? 1 : 0);
  }

  private inRange(x: number): boolean {
    if (!Number.isFinite(x)) return false;
    const above = this.minExcluded ? x > this.min : x >= this.min;
    const below = this.maxExcluded ? x < this.max : x <= this.max;
    return above && below;
  }

  // The value nearest x inside the range (for draws that round onto an excluded bound).
  private clamp(x: number): number {
    if (this.inRange(x)) return x;
    const low = this.minExcluded ? nextUp(this.min) : this.min;
    const high = this.maxExcluded ? nextDown(this.max) : this.max;
    return Math.min(high, Math.max(low, x));
  }

  private distance(x: number): number {
    return this.log ? Math.abs(Math.log(x) - Math.log(this.target)) : Math.abs(x - this.target);
  }

  generate(mrng: fc.Random): fc.Value<number> {
    const r = mrng.nextDouble();
    let x: number;
    if (r < this.simpleProbability) {
      x = this.simple[mrng.nextInt(0, this.simple.length - 1)];
    } else if (r < this.simpleProbability + this.edgeProbability) {
      x = this.edges[mrng.nextInt(0, this.edges.length - 1)](mrng.nextDouble());
    } else {
      const u = mrng.nextDouble();
      const [low, high] = this.main;
      x = this.log
        ? Math.exp(Math.log(low) + (Math.log(high) - Math.log(low)) * u)
        : low + (high - low) * u;
    }
    return new fc.Value(this.clamp(x), undefined);
  }

  canShrinkWithoutContext(value: unknown): value is number {
    return typeof value === "number" && this.inRange(value);
  }

  shrink(value: number): fc.Stream<fc.Value<number>> {
    return fc.Stream.of(...this.simpler(value)).map((v) => new fc.Value(v, undefined));
  }

  /** Candidates strictly simpler than x, most promising first. */
  private simpler(x: number): number[] {
    const rank = this.simple.indexOf(x);
    const out: number[] = this.simple.slice(0, rank === -1 ? this.simple.length : rank);
    if (rank !== -1) return out;
    const digits = significantDigits(x);
    for (let d = 1; d < digits; d++) {
      const rounded = roundTo(x, d);
      if (this.inRange(rounded) && !out.includes(rounded)) out.push(rounded);
    }
    // One unit of the last digit toward the target, with no more digits than x.
    const unit = lastDigitUnit(x, digits);
    const toward = Math.sign(this.target - x);
    if (toward !== 0) {
      const step = roundTo(x + toward * unit, digits);
      if (
        this.inRange(step) &&
        significantDigits(step) <= digits &&
        this.distance(step) < this.distance(x) &&
        !out.includes(step)
      ) {
        out.push(step);
      }
    }
    return out;
  }
}

function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const bits = new Float64Array([x]);
  const ints = new BigInt64Array(bits.buffer);
  ints[0] += x > 0 ? 1n : -1n;
  return bits[0];
}

function nextDown(x: number): number {
  return -nextUp(-x);
}

/**
 * A fast-check arbitrary of doubles in [min, max] that covers edge regions and shrinks toward
 * readable values: simple ones (1, 0.5, 2, ...), then fewer significant digits.
 *
 * @example
 * import fc from "fast-check";
 * const scale = readableDouble({ min: 1e-6, max: 1e6, scale: "log", simple: [1, 0.5, 2] });
 * fc.assert(fc.property(scale, (s) => s > 0));
 */
export function readableDouble(options: ReadableDoubleOptions = {}): fc.Arbitrary<number> {
  return new ReadableDouble(options);
}
