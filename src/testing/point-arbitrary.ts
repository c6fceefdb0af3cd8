/**
 * `arbitraryPoint(potential)`: points in a model's unconstrained space, printed by site
 * ("mu=0.5, tau=-1, eta=[0, 1, 2]") and shrinking coordinate by coordinate toward 0, +-1,
 * +-0.5, +-2: the values a person would try by hand.
 */
import fc from "fast-check";
import type { FlatLayout } from "../infer/layout.js";
import { formatValue } from "./distribution-case.js";
import { readableDouble } from "./readable-number.js";

/** A point q of a potential's unconstrained space. */
export interface UnconstrainedPoint {
  readonly q: Float64Array;
}

/** Options of `arbitraryPoint`. */
export interface PointOptions {
  /** Coordinates lie in [-radius, radius] (default 2, the sampler's initialization box). */
  readonly radius?: number;
  /** Also draw coordinates out to +-(radius + 8): the far tails of every transform (default false). */
  readonly edges?: boolean;
}

/**
 * The coordinates of q by site, as "name=value" (vectors as arrays).
 *
 * @example
 * const U = potential(eightSchools, [sigma, y]);
 * describePoint(U.layout, U.initialPoint(0)); // "mu=0.5, tau=-1, eta=[0, 1, ...]"
 */
export function describePoint(layout: FlatLayout, q: Float64Array): string {
  if (layout.sites.length === 0) return "(no latent sites)";
  return layout.sites
    .map((s) => {
      const slice = Array.from(q.subarray(s.offset, s.offset + s.size));
      return `${s.name}=${formatValue(s.unconstrainedShape.length === 0 ? slice[0] : slice)}`;
    })
    .join(", ");
}

/**
 * Points in the unconstrained space of a potential (anything with a `layout`), for
 * fast-check properties over a model's density and gradient.
 *
 * @example
 * import fc from "fast-check";
 * const U = potential(eightSchools, [sigma, y]);
 * fc.assert(fc.property(testing.arbitraryPoint(U), ({ q }) => Number.isFinite(U.logDensity(q))));
 */
export function arbitraryPoint(
  potential: { readonly layout: FlatLayout },
  options: PointOptions = {},
): fc.Arbitrary<UnconstrainedPoint> {
  const layout = potential.layout;
  const radius = options.radius ?? 2;
  const far = radius + 8;
  const coordinate = readableDouble({
    min: options.edges ? -far : -radius,
    max: options.edges ? far : radius,
    main: [-radius, radius],
    simple: [0, 1, -1, 0.5, -0.5, 2, -2],
    edges: options.edges
      ? [(u) => radius + (far - radius) * u, (u) => -radius - (far - radius) * u]
      : [],
  });
  return fc.array(coordinate, { minLength: layout.dim, maxLength: layout.dim }).map((values) => {
    const q = Float64Array.from(values);
    const text = describePoint(layout, q);
    return { q, toString: () => text, [fc.toStringMethod]: () => text } as UnconstrainedPoint;
  });
}
