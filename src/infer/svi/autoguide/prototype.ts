/**
 * What an autoguide learns about its model from one seeded run (the "prototype trace"): the
 * continuous latent sites in order, their shapes in the constrained and unconstrained spaces,
 * the transform between them, and the plates around them.
 */
import { bijectTo } from "../../../dist/biject-to.js";
import type { Transform } from "../../../dist/transforms.js";
import { ModelError } from "../../../errors.js";
import { seed } from "../../../handlers/seed.js";
import { trace } from "../../../handlers/trace.js";
import type { PlateFrame, SampleSite } from "../../../primitives/messages.js";
import { PRNGKey } from "../../../primitives/prng.js";
import type { Model } from "../../../primitives/runtime.js";
import { tidyValue } from "../../../tf.js";
import { sizeOf } from "../../../util/shapes.js";
import { isEnumerated } from "../../enum/log-joint.js";
import { FlatLayout } from "../../layout.js";

/** One latent site of the model, as an autoguide sees it. */
export interface LatentSite {
  readonly name: string;
  /** Shape of the constrained value in the prototype run. */
  readonly shape: number[];
  /** Shape of the unconstrained value in the prototype run. */
  readonly unconstrainedShape: number[];
  /** Unconstrained shape with every subsampled plate at its full size (the shape of local params). */
  readonly fullUnconstrainedShape: number[];
  /** The site's batch shape (plates and the distribution's own batch dims). */
  readonly batchShape: number[];
  /** Number of event dims of the constrained value. */
  readonly eventRank: number;
  /** Unconstrained reals -> the site's support. */
  readonly transform: Transform;
  /** The plates around the site, outermost first. */
  readonly plates: PlateFrame[];
}

/** The latent structure of a model. */
export interface Prototype {
  readonly sites: readonly LatentSite[];
  /** The flat unconstrained layout of the sites, as `potential` lays them out. */
  readonly layout: FlatLayout;
  /** Whether some latent site sits in a subsampled plate (a local latent variable). */
  readonly hasLocalLatents: boolean;
}

/**
 * Runs `model` once with a fixed seed and describes its continuous latent sites. Sites marked
 * for enumeration are left to the loss; any other discrete latent site is an error naming it.
 *
 * @example
 * const proto = discoverLatentSites("AutoNormal", model, [data]);
 * proto.sites.map((s) => s.name); // ["mu", "tau", "eta"]
 */
export function discoverLatentSites<A extends any[]>(
  api: string,
  model: Model<A, unknown>,
  args: A,
): Prototype {
  return tidyValue(() => {
    const tr = trace(seed(model, PRNGKey(0))).getTrace(...args);
    const latent = tr.sampleSites().filter(
      (s) =>
        !s.isObserved &&
        s.fn.family !== "Unit" &&
        s.infer.isAuxiliary !== true &&
        // Enumerated sites are summed out by the loss (TraceEnumELBO), not guided.
        !isEnumerated(s),
    );
    const discrete = latent.find((s) => s.fn.isDiscrete);
    if (discrete !== undefined) {
      throw new ModelError({
        message: `${api}: the latent site "${discrete.name}" is discrete (${discrete.fn.family}); autoguides cover continuous latent sites only: mark it with infer: { enumerate: "parallel" } (or configEnumerate) and use TraceEnumELBO, marginalize it, or write a guide by hand`,
        site: discrete.name,
      });
    }
    const sites = latent.map(describeSite);
    return {
      sites,
      layout: FlatLayout.fromSites(latent),
      hasLocalLatents: sites.some((s) => s.plates.some((f) => f.subsampleSize !== f.size)),
    };
  });
}

function describeSite(site: SampleSite): LatentSite {
  const transform = bijectTo(site.fn.support);
  const shape = site.value.shape.slice();
  const unconstrainedShape = transform.inverseShape(shape);
  const batchShape = site.fn.batchShape.slice();
  const full = unconstrainedShape.slice();
  for (const frame of site.plates) {
    if (frame.subsampleSize !== frame.size) full[batchShape.length + frame.dim] = frame.size;
  }
  return {
    name: site.name,
    shape,
    unconstrainedShape,
    fullUnconstrainedShape: full,
    batchShape,
    eventRank: site.fn.eventShape.length,
    transform,
    plates: site.plates.filter((f) => f.name !== "_vmap").reverse(),
  };
}

/** The number of unconstrained values of a site at full plate sizes. */
export function fullSize(site: LatentSite): number {
  return sizeOf(site.fullUnconstrainedShape);
}
