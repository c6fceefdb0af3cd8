/**
 * Values inside a constraint's set, for any family's support: intervals of every kind (bounds
 * may be tensors, as in `Uniform(low, high)` with array bounds), integer ranges, count
 * vectors, and the event constraints (simplex, ordered, Cholesky factors, positive definite
 * matrices) through `bijectTo`.
 *
 * Scalar sets get readable values (a positive support shrinks to 1, the unit interval to
 * 0.5); event sets are the image of readable unconstrained vectors in [-5, 5], which shrink
 * to the set's center (the uniform simplex, the identity factor). Every value is also inside
 * the set after rounding to float32, so that the library's float32 code sees it inside too.
 */
import fc from "fast-check";
import { bijectTo } from "../dist/biject-to.js";
import {
  type Bound,
  type Constraint,
  IndependentConstraint,
  Interval,
} from "../dist/constraints.js";
import type { Distribution } from "../dist/distribution.js";
import { type NestedNumbers, readFloat64, tf, tidyValue } from "../tf.js";
import { broadcastShapes, broadcastTo, sizeOf } from "../util/shapes.js";
import { nest } from "./distribution-case.js";
import { countArbitrary, parameterArbitrary } from "./parameter-arbitraries.js";
import { readableDouble } from "./readable-number.js";

/** Options of `arbitraryValueIn`. */
export interface SupportValueOptions {
  /** Largest count drawn for integer sets without an upper bound (default 1000). */
  readonly maxCount?: number;
  /**
   * Keep values within the image of [-radius, radius] under `bijectTo(constraint)`: reals in
   * [-r, r], positive values in [e^-r, e^r], intervals in low + (high - low) sigmoid([-r, r]).
   * Default: scalar sets reach their edge regions (reals to +-1e4, scales from 1e-6 to 1e6,
   * probabilities to 1e-9 from 0); event sets use 5.
   */
  readonly radius?: number;
  /** Draw from the edge regions of scalar sets (default true). */
  readonly edges?: boolean;
}

/**
 * Values of `shape` in the set of `constraint`, as numbers or nested arrays.
 *
 * @example
 * import fc from "fast-check";
 * fc.assert(fc.property(arbitraryValueIn(constraints.simplex, [3]), (p) =>
 *   Math.abs(p[0] + p[1] + p[2] - 1) < 1e-12));
 */
export function arbitraryValueIn(
  constraint: Constraint,
  shape: readonly number[],
  options: SupportValueOptions = {},
): fc.Arbitrary<NestedNumbers> {
  const base = constraint instanceof IndependentConstraint ? constraint.base : constraint;
  if (base.eventDim === 0) {
    const size = sizeOf(shape);
    const elements = scalarElements(base, shape, options);
    return fc.tuple(...elements).map((values) => nest(values.slice(0, size), shape));
  }
  if (base.name === "multinomial") return countVectors(base, shape, options);
  return eventValues(constraint, shape, options);
}

/**
 * Values in the support of `dist`, of its full shape (batch and event dims).
 *
 * @example
 * import fc from "fast-check";
 * const d = Gamma(2, 1);
 * fc.assert(fc.property(arbitrarySupportValue(d), (x) =>
 *   Number.isFinite(d.logProb(x).dataSync()[0])));
 */
export function arbitrarySupportValue(
  dist: Distribution,
  options: SupportValueOptions = {},
): fc.Arbitrary<NestedNumbers> {
  return arbitraryValueIn(dist.support, dist.shape(), options);
}

/** The float64 values of a bound broadcast to `shape`. */
function boundValues(b: Bound, shape: readonly number[]): Float64Array {
  if (!(b instanceof tf.Tensor)) return new Float64Array(sizeOf(shape)).fill(b);
  const target = broadcastShapes(shape, b.shape);
  return broadcastTo(readFloat64(b), b.shape, target);
}

/** One arbitrary per element of a scalar (eventDim 0) set. */
function scalarElements(
  c: Constraint,
  shape: readonly number[],
  options: SupportValueOptions,
): fc.Arbitrary<number>[] {
  const size = sizeOf(shape);
  if (c.name === "integerInterval") {
    const { low, high } = c as unknown as { low: Bound; high: Bound };
    const lows = boundValues(low, shape);
    const highs = boundValues(high, shape);
    return Array.from({ length: size }, (_, i) => integersBetween(lows[i], highs[i], options));
  }
  if (c instanceof Interval) {
    const lows = boundValues(c.low, shape);
    const highs = boundValues(c.high, shape);
    return Array.from({ length: size }, (_, i) =>
      realsBetween(lows[i], highs[i], c.lowClosed, c.highClosed, options),
    );
  }
  if (c.name === "real") {
    const r = options.radius;
    const range = r === undefined ? { edges: options.edges } : { min: -r, max: r, edges: false };
    return Array.from({ length: size }, () => parameterArbitrary("location", range));
  }
  throw new RangeError(
    `arbitraryValueIn: no values for the scalar constraint "${c.name}" (${c.describe()})`,
  );
}

function integersBetween(
  low: number,
  high: number,
  options: SupportValueOptions,
): fc.Arbitrary<number> {
  const maxCount = options.maxCount ?? 1000;
  if (Number.isFinite(high)) return fc.integer({ min: low, max: high });
  return countArbitrary({ min: low, max: low + maxCount, edges: options.edges });
}

/**
 * Reals in the interval (low, high) (or closed at an end): readable offsets from the finite
 * bound(s), relative to its magnitude so that float32 keeps the value off the bound.
 */
function realsBetween(
  low: number,
  high: number,
  lowClosed: boolean,
  highClosed: boolean,
  options: SupportValueOptions,
): fc.Arbitrary<number> {
  const inside = (x: number) => insideInFloat32(x, low, high, lowClosed, highClosed);
  const r = options.radius;
  const edges = r === undefined ? options.edges : false;
  const reach = (lo: number, hi: number) => (r === undefined ? {} : { min: lo, max: hi });
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  let values: fc.Arbitrary<number>;
  if (Number.isFinite(low) && Number.isFinite(high)) {
    const range = r === undefined ? {} : { min: sigmoid(-r), max: sigmoid(r) };
    values = parameterArbitrary("probability", { edges, ...range }).map(
      (p) => low + (high - low) * p,
    );
  } else if (Number.isFinite(low)) {
    const unit = Math.max(1, Math.abs(low));
    values = parameterArbitrary("scale", {
      edges,
      ...reach(Math.exp(-(r ?? 0)), Math.exp(r ?? 0)),
    }).map((s) => low + s * unit);
  } else if (Number.isFinite(high)) {
    const unit = Math.max(1, Math.abs(high));
    values = parameterArbitrary("scale", {
      edges,
      ...reach(Math.exp(-(r ?? 0)), Math.exp(r ?? 0)),
    }).map((s) => high - s * unit);
  } else {
    values = parameterArbitrary("location", { edges, ...reach(-(r ?? 0), r ?? 0) });
  }
  return values.map((x) => moveInside(x, low, high, inside));
}

function insideInFloat32(
  x: number,
  low: number,
  high: number,
  lowClosed: boolean,
  highClosed: boolean,
): boolean {
  const y = Math.fround(x);
  if (!Number.isFinite(y)) return false;
  const above = lowClosed ? y >= low && x >= low : y > low && x > low;
  const below = highClosed ? y <= high && x <= high : y < high && x < high;
  return above && below;
}

/** x moved toward the middle of (low, high) until float32 keeps it inside. */
function moveInside(x: number, low: number, high: number, inside: (x: number) => boolean): number {
  if (inside(x)) return x;
  const center = Number.isFinite(low)
    ? Number.isFinite(high)
      ? (low + high) / 2
      : low + Math.max(1, Math.abs(low))
    : high - Math.max(1, Math.abs(high));
  let y = x;
  for (let i = 0; i < 64 && !inside(y); i++) y = (y + center) / 2;
  return y;
}

/**
 * Event values (simplex, ordered, Cholesky factors, ...): readable unconstrained blocks in
 * [-radius, radius] mapped by `bijectTo(constraint)`, in float64 where the transform offers it.
 */
function eventValues(
  constraint: Constraint,
  shape: readonly number[],
  options: SupportValueOptions,
): fc.Arbitrary<NestedNumbers> {
  const transform = bijectTo(constraint);
  const free = transform.inverseShape(shape);
  const radius = options.radius ?? 5;
  const coordinate = readableDouble({ min: -radius, max: radius, main: [-2, 2] });
  const size = sizeOf(free);
  return fc.array(coordinate, { minLength: size, maxLength: size }).map((x) => {
    const flat = Float64Array.from(x);
    const y =
      transform.forwardF64(flat, free) ??
      tidyValue(() => readFloat64(transform.forward(tf.tensor(x, free))));
    return nest(Array.from(y), shape);
  });
}

/** Count vectors summing to totalCount per block (Multinomial's support). */
function countVectors(
  c: Constraint,
  shape: readonly number[],
  _options: SupportValueOptions,
): fc.Arbitrary<NestedNumbers> {
  const k = shape[shape.length - 1];
  const batch = shape.slice(0, -1);
  const totals = boundValues((c as unknown as { totalCount: Bound }).totalCount, batch);
  const blocks = sizeOf(batch);
  const fraction = readableDouble({ min: 0, max: 1, simple: [0.5, 0, 1, 0.25, 0.75] });
  return fc.array(fraction, { minLength: blocks * k, maxLength: blocks * k }).map((fractions) => {
    const out: number[] = [];
    for (let b = 0; b < blocks; b++) {
      let remaining = totals[b];
      for (let j = 0; j < k; j++) {
        const take =
          j === k - 1
            ? remaining
            : Math.min(remaining, Math.round(fractions[b * k + j] * remaining));
        out.push(take);
        remaining -= take;
      }
    }
    return nest(out, shape);
  });
}
