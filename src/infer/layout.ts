/**
 * The flat unconstrained layout of a model's latent sites: which slice of the vector q holds
 * which site, and the transform from that slice to the site's constrained value (PyMC's
 * DictToArrayBijection `map` and `rmap`).
 */
import { bijectTo } from "../dist/biject-to.js";
import type { Constraint } from "../dist/constraints.js";
import type { Transform } from "../dist/transforms.js";
import { ArgumentError } from "../errors.js";
import type { SampleSite } from "../primitives/messages.js";
import { type ArrayLike, constant, readFloat64, tf, tidyValue } from "../tf.js";
import { ownValue, siteRecord } from "../util/records.js";
import { formatShape, shapesEqual, sizeOf } from "../util/shapes.js";
import type { Draws } from "./draws.js";

/** Where one latent site lives in q. */
export interface SiteLayout {
  readonly name: string;
  /** Shape of the constrained value. */
  readonly shape: number[];
  /** Shape of its unconstrained slice. */
  readonly unconstrainedShape: number[];
  readonly offset: number;
  readonly size: number;
  /** The transform at the discovery run (exact for every site whose support is fixed). */
  readonly transform: Transform;
  /** Whether the support depends on other parameters, so its transform is rebuilt at each point. */
  readonly dependent: boolean;
}

/** A value to lay out: its name, constrained shape and constraint. */
export interface LayoutEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly constraint: Constraint;
  /** Whether the constraint depends on other parameters (see `SiteLayout.dependent`). */
  readonly dependent: boolean;
}

/**
 * The layout of a set of latent sites in a flat vector.
 *
 * @example
 * function* model() {
 *   yield* sample("loc", Normal(0, 1));
 *   yield* sample("scale", HalfNormal(1));
 * }
 * const { layout } = potential(model, []);
 * layout.dim; // 2
 * layout.unravel(Float64Array.of(0.5, 0)).scale.data; // Float64Array [1]: exp(0) > 0
 */
export class FlatLayout {
  readonly dim: number;

  constructor(readonly sites: readonly SiteLayout[]) {
    this.dim = sites.reduce((n, s) => n + s.size, 0);
  }

  /**
   * The layout of the given values, in order, each reached through `bijectTo` of its
   * constraint.
   *
   * @example
   * const layout = FlatLayout.of([
   *   { name: "loc", shape: [2], constraint: constraints.real, dependent: false },
   *   { name: "scale", shape: [], constraint: constraints.positive, dependent: false },
   * ]);
   * layout.site("scale").offset; // 2
   */
  static of(entries: readonly LayoutEntry[]): FlatLayout {
    let offset = 0;
    const sites = entries.map((entry) => {
      const transform = bijectTo(entry.constraint);
      const shape = entry.shape.slice();
      const unconstrainedShape = transform.inverseShape(shape);
      const size = sizeOf(unconstrainedShape);
      const site = {
        name: entry.name,
        shape,
        unconstrainedShape,
        offset,
        size,
        transform,
        dependent: entry.dependent,
      };
      offset += size;
      return site;
    });
    return new FlatLayout(sites);
  }

  /** The layout of the given sample sites, in order, each through `bijectTo` of its support. */
  static fromSites(sites: readonly SampleSite[]): FlatLayout {
    return FlatLayout.of(
      sites.map((site) => ({
        name: site.name,
        shape: site.value.shape,
        constraint: site.fn.support,
        dependent: site.fn.support.isParameterDependent,
      })),
    );
  }

  /** The site of a name. */
  site(name: string): SiteLayout {
    const s = this.sites.find((x) => x.name === name);
    if (s === undefined)
      throw new ArgumentError({
        message: `layout: no latent site "${name}"`,
        api: "layout",
        argument: name,
      });
    return s;
  }

  /**
   * Constrained values of the sites, as tensors, from a flat unconstrained tensor, with the
   * summed log-abs-det-Jacobian of the transforms. This is what densities differentiate.
   */
  constrainTensor(q: tf.Tensor): { values: Record<string, tf.Tensor>; logDetJacobian: tf.Tensor } {
    const values = siteRecord<tf.Tensor>();
    let logDet: tf.Tensor = tf.scalar(0);
    for (const s of this.sites) {
      const u = tf.reshape(tf.slice(q, [s.offset], [s.size]), s.unconstrainedShape);
      const x = s.transform.forward(u);
      logDet = tf.add(logDet, tf.sum(s.transform.logAbsDetJacobian(u, x)));
      values[s.name] = x;
    }
    return { values, logDetJacobian: logDet };
  }

  /**
   * Constrained values from a flat unconstrained point (PyMC's `rmap`).
   *
   * @example
   * layout.unravel(new Float64Array([0, 0])); // { mu: {shape: [], data: [0]}, tau: {shape: [], data: [1]} }
   */
  unravel(q: Float64Array): Record<string, Draws> {
    this.checkLength("unravel", q);
    return tidyValue(() => {
      const out = siteRecord<Draws>();
      const qt = constant(q);
      for (const s of this.sites) {
        const slice = q.subarray(s.offset, s.offset + s.size);
        const exact = s.transform.forwardF64(slice, s.unconstrainedShape);
        if (exact !== undefined) {
          out[s.name] = { shape: s.shape.slice(), data: exact };
          continue;
        }
        const u = tf.reshape(tf.slice(qt, [s.offset], [s.size]), s.unconstrainedShape);
        out[s.name] = {
          shape: s.shape.slice(),
          data: Float64Array.from(readFloat64(s.transform.forward(u))),
        };
      }
      return out;
    });
  }

  /**
   * Constrained values of many points at once: `qs` holds `n` points row-major; each site
   * comes back with shape `[n, ...site shape]`.
   *
   * @example
   * const draws = Float64Array.of(0.1, 0.5, -0.2, 1.0, 0.3, -0.4); // 3 draws of (mu, log tau)
   * layout.unravelBatch(draws, 3).mu; // { shape: [3], data }
   */
  unravelBatch(qs: Float64Array, n: number): Record<string, Draws> {
    if (qs.length !== n * this.dim) {
      throw new ArgumentError({
        message: `unravelBatch: expected ${n} x ${this.dim} values, got ${qs.length}`,
        api: "unravelBatch",
        argument: "qs",
      });
    }
    return tidyValue(() => {
      const out = siteRecord<Draws>();
      for (const s of this.sites) {
        const slice = new Float64Array(n * s.size);
        for (let i = 0; i < n; i++)
          slice.set(
            qs.subarray(i * this.dim + s.offset, i * this.dim + s.offset + s.size),
            i * s.size,
          );
        const exact = s.transform.forwardF64(slice, [n, ...s.unconstrainedShape]);
        const data =
          exact ??
          Float64Array.from(
            readFloat64(
              s.transform.forward(tf.reshape(constant(slice), [n, ...s.unconstrainedShape])),
            ),
          );
        out[s.name] = { shape: [n, ...s.shape], data };
      }
      return out;
    });
  }

  /**
   * A flat unconstrained point from constrained values (PyMC's `map`).
   *
   * @example
   * layout.ravel({ mu: 0, tau: 1 }); // Float64Array [0, 0]
   */
  ravel(values: Record<string, ArrayLike>): Float64Array {
    return tidyValue(() => {
      const q = new Float64Array(this.dim);
      for (const s of this.sites) {
        const given = ownValue(values, s.name);
        if (given === undefined) {
          throw new ArgumentError({
            message: `ravel: no value for the latent site "${s.name}"`,
            api: "ravel",
            argument: s.name,
          });
        }
        const x = constant(given);
        if (!shapesEqual(x.shape, s.shape)) {
          throw new ArgumentError({
            message: `ravel: site "${s.name}" needs shape ${formatShape(s.shape)}, got ${formatShape(x.shape)}`,
            api: "ravel",
            argument: s.name,
          });
        }
        q.set(
          s.transform.inverseF64(readFloat64(x), s.shape) ?? readFloat64(s.transform.inverse(x)),
          s.offset,
        );
      }
      return q;
    });
  }

  private checkLength(api: string, q: Float64Array): void {
    if (q.length !== this.dim) {
      throw new ArgumentError({
        message: `${api}: q must have length ${this.dim}, got ${q.length}`,
        api,
        argument: "q",
      });
    }
  }
}
