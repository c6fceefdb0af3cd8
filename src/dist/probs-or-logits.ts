/**
 * Families given exactly one of probs and logits: Bernoulli, Binomial and Geometric (one
 * success probability and its log-odds), Categorical and Multinomial (category probabilities
 * over the last dimension and their log-probabilities). A family keeps the parameter it was
 * given, checks it against its constraint, and derives the other on demand, so that logits
 * never make a round trip through probabilities.
 */
import { type ArrayLike, tf } from "../tf.js";
import { type Constraint, real, realVector, simplex, unitInterval } from "./constraints.js";
import { param } from "./util.js";

/** Exactly one of probs and logits, as the families with that choice take it. */
export type ProbsOrLogitsSpec = { probs?: ArrayLike; logits?: ArrayLike };

/** The one of probs and logits a family was given, as a tensor. */
export type GivenProbsOrLogits = { probs: tf.Tensor } | { logits: tf.Tensor };

/** Converts `{ probs } | { logits }`, throwing (naming the family) unless exactly one is given. */
export function probsOrLogits(family: string, spec: ProbsOrLogitsSpec): GivenProbsOrLogits {
  if (spec !== null && typeof spec === "object") {
    if (spec.probs !== undefined && spec.logits === undefined) return { probs: param(spec.probs) };
    if (spec.logits !== undefined && spec.probs === undefined)
      return { logits: param(spec.logits) };
  }
  throw new TypeError(
    `${family}: give exactly one of { probs } or { logits } (as NumPyro's probs= and logits=), got ${received(spec)}`,
  );
}

/** What a probs/logits argument was, for the error: its keys, or its kind. */
function received(spec: unknown): string {
  if (spec === null || typeof spec !== "object") return String(spec);
  if (Array.isArray(spec) || ArrayBuffer.isView(spec) || spec instanceof tf.Tensor) {
    return `an array or tensor, not a record: write { probs: ... }`;
  }
  const keys = Object.keys(spec).filter((k) => (spec as Record<string, unknown>)[k] !== undefined);
  return keys.length === 0 ? "an empty record" : `{ ${keys.join(", ")} }`;
}

/** How a kind of family reads the given one of probs and logits. */
export interface ProbsOrLogitsParam {
  /** The probabilities, derived from the logits when those were given. */
  probs(given: GivenProbsOrLogits): tf.Tensor;
  /** The logits, derived from the probabilities when those were given. */
  logits(given: GivenProbsOrLogits): tf.Tensor;
  /** The given parameter's name, value and constraint, as `Distribution.checkParam` takes them. */
  check(given: GivenProbsOrLogits): [name: string, value: tf.Tensor, constraint: Constraint];
}

/** A success probability in [0, 1], or its log-odds: probs = sigmoid(logits). */
export const binaryParam: ProbsOrLogitsParam = {
  probs: (given) => ("probs" in given ? given.probs : tf.sigmoid(given.logits)),
  logits(given) {
    if ("logits" in given) return given.logits;
    const p = given.probs;
    return tf.sub(tf.log(p), tf.log1p(tf.neg(p)));
  },
  check: (given) =>
    "probs" in given ? ["probs", given.probs, unitInterval] : ["logits", given.logits, real],
};

/**
 * Category probabilities on the simplex of the last dimension, or unnormalized logits:
 * probs = softmax(logits); the logits read back normalized, log probs.
 */
export const categoricalParam: ProbsOrLogitsParam = {
  probs: (given) => ("probs" in given ? given.probs : tf.softmax(given.logits)),
  logits(given) {
    if ("logits" in given) {
      const l = given.logits;
      return tf.sub(l, tf.logSumExp(l, -1, true));
    }
    return tf.log(given.probs);
  },
  check: (given) =>
    "probs" in given ? ["probs", given.probs, simplex] : ["logits", given.logits, realVector],
};

/** The number of categories K, the last dimension of probs or logits; throws for a scalar. */
export function numCategoriesOf(family: string, given: GivenProbsOrLogits): number {
  const t = "probs" in given ? given.probs : given.logits;
  if (t.rank === 0)
    throw new Error(`${family}: probs or logits must have at least one dimension (the categories)`);
  return t.shape[t.rank - 1];
}
