/**
 * The log joint of a model with enumerated sites summed out, and what a first run of a model
 * tells about its enumeration: which sites are enumerated and where their dims start.
 */
import { withoutTensorValidation } from "../../dist/validation.js";
import { ModelError } from "../../errors.js";
import { enumerate } from "../../handlers/enumerate.js";
import { seed } from "../../handlers/seed.js";
import { type Trace, trace } from "../../handlers/trace.js";
import { batchRankOfTrace } from "../../handlers/vmap.js";
import type { SampleSite } from "../../primitives/messages.js";
import { type Key, PRNGKey } from "../../primitives/prng.js";
import type { Model } from "../../primitives/runtime.js";
import { withFirstStepOnly } from "../../primitives/scan-tracer.js";
import { tf, tidyValue } from "../../tf.js";
import { tryBroadcastShapes } from "../../util/shapes.js";
import { planContraction, runPlan } from "./contract.js";
import { chainFactorOf, factorGraph } from "./factors.js";

/** Whether a site is to be summed out: latent, and marked `infer: { enumerate: "parallel" }`. */
export function isEnumerated(site: SampleSite): boolean {
  return !site.isObserved && site.infer.enumerate !== undefined;
}

/**
 * Checks that a site marked for enumeration can be enumerated, naming it when not.
 *
 * @example
 * for (const site of tr.sampleSites()) if (isEnumerated(site)) checkEnumerable("potential", site);
 */
export function checkEnumerable(api: string, site: SampleSite): void {
  if (site.infer.enumerate !== "parallel") {
    throw new ModelError({
      message: `${api}: site "${site.name}" asks for enumerate: "${String(site.infer.enumerate)}"; only "parallel" is supported`,
      site: site.name,
    });
  }
  if (!site.fn.hasEnumerateSupport || site.fn.eventShape.length > 0) {
    throw new ModelError({
      message: `${api}: site "${site.name}" is marked for enumeration, but its distribution (${site.fn.family}) has no finite support of scalar values to enumerate (no enumerateSupport)`,
      site: site.name,
    });
  }
}

/** What a first run of a model tells about its enumeration. */
export interface EnumerationSetup {
  /** The enumerated sites, in the order the model visits them. */
  readonly sites: readonly string[];
  /** The rightmost enumeration dim: one left of every batch dim of the model. */
  readonly firstAvailableDim: number;
  /**
   * Each sample site's log-probability shape without enumeration: under enumeration it may
   * only gain dims left of `firstAvailableDim` (what the contraction checks).
   */
  readonly shapes: ReadonlyMap<string, readonly number[]>;
}

/**
 * The enumeration of a model found by one seeded run (`tr` when a run was made already).
 *
 * @example
 * const { sites, firstAvailableDim } = enumerationSetup("potential", mixture, [y]);
 */
export function enumerationSetup<A extends unknown[]>(
  api: string,
  model: Model<A, unknown>,
  args: A,
  options: { key?: Key; trace?: Trace; maxPlateNesting?: number } = {},
): EnumerationSetup {
  return tidyValue(() => {
    const tr =
      options.trace ??
      withoutTensorValidation(() =>
        trace(seed(model as Model<any[], unknown>, options.key ?? PRNGKey(0))).getTrace(...args),
      );
    const sites = tr.sampleSites().filter(isEnumerated);
    for (const site of sites) checkEnumerable(api, site);
    const nesting = options.maxPlateNesting ?? batchRankOfTrace(tr);
    const shapes = new Map(
      tr.sampleSites().map((s) => {
        const batch = s.value.shape.slice(0, s.value.rank - s.fn.eventShape.length);
        return [s.name, tryBroadcastShapes(batch, s.fn.batchShape) ?? s.fn.batchShape] as const;
      }),
    );
    return { sites: sites.map((s) => s.name), firstAvailableDim: -1 - nesting, shapes };
  });
}

/**
 * The model under the enumeration handler with the dims of `setup`.
 *
 * @example
 * const tr = trace(enumerated(model, setup)).getTrace(...args);
 */
export function enumerated<A extends any[], R>(
  model: Model<A, R>,
  setup: EnumerationSetup,
): Model<A, R> {
  return enumerate(model, { firstAvailableDim: setup.firstAvailableDim });
}

/**
 * The log joint of a trace recorded under `enumerate`, with its enumerated sites summed out
 * (the log density of the other sites). `api` names the caller in errors; with the `setup` of
 * the model, shapes that enumeration changed right of its dims are errors too.
 *
 * @example
 * const lp = enumeratedLogJoint("potential", trace(enumerated(model, setup)).getTrace(y));
 */
export function enumeratedLogJoint(api: string, tr: Trace, setup?: EnumerationSetup): tf.Scalar {
  const graph = factorGraph(api, tr, setup?.shapes);
  const target = new Set<string>();
  const plan = planContraction(api, graph, target);
  return tf.sum(runPlan(plan, graph, target, "sum")) as tf.Scalar;
}

/**
 * The sites of a trace recorded under `enumerate` whose log-probabilities depend on enumerated
 * sites (the enumerated sites included): their log density exists only summed together.
 *
 * @example
 * enumeratedSiteGroup("pointLogProbs", tr); // ["z", "y"]
 */
export function enumeratedSiteGroup(api: string, tr: Trace, setup?: EnumerationSetup): string[] {
  const group = new Set(factorGraph(api, tr, setup?.shapes).factors.map((f) => f.site));
  // The sites of an enumerated scan count in its forward message.
  for (const site of tr.sampleSites()) if (chainFactorOf(site) !== undefined) group.add(site.name);
  return [...group];
}

/**
 * Plans the contraction of a model's enumerated sites on one seeded run, and returns its cost
 * (elements built per evaluation); a structure that cannot be summed out exactly is an error
 * naming its sites and plates, found here rather than at the first evaluation.
 *
 * @example
 * contractionCost("potential", hmm, [y], enumerationSetup("potential", hmm, [y])); // ~ T N K^2
 */
export function contractionCost<A extends unknown[]>(
  api: string,
  model: Model<A, unknown>,
  args: A,
  setup: EnumerationSetup,
  key: Key = PRNGKey(0),
): number {
  return tidyValue(() =>
    withoutTensorValidation(() => {
      const run = enumerated(model as Model<any[], unknown>, setup);
      // Scans run two steps (the second the first to read the previous step's states): the
      // structure, at a cost that does not grow with their length.
      const tr = withFirstStepOnly(() => trace(seed(run, key)).getTrace(...args), 2);
      // Enumerated scans sum their chains out inside the loop: their work counts too.
      const chains = tr.sampleSites().reduce((n, s) => n + (chainFactorOf(s)?.cost ?? 0), 0);
      return planContraction(api, factorGraph(api, tr, setup.shapes), new Set()).cost + chains;
    }),
  );
}
