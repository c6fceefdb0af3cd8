/**
 * The result of an MCMC run as the exporters, readers and plots consume it (the contract itself,
 * `McmcRun`, is in infer/mcmc-run.ts, which the MCMC driver fills): checks and views of draws
 * grouped by chain, `[numChains, numDraws, ...]`.
 */
import { ArgumentError } from "../errors.js";
import type { Draws } from "../infer/draws.js";
import type { ChainSamples, McmcRun } from "../infer/mcmc-run.js";
import { sizeOf } from "../util/shapes.js";

export {
  type ChainSamples,
  type McmcMetadata,
  type McmcRun,
  type SamplerStatName,
  samplerStatColumns,
} from "../infer/mcmc-run.js";

/**
 * True when `value` is an `McmcRun` rather than a bare record of samples.
 *
 * @example
 * isMcmcRun({ mu: { shape: [1, 2], data: new Float64Array(2) } }); // false
 */
export function isMcmcRun(value: McmcRun | ChainSamples): value is McmcRun {
  const v = value as Partial<McmcRun>;
  return (
    typeof v.samples === "object" &&
    v.samples !== null &&
    typeof v.extra === "object" &&
    typeof v.metadata === "object" &&
    !("shape" in v.samples && "data" in v.samples)
  );
}

/**
 * The samples of a run, or the record itself when given bare samples.
 *
 * @example
 * samplesOf(run).mu.shape; // [numChains, numDraws]
 */
export function samplesOf(value: McmcRun | ChainSamples): ChainSamples {
  return isMcmcRun(value) ? value.samples : value;
}

/** Number of chains and draws per chain shared by every site. */
export interface ChainLayout {
  numChains: number;
  numDraws: number;
}

/**
 * Checks that every entry is a well-formed `Draws` grouped by chain with the same
 * `[numChains, numDraws]`, and returns those two numbers.
 *
 * @example
 * chainLayout({ mu: { shape: [2, 3], data: new Float64Array(6) } }, "plot.trace"); // { numChains: 2, numDraws: 3 }
 */
export function chainLayout(samples: Record<string, Draws>, api: string): ChainLayout {
  let layout: ChainLayout | undefined;
  let first = "";
  for (const [name, draws] of Object.entries(samples)) {
    checkDraws(draws, name, api);
    if (draws.shape.length < 2) {
      throw new ArgumentError({
        api,
        argument: name,
        message: `${api}: site "${name}" must be grouped by chain, shape [numChains, numDraws, ...], got shape [${draws.shape.join(", ")}]`,
      });
    }
    const [numChains, numDraws] = draws.shape;
    if (layout === undefined) {
      layout = { numChains, numDraws };
      first = name;
    } else if (layout.numChains !== numChains || layout.numDraws !== numDraws) {
      throw new ArgumentError({
        api,
        argument: name,
        message: `${api}: every site must have the same [numChains, numDraws]; "${first}" has [${layout.numChains}, ${layout.numDraws}], "${name}" has [${numChains}, ${numDraws}]`,
      });
    }
  }
  if (layout === undefined) {
    throw new ArgumentError({
      api,
      argument: "samples",
      message: `${api}: samples must contain at least one site, got none`,
    });
  }
  return layout;
}

/** Throws unless `draws` has integer dimensions and `data.length` equal to their product. */
export function checkDraws(draws: Draws, name: string, api: string): void {
  if (
    draws === null ||
    typeof draws !== "object" ||
    !Array.isArray(draws.shape) ||
    !(draws.data instanceof Float64Array)
  ) {
    throw new ArgumentError({
      api,
      argument: name,
      message: `${api}: "${name}" must be Draws { shape: number[]; data: Float64Array }, got ${describe(draws)}`,
    });
  }
  if (!draws.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ArgumentError({
      api,
      argument: name,
      message: `${api}: "${name}" must have non-negative integer dimensions, got shape [${draws.shape.join(", ")}]`,
    });
  }
  const size = sizeOf(draws.shape);
  if (draws.data.length !== size) {
    throw new ArgumentError({
      api,
      argument: name,
      message: `${api}: "${name}" has shape [${draws.shape.join(", ")}] (${size} values) but data of length ${draws.data.length}`,
    });
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  const shape = (value as { shape?: unknown }).shape;
  const data = (value as { data?: unknown }).data;
  const dataKind =
    data === undefined ? "no data" : `data of type ${data?.constructor?.name ?? typeof data}`;
  return `an object with ${Array.isArray(shape) ? "a shape" : "no shape"} and ${dataKind}`;
}

/** Anything that can give a run: `MCMC` does, through `toMcmcRun()`. */
export interface McmcRunSource {
  toMcmcRun(): McmcRun;
}

/** What the exporters and plots accept: a run, samples grouped by chain, or an `MCMC`. */
export type RunLike = McmcRun | ChainSamples | McmcRunSource;

/**
 * The run or samples behind a `RunLike`.
 *
 * @example
 * resolveRun(mcmc).metadata.numChains;
 */
export function resolveRun<T extends RunLike>(
  value: T,
): T extends McmcRunSource ? McmcRun : Exclude<T, McmcRunSource> {
  const source = value as Partial<McmcRunSource>;
  return (typeof source.toMcmcRun === "function" ? source.toMcmcRun() : value) as never;
}
