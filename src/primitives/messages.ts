/**
 * The messages a model yields to its handlers: a discriminated union keyed by `type`.
 * A `factor` is a `sample` of a `Unit` distribution carrying the log-weight, as in NumPyro.
 */
import type { Constraint } from "../dist/constraints.js";
import type { Distribution } from "../dist/distribution.js";
import type { ArrayLike, tf } from "../tf.js";
import type { Key } from "./prng.js";

/** A conditionally independent dimension opened by `plate` (or by `vmap`). */
export interface PlateFrame {
  readonly name: string;
  /** Full size of the plate. */
  readonly size: number;
  /** Number of indices actually used (equals `size` unless subsampling). */
  readonly subsampleSize: number;
  /** Negative batch dimension the plate occupies. */
  readonly dim: number;
}

/** Per-site options for inference algorithms. */
export interface InferOptions {
  /**
   * "parallel": sum this discrete site out by enumerating its support on a dimension of its
   * own (see `enumerate`, `configEnumerate`). "sequential" is not supported.
   */
  enumerate?: "parallel" | "sequential";
  [option: string]: unknown;
}

/** One step of a `markov` loop around a message (a markov frame, as plates have plate frames). */
export interface MarkovFrame {
  /** Identifies the loop: frames of the same loop share it. */
  readonly id: number;
  /** The step's index in the loop, 0, 1, 2, ... */
  readonly step: number;
  /** How many earlier steps a step may depend on (1: a first-order chain). */
  readonly history: number;
}

/** What the enumeration handler recorded on a sample message. */
export interface SiteEnumeration {
  /** The first (rightmost) dim the handler allocates enumeration dims from, left of every plate. */
  readonly firstAvailableDim: number;
  /** The enumerated variable this site is, if the handler enumerated it. */
  readonly variable?: { readonly id: number; readonly dim: number; readonly size: number };
  /** The enumeration dims in use when the site was visited: dim -> the id of the variable on it. */
  readonly dims: ReadonlyMap<number, number>;
}

interface MessageBase {
  name: string;
  /** The value; null until a handler or the default behaviour sets it. */
  value: tf.Tensor | null;
  /** Plates (and vmap) enclosing this message, innermost first. */
  plates: PlateFrame[];
  /** Set by a handler to hide the message from the handlers outside it. */
  stop: boolean;
  /**
   * Set on the message `scan` sends for a site of its body before running it: handlers process
   * it (to give the site a whole-series value, a key, or plates), but it gets no default
   * behaviour and no postprocessing, so traces do not record it. The site itself follows
   * later, once, with its stacked value.
   */
  probe?: ScanProbe;
}

/** What a `scan` probe carries: the number of steps of the scan that sent it. */
export interface ScanProbe {
  readonly length: number;
}

/** `sample(name, fn, {obs})`: a random variable, latent or observed. */
export interface SampleMessage extends MessageBase {
  type: "sample";
  fn: Distribution;
  isObserved: boolean;
  /**
   * Set by `condition`: the value was imposed by a handler, not given as `obs` by the model, so
   * `resampleObserved` (Predictive's posterior predictive) keeps it.
   */
  conditioned?: boolean;
  /** Multiplies the log-probability (plates with subsampling, `scale`). */
  scale: number | tf.Tensor | null;
  /** Where false, the log-probability is zero (`mask`). */
  mask: boolean | tf.Tensor | null;
  /** The key the default behaviour samples with (set by `seed`). */
  key: Key | null;
  infer: InferOptions;
  /** The `markov` steps around the site, innermost first (absent outside markov loops). */
  markov?: MarkovFrame[];
  /** Set by the enumeration handler (`enumerate`). */
  enumeration?: SiteEnumeration;
}

/** `deterministic(name, value)`: a named function of other sites, recorded in traces. */
export interface DeterministicMessage extends MessageBase {
  type: "deterministic";
}

/** `param(name, init, {constraint})`: an optimizable parameter (SVI). */
export interface ParamMessage extends MessageBase {
  type: "param";
  init: ArrayLike | ((key: Key) => tf.Tensor);
  constraint: Constraint;
  key: Key | null;
}

/** The message `plate` sends before its body runs, to learn its dim and subsample indices. */
export interface PlateMessage extends MessageBase {
  type: "plate";
  size: number;
  subsampleSize: number;
  key: Key | null;
}

/** Everything a model can yield. */
export type Message = SampleMessage | DeterministicMessage | ParamMessage | PlateMessage;

/** A message after processing, as recorded in a trace: its value is set. */
export type Site = {
  [K in Message["type"]]: Extract<Message, { type: K }> & { value: tf.Tensor };
}[Message["type"]];

/** A recorded sample site. */
export type SampleSite = Extract<Site, { type: "sample" }>;
