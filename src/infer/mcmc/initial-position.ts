/**
 * Runs an init strategy (init-strategies.ts) on the main thread: prior draws for the median,
 * the user's values raveled; and describes a point where the density is not finite.
 */
import type { Key } from "../../primitives/prng.js";
import type { Model } from "../../primitives/runtime.js";
import type { ArrayLike } from "../../tf.js";
import { toNested } from "../../util/nested.js";
import { siteRecord } from "../../util/records.js";
import type { Potential } from "../potential.js";
import { Predictive } from "../predictive.js";
import type { InitStrategy } from "./init-strategies.js";

/**
 * The unconstrained starting point of a chain, or undefined to let the sampler draw uniform
 * points itself (with retries; Pathfinder then starts its path there).
 */
export function initialPosition<A extends unknown[]>(
  strategy: InitStrategy,
  model: Model<A, unknown>,
  args: A,
  target: Potential,
  key: Key,
): Float64Array | undefined {
  switch (strategy.kind) {
    case "uniform":
    case "pathfinder":
      return undefined;
    case "value":
      return target.ravel(strategy.values as Record<string, ArrayLike>);
    case "median": {
      const names = target.layout.sites.map((s) => s.name);
      const prior = new Predictive(model, {
        numSamples: strategy.numSamples,
        returnSites: names,
      }).run(key, ...args);
      const values = siteRecord<ArrayLike>();
      for (const site of target.layout.sites) {
        values[site.name] = toNested(
          elementwiseMedian(prior[site.name].data, strategy.numSamples),
          site.shape,
        );
      }
      return target.ravel(values);
    }
  }
}

function elementwiseMedian(data: Float64Array, n: number): Float64Array {
  const size = data.length / n;
  const out = new Float64Array(size);
  const column = new Float64Array(n);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < n; i++) column[i] = data[i * size + j];
    column.sort();
    out[j] = n % 2 === 1 ? column[(n - 1) / 2] : 0.5 * (column[n / 2 - 1] + column[n / 2]);
  }
  return out;
}

/** Per-site log-probabilities at an unconstrained point, for initialization errors. */
export function describePoint(target: Potential, q: Float64Array): string {
  try {
    const lp = target.pointLogProbs(q);
    return `log-probabilities per site at that point: ${Object.entries(lp)
      .map(([name, v]) => `${name}: ${v}`)
      .join(", ")}`;
  } catch (e) {
    return `(per-site log-probabilities could not be computed: ${(e as Error).message})`;
  }
}
