/**
 * The pointwise log-likelihood that `loo` and `waic` take, in any of the forms Tyche produces,
 * as one draws x observations matrix.
 */
import { ArgumentError } from "../errors.js";
import type { Draws } from "../infer/draws.js";
import { sizeOf } from "../util/shapes.js";
import { type InferenceData, isInferenceData } from "./inference-data.js";
import { checkDraws } from "./samples.js";

/**
 * Log-likelihood draws: a `Draws` of shape [draws, ...observation shape] (one site of what
 * `logLikelihood` returns), a record of such `Draws` (then `varName` picks one unless there is
 * only one), or an `InferenceData` with a `log_likelihood` group ([chain, draw, ...]).
 */
export type LogLikInput = Draws | Record<string, Draws> | InferenceData;

/** Options shared by `loo` and `waic`. */
export interface LogLikOptions {
  /** The observed site (variable) to use when there are several. */
  varName?: string;
  /**
   * Number of chains the draws come from, chain after chain (an InferenceData says so itself).
   * `loo` uses it for the relative efficiency r_eff of each observation, as R's
   * `relative_eff(exp(ll), chain_id)`; without it the draws count as independent (r_eff = 1).
   */
  numChains?: number;
}

/** A draws x observations matrix, row-major, with the number of chains the draws came from. */
export interface LogLikMatrix {
  numDraws: number;
  numObservations: number;
  /** Undefined when the caller did not say (the draws then count as independent). */
  numChains: number | undefined;
  /** Row-major [numDraws, numObservations]. */
  data: Float64Array;
  /** The observation shape (the matrix's columns are its elements in row-major order). */
  observationShape: number[];
}

/**
 * Reads a `LogLikInput` as a matrix, checking that every value is finite.
 *
 * @example
 * logLikMatrix({ shape: [2, 3], data: new Float64Array(6) }, {}, "loo").numObservations; // 3
 */
export function logLikMatrix(
  input: LogLikInput,
  options: LogLikOptions,
  api: string,
): LogLikMatrix {
  let draws: Draws;
  let leading = 1;
  let numChains = options.numChains;
  if (isInferenceData(input)) {
    const group = input.log_likelihood;
    if (group === undefined) {
      throw new ArgumentError({
        api,
        argument: "logLik",
        message: `${api}: the InferenceData has no log_likelihood group; pass logLikelihood to toInferenceData`,
      });
    }
    const variable = group.variables[pick(Object.keys(group.variables), options.varName, api)];
    draws = { shape: variable.shape, data: variable.data };
    leading = 2;
    numChains = variable.shape[0];
  } else if (isDraws(input)) {
    draws = input;
  } else {
    const record = input as Record<string, Draws>;
    draws = record[pick(Object.keys(record), options.varName, api)];
  }
  checkDraws(draws, options.varName ?? "logLik", api);
  if (draws.shape.length < leading) {
    throw new ArgumentError({
      api,
      argument: "logLik",
      message: `${api}: log-likelihood draws need a leading draws dimension, got shape [${draws.shape.join(", ")}]`,
    });
  }
  const numDraws = sizeOf(draws.shape.slice(0, leading));
  const observationShape = draws.shape.slice(leading);
  const numObservations = sizeOf(observationShape);
  if (
    numChains !== undefined &&
    (!Number.isInteger(numChains) || numChains < 1 || numDraws % numChains !== 0)
  ) {
    throw new ArgumentError({
      api,
      argument: "numChains",
      message: `${api}: numChains must be a positive integer that divides the ${numDraws} draws, got ${numChains}`,
    });
  }
  if (numDraws < 2) {
    throw new ArgumentError({
      api,
      argument: "logLik",
      message: `${api}: needs at least 2 draws, got ${numDraws}`,
    });
  }
  for (let i = 0; i < draws.data.length; i++) {
    if (!Number.isFinite(draws.data[i])) {
      throw new ArgumentError({
        api,
        argument: "logLik",
        message: `${api}: every log-likelihood value must be finite, got ${draws.data[i]} at draw ${Math.floor(i / numObservations)}, observation ${i % numObservations}`,
      });
    }
  }
  return { numDraws, numObservations, numChains, data: draws.data, observationShape };
}

/** Column `j` of the matrix. */
export function column(m: LogLikMatrix, j: number): Float64Array {
  const out = new Float64Array(m.numDraws);
  for (let s = 0; s < m.numDraws; s++) out[s] = m.data[s * m.numObservations + j];
  return out;
}

function isDraws(value: unknown): value is Draws {
  const v = value as Partial<Draws>;
  return Array.isArray(v.shape) && v.data instanceof Float64Array;
}

function pick(names: string[], varName: string | undefined, api: string): string {
  if (varName !== undefined) {
    if (!names.includes(varName)) {
      throw new ArgumentError({
        api,
        argument: "varName",
        message: `${api}: no log-likelihood of "${varName}"; there are: ${names.join(", ")}`,
      });
    }
    return varName;
  }
  if (names.length !== 1) {
    throw new ArgumentError({
      api,
      argument: "varName",
      message: `${api}: varName must name one of the observed sites ${names.join(", ")}, got none`,
    });
  }
  return names[0];
}
