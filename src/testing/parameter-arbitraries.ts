/**
 * Arbitraries of the kinds of parameter distributions take (locations, scales,
 * concentrations, probabilities, logits, counts, angles), each with a typical range, edge
 * regions where numerical code tends to break (tiny scales, huge concentrations,
 * probabilities near 0 and 1) and simple values to shrink toward. Every kind takes
 * `{ min, max, edges }` to narrow or widen it.
 */
import fc from "fast-check";
import {
  type EdgeRegion,
  logUniformRegion,
  nearRegion,
  readableDouble,
} from "./readable-number.js";

/** Range options of a parameter kind. */
export interface ParameterRange {
  /** Smallest value (each kind has its own default). */
  readonly min?: number;
  /** Largest value. */
  readonly max?: number;
  /** Draw from the edge regions too (default true). */
  readonly edges?: boolean;
}

/** The kinds of parameters, by the role they play in a family. */
export type ParameterKind =
  | "location"
  | "scale"
  | "concentration"
  | "probability"
  | "logit"
  | "count"
  | "angle";

interface KindSpec {
  readonly min: number;
  readonly max: number;
  readonly main: readonly [number, number];
  readonly scale: "linear" | "log";
  readonly simple: readonly number[];
  readonly edges: readonly EdgeRegion[];
  readonly excluded?: boolean;
}

const kinds: Record<Exclude<ParameterKind, "count">, KindSpec> = {
  location: {
    min: -1e4,
    max: 1e4,
    main: [-10, 10],
    scale: "linear",
    simple: [0, 1, -1, 0.5, -0.5, 2, -2, 10, -10],
    edges: [(u) => logUniformRegion(100, 1e4)(u), (u) => -logUniformRegion(100, 1e4)(u)],
  },
  scale: {
    min: 1e-6,
    max: 1e6,
    main: [0.01, 100],
    scale: "log",
    simple: [1, 0.5, 2, 0.1, 10, 5, 0.01, 100],
    edges: [logUniformRegion(1e-6, 1e-3), logUniformRegion(1e3, 1e6)],
  },
  concentration: {
    min: 1e-3,
    max: 1e5,
    main: [0.1, 100],
    scale: "log",
    simple: [1, 2, 0.5, 10, 5, 0.1, 100],
    edges: [logUniformRegion(1e-3, 0.05), logUniformRegion(1e3, 1e5)],
  },
  probability: {
    min: 0,
    max: 1,
    excluded: true,
    main: [0.01, 0.99],
    scale: "linear",
    simple: [0.5, 0.1, 0.9, 0.25, 0.75, 0.01, 0.99],
    // Near 1 no closer than 1e-7: float32 rounds 1 - 6e-8 to 1.
    edges: [logUniformRegion(1e-9, 1e-3), nearRegion(1, -1, 1e-7, 1e-3)],
  },
  logit: {
    min: -30,
    max: 30,
    main: [-5, 5],
    scale: "linear",
    simple: [0, 1, -1, 2, -2, 0.5, -0.5, 10, -10],
    edges: [(u) => 10 + 20 * u, (u) => -10 - 20 * u],
  },
  angle: {
    min: -Math.PI,
    max: Math.PI,
    main: [-Math.PI, Math.PI],
    scale: "linear",
    simple: [0, 1, -1, 0.5, -0.5, 2, -2, 3, -3],
    edges: [nearRegion(Math.PI, -1, 1e-7, 1e-2), nearRegion(-Math.PI, 1, 1e-7, 1e-2)],
  },
};

/**
 * An arbitrary of one parameter kind, with its defaults overridden by `range`.
 *
 * @example
 * const probs = parameterArbitrary("probability"); // in (0, 1), near 0 and 1 included
 * const narrow = parameterArbitrary("scale", { min: 0.1, max: 10, edges: false });
 */
export function parameterArbitrary(
  kind: ParameterKind,
  range: ParameterRange = {},
): fc.Arbitrary<number> {
  if (kind === "count") return countArbitrary(range);
  const spec = kinds[kind];
  const min = range.min ?? spec.min;
  const max = range.max ?? spec.max;
  const main: [number, number] = [Math.max(min, spec.main[0]), Math.min(max, spec.main[1])];
  return readableDouble({
    min,
    max,
    minExcluded: spec.excluded,
    maxExcluded: spec.excluded,
    scale: spec.scale,
    simple: spec.simple,
    main: main[0] < main[1] ? main : [min, max],
    edges: range.edges === false ? [] : spec.edges,
  });
}

/**
 * Nonnegative integers (totalCount and the like): mostly below 50, sometimes up to `max`
 * (default 1000); shrinks toward `min` (default 0).
 *
 * @example
 * const n = countArbitrary({ min: 1 });
 */
export function countArbitrary(range: ParameterRange = {}): fc.Arbitrary<number> {
  const min = Math.ceil(range.min ?? 0);
  const max = Math.floor(range.max ?? 1000);
  const typicalMax = Math.min(max, min + 50);
  const typical = fc.integer({ min, max: typicalMax });
  if (range.edges === false || typicalMax === max) return typical;
  return fc.oneof(
    { arbitrary: typical, weight: 4 },
    { arbitrary: fc.integer({ min: typicalMax + 1, max }), weight: 1 },
  );
}
