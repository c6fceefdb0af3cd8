/**
 * The plated factor graph of a trace recorded under `enumerate`: the enumerated variables, the
 * log-probability factors with the variables and plates each depends on, and the plates.
 * Factors that depend on no enumerated variable are summed as they are (`plain`). Shapes that
 * would make the contraction wrong are errors naming the site.
 */

import { ExpandedDistribution } from "../../dist/distribution.js";
import { ModelError } from "../../errors.js";
import type { Trace } from "../../handlers/trace.js";
import { padTo, supportLogProb } from "../../primitives/enum-tensors.js";
import type { SampleSite } from "../../primitives/messages.js";
import { scaleAndMask } from "../../primitives/scale-mask.js";
import { type ChainRing, ScanChainFactor } from "../../primitives/scan-chain.js";
import type { tf } from "../../tf.js";
import { formatShape } from "../../util/shapes.js";

/** An enumerated site: a variable summed out by the contraction. */
export interface EnumVariable {
  readonly id: number;
  readonly site: string;
  /** Its dim (negative) in every factor's log-probability. */
  readonly dim: number;
  /** Number of values. */
  readonly size: number;
  /** Names of the plates the site is in: it is one variable per element of each. */
  readonly plates: ReadonlySet<string>;
}

/** A plate as the contraction uses it. */
export interface EnumPlate {
  readonly name: string;
  readonly dim: number;
  /** Number of indices in use. */
  readonly size: number;
  /** size / subsampleSize of the full plate: the weight of each element's log-factor. */
  readonly scale: number;
}

/** A log-probability that depends on enumerated variables. */
export interface EnumFactor {
  readonly site: string;
  /** Padded to the graph's rank, mask applied (its plates' subsampling scale comes later). */
  readonly logProb: tf.Tensor;
  /** Ids of the variables it depends on. */
  readonly variables: ReadonlySet<number>;
  /** Names of its plates. */
  readonly plates: ReadonlySet<string>;
}

/** The factor graph of one enumerated trace. */
export interface FactorGraph {
  /** The rank every factor is padded to. */
  readonly rank: number;
  readonly variables: ReadonlyMap<number, EnumVariable>;
  readonly plates: ReadonlyMap<string, EnumPlate>;
  readonly factors: readonly EnumFactor[];
  /** The factors that depend on no enumerated variable, padded to `rank`, scale and mask applied. */
  readonly plain: readonly tf.Tensor[];
}

/**
 * The factor graph of a trace; `api` names the caller in errors.
 *
 * @example
 * const tr = trace(enumerate(seed(mixture, 0), { maxPlateNesting: 1 })).getTrace(points);
 * const graph = factorGraph("potential", tr);
 */
export function factorGraph(
  api: string,
  tr: Trace,
  unenumeratedShapes?: ReadonlyMap<string, readonly number[]>,
  ring: ChainRing = "sum",
): FactorGraph {
  const sites = tr.sampleSites();
  const variables = new Map<number, EnumVariable>();
  const plates = new Map<string, EnumPlate>();
  let minDim = 0;
  for (const site of sites) {
    for (const f of site.plates) {
      plates.set(f.name, {
        name: f.name,
        dim: f.dim,
        size: f.subsampleSize,
        scale: f.size / f.subsampleSize,
      });
    }
    const v = site.enumeration?.variable;
    if (v === undefined) continue;
    variables.set(v.id, {
      id: v.id,
      site: site.name,
      dim: v.dim,
      size: v.size,
      plates: new Set(site.plates.map((f) => f.name)),
    });
    minDim = Math.min(minDim, v.dim);
  }
  const logProbs = sites.map((site) => {
    // An enumerated scan's forward message, in the ring of the contraction.
    const chain = chainFactorOf(site);
    if (chain !== undefined) return chain.factor(ring);
    const v = site.enumeration?.variable;
    return (v && supportLogProb(site, v.dim)) ?? site.fn.logProb(site.value);
  });
  const rank = Math.max(-minDim, ...logProbs.map((lp) => lp.rank));
  const factors: EnumFactor[] = [];
  const plain: tf.Tensor[] = [];
  sites.forEach((site, i) => {
    const expected = unenumeratedShapes?.get(site.name);
    if (expected !== undefined) checkUnchanged(api, site, logProbs[i].shape, expected);
    const dependsOn = variablesOf(api, site, logProbs[i], variables);
    if (dependsOn.size === 0) {
      plain.push(padTo(scaleAndMask(logProbs[i], site.scale, site.mask), rank));
      return;
    }
    checkScale(api, site, dependsOn, variables);
    const own = new Set(site.plates.map((f) => f.name));
    for (const id of dependsOn) {
      const v = variables.get(id) as EnumVariable;
      const outside = [...v.plates].filter((p) => !own.has(p));
      if (outside.length > 0) {
        throw new ModelError({
          message: `${api}: site "${site.name}" depends on the enumerated site "${v.site}" of plate "${outside[0]}", but is not inside that plate; a site can depend on an enumerated site only inside all of its plates`,
          site: site.name,
        });
      }
    }
    checkPlateDims(api, site, logProbs[i], dependsOn, variables);
    const lp = padTo(scaleAndMask(logProbs[i], null, site.mask), rank);
    factors.push({ site: site.name, logProb: lp, variables: dependsOn, plates: own });
  });
  return { rank, variables, plates, factors, plain };
}

// The enumerated variables a site's log-probability depends on: its dims of size > 1 left of
// the plates, each of which must be a variable's dim with the variable's size.
function variablesOf(
  api: string,
  site: SampleSite,
  logProb: tf.Tensor,
  variables: ReadonlyMap<number, EnumVariable>,
): Set<number> {
  const out = new Set<number>();
  const info = site.enumeration;
  if (info === undefined) return out;
  const shape = logProb.shape;
  for (let axis = 0; axis < shape.length; axis++) {
    const dim = axis - shape.length;
    if (dim > info.firstAvailableDim || shape[axis] === 1) continue;
    const id = info.dims.get(dim);
    const v = id === undefined ? undefined : variables.get(id);
    if (v === undefined || v.size !== shape[axis]) {
      throw new ModelError({
        message:
          `${api}: site "${site.name}" has a log-probability of shape ${formatShape(shape)} whose dim ${dim} (size ${shape[axis]}) ` +
          (v === undefined
            ? `is left of the plates, where only enumerated sites may put dims; declare the dim with a plate, or give a larger maxPlateNesting`
            : `should be the ${v.size} values of the enumerated site "${v.site}"; index from the right`),
        site: site.name,
      });
    }
    out.add(v.id);
  }
  return out;
}

// Enumeration adds dims left of firstAvailableDim and nothing else: a log-probability whose
// dims right of it differ from the run without enumeration had an enumeration dim moved right
// (a sum or reshape that did not index from the right), which would be summed wrongly.
function checkUnchanged(
  api: string,
  site: SampleSite,
  shape: readonly number[],
  expected: readonly number[],
): void {
  const first = site.enumeration?.firstAvailableDim;
  if (first === undefined) return;
  const n = -first - 1;
  const lastDims = (s: readonly number[]) => {
    const padded = [...new Array<number>(Math.max(0, n - s.length)).fill(1), ...s];
    return padded.slice(padded.length - n);
  };
  const got = lastDims(shape);
  const want = lastDims(expected);
  // A dim of size 1 is a log-probability constant along it (the contraction broadcasts it).
  if (got.every((d, i) => d === 1 || d === want[i])) return;
  throw new ModelError({
    message:
      `${api}: under enumeration, site "${site.name}" has a log-probability of shape ${formatShape(shape)}, which ends in ${formatShape(got)} ` +
      `where the run without enumeration has ${formatShape(want)}: enumeration dims moved right, among the plates' dims, which happens when ` +
      "the model sums or reshapes without indexing from the right (keep the dims of plates when reducing over them)",
    site: site.name,
  });
}

// Right of the enumeration dims, a factor of enumerated variables may only vary along its own
// plates: any other dim there (a batch dim that is not a plate, or an enumeration dim moved
// right by a reduction that did not index from the right) would be summed wrongly.
function checkPlateDims(
  api: string,
  site: SampleSite,
  logProb: tf.Tensor,
  dependsOn: ReadonlySet<number>,
  variables: ReadonlyMap<number, EnumVariable>,
): void {
  const first = site.enumeration?.firstAvailableDim ?? -1;
  const shape = logProb.shape;
  for (let dim = -1; dim > first && shape.length + dim >= 0; dim--) {
    const size = shape[shape.length + dim];
    if (size === 1 || site.plates.some((f) => f.dim === dim)) continue;
    const names = [...dependsOn].map((id) => `"${variables.get(id)?.site}"`).join(", ");
    throw new ModelError({
      message:
        `${api}: site "${site.name}" depends on the enumerated site${dependsOn.size > 1 ? "s" : ""} ${names}, and its log-probability ` +
        `(shape ${formatShape(shape)}) varies along dim ${dim} (size ${size}), which is not one of its plates; ` +
        "declare that dim with a plate, and index and reduce from the right (keep the dims of plates when summing over them)",
      site: site.name,
    });
  }
}

// A factor of enumerated variables is summed out before it is scaled, so its scale can only
// come from subsampled plates (applied when the plate is summed); any other scale is an error.
function checkScale(
  api: string,
  site: SampleSite,
  dependsOn: ReadonlySet<number>,
  variables: ReadonlyMap<number, EnumVariable>,
): void {
  const plateScale = site.plates.reduce((s, f) => s * (f.size / f.subsampleSize), 1);
  const scale = site.scale;
  if (scale === null || (typeof scale === "number" && Math.abs(scale / plateScale - 1) < 1e-12))
    return;
  const names = [...dependsOn].map((id) => `"${variables.get(id)?.site}"`).join(", ");
  throw new ModelError({
    message: `${api}: site "${site.name}" depends on the enumerated site${dependsOn.size > 1 ? "s" : ""} ${names} and has a scale (${typeof scale === "number" ? scale : "a tensor"}) other than its plates' subsampling; scaling such sites is not supported`,
    site: site.name,
  });
}

/**
 * The forward message of an enumerated scan that a site carries (scan-chain.ts), if it does.
 *
 * @example
 * chainFactorOf(tr.get("x"))?.factor("max");
 */
export function chainFactorOf(site: SampleSite): ScanChainFactor | undefined {
  const fn = site.fn instanceof ExpandedDistribution ? site.fn.base : site.fn;
  return fn instanceof ScanChainFactor ? fn : undefined;
}
