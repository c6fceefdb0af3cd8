/**
 * `scan` under enumeration: a hidden Markov chain written with `scan`, its discrete states
 * summed out along time by the forward algorithm inside the loop (`markov` for scans; NumPyro's
 * `scan` with enumerated sites in its body).
 *
 * A body's site that the enumeration handler outside enumerates (its probe took a dim there)
 * takes its support on that dim, the "current" dim, at every step. The values the body carries
 * to the next step move to a second dim, the "previous" one, so that step t sees x_{t-1} on the
 * previous dim and x_t on the current one: the same dims at every step, so a step traced once
 * serves them all. The carry gains the forward message alpha_t, the log-probability of the
 * observations so far for each value of the current states (and of enumerated sites outside the
 * scan that the steps depend on):
 *
 *     alpha_{t+1} = logsumexp over previous (alpha_t moved to previous + F_t),
 *
 * where F_t sums the log-probabilities of every sample site of step t, its plates inside the
 * body summed over unless the chain's sites sit in them. After the last step alpha_T is one
 * factor of the last states: the contraction outside sums those out with whatever uses the
 * last carry. The body's sites are then recorded as usual (stacked values) but with a log-
 * probability of zero, since alpha_T holds them all; enumerated sites are never stacked and
 * summed. A first-order chain (NumPyro's history 1): a carry that depends on the previous
 * step's states is an error. The eager loop keeps each F_t, so `inferDiscrete` can run the
 * recursion in the max ring and sample or decode backwards (forward-filtering backward-sampling,
 * Viterbi).
 *
 * References: Rabiner 1989 (the forward algorithm); Obermeyer et al. 2019, "Tensor Variable
 * Elimination for Plated Factor Graphs" (time as a markov dimension of the factor graph).
 */

import type { Constraint } from "../dist/constraints.js";
import { Distribution } from "../dist/distribution.js";
import { ModelError } from "../errors.js";
import { tf } from "../tf.js";
import { callable } from "../util/callable.js";
import { formatShape, sizeOf } from "../util/shapes.js";
import { logSumExpKeepingInfinity, padTo, supportLogProb } from "./enum-tensors.js";
import type { PlateFrame, SampleMessage } from "./messages.js";
import type { Key } from "./prng.js";
import { scaleAndMask } from "./scale-mask.js";
import type { ScanState, StepResult } from "./scan-step.js";

/** An enumerated site of a scan's body: a state of the chain. */
export interface ChainSite {
  readonly name: string;
  /** The variable the enumeration handler made of its probe. */
  readonly id: number;
  readonly size: number;
  /** The dim of the current step's value (the variable's dim outside the scan). */
  readonly current: number;
  /** The dim the value moves to for the next step. */
  readonly previous: number;
  /** Its support on the current dim. */
  readonly support: tf.Tensor;
  /** Its batch rank inside the body (the dims right of its time dimension). */
  readonly ownBatchRank: number;
}

/** How a scan sums its enumerated sites out (see the file comment). */
export interface ScanChain {
  readonly sites: readonly ChainSite[];
  /** The rank step tensors are padded to: enough for the leftmost previous dim. */
  readonly rank: number;
  /** The plates inside the body that the chain's sites sit in (kept in alpha). */
  readonly plates: readonly PlateFrame[];
  /** Where the enumeration handler outside starts its dims. */
  readonly firstAvailableDim: number;
}

/** Ring of the recursion: sums (the marginal) or maxima (the mode). */
export type ChainRing = "sum" | "max";

/**
 * How a scan sums its enumerated sites out, decided after its first step: undefined when no
 * enumeration handler is active outside, or when nothing of the step depends on enumerated
 * values (then the scan stacks its sites as usual).
 *
 * @example
 * const chain = scanChainOf(state, firstStep);
 */
export function scanChainOf(state: ScanState, first: StepResult): ScanChain | undefined {
  const decisions = [...state.decisions.values()];
  const context = decisions.find((d) => d.enumeration !== undefined)?.enumeration;
  if (context === undefined) return undefined;
  const used = new Set<number>([context.firstAvailableDim]);
  for (const d of decisions) {
    for (const dim of d.enumeration?.dims.keys() ?? []) used.add(dim);
    if (d.enumerated !== undefined) used.add(d.enumerated.dim);
  }
  let next = Math.min(...used) - 1;
  const sites: ChainSite[] = [];
  let plates: PlateFrame[] | undefined;
  let platesOf = "";
  for (const name of state.order) {
    const d = state.decisions.get(name)!;
    const e = d.enumerated;
    if (e === undefined) continue;
    const msg = first.sites.get(name) as SampleMessage;
    const inner = msg.plates.slice(0, d.innerFrames);
    if (plates === undefined) {
      plates = inner;
      platesOf = name;
    } else if (!samePlates(plates, inner)) {
      throw new ModelError({
        message: `scan: the enumerated sites "${platesOf}" and "${name}" of the body sit in different plates inside it (${plateList(plates)} and ${plateList(inner)}); the enumerated sites of one scan must share their plates`,
        site: name,
      });
    }
    sites.push({
      name,
      id: e.id,
      size: e.size,
      current: e.dim,
      previous: next,
      support: e.support,
      ownBatchRank: d.ownBatchRank,
    });
    next -= 1;
  }
  const chain: ScanChain = {
    sites,
    rank: -(next + 1),
    plates: plates ?? [],
    firstAvailableDim: context.firstAvailableDim,
  };
  if (sites.length > 0) return chain;
  // No enumerated site in the body: it takes part only if a log-probability of its first step
  // depends on enumerated sites outside (later steps cannot start to: only the carry links them).
  for (const name of state.order) {
    const msg = first.sites.get(name)!;
    if (msg.type !== "sample") continue;
    const lp = msg.fn.logProb(msg.value as tf.Tensor);
    const left = lp.shape.slice(0, Math.max(0, lp.rank + context.firstAvailableDim + 1));
    if (left.some((n) => n > 1)) return chain;
  }
  return undefined;
}

function samePlates(a: readonly PlateFrame[], b: readonly PlateFrame[]): boolean {
  return a.length === b.length && a.every((f) => b.some((g) => g.name === f.name));
}

function plateList(plates: readonly PlateFrame[]): string {
  return plates.length === 0 ? "none" : plates.map((f) => `"${f.name}"`).join(", ");
}

/**
 * `t` as the next step reads it: the chain's values moved from their current dims to their
 * previous dims. `what` names the tensor in the error for one that depends on the previous
 * step's states already (a carry of more than one step).
 *
 * @example
 * const carried = toPrevious(chain, xNow, "the carry"); // x_t on the previous dim
 */
export function toPrevious(chain: ScanChain, t: tf.Tensor, what: string): tf.Tensor {
  if (chain.sites.length === 0) return t;
  checkNotPrevious(chain, t, what);
  if (chain.sites.every((s) => t.rank + s.current < 0 || t.shape[t.rank + s.current] === 1)) {
    return t;
  }
  const x = padTo(t, Math.max(t.rank, chain.rank));
  const perm = Array.from({ length: x.rank }, (_, i) => i);
  for (const s of chain.sites) {
    const c = x.rank + s.current;
    const p = x.rank + s.previous;
    perm[c] = p;
    perm[p] = c;
  }
  return tf.transpose(x, perm);
}

/** Throws when `t` varies along a previous dim (it depends on the previous step's states). */
export function checkNotPrevious(chain: ScanChain, t: tf.Tensor, what: string): void {
  for (const s of chain.sites) {
    const axis = t.rank + s.previous;
    if (axis >= 0 && t.shape[axis] > 1) {
      throw new ModelError({
        message: `scan: under enumeration, ${what} (shape ${formatShape(t.shape)}) depends on the value of the enumerated site "${s.name}" at the previous step; a step may carry its own enumerated values only (a first-order chain, as NumPyro's scan with history 1)`,
        site: s.name,
      });
    }
  }
}

/** Throws when a step output that is stacked along time varies with the chain's states. */
export function checkNotChain(chain: ScanChain, t: tf.Tensor, what: string): void {
  for (const s of chain.sites) {
    for (const dim of [s.current, s.previous]) {
      const axis = t.rank + dim;
      if (axis >= 0 && t.shape[axis] > 1) {
        throw new ModelError({
          message: `scan: under enumeration, ${what} (shape ${formatShape(t.shape)}) depends on the enumerated site "${s.name}"; it is stacked along time, where the site is summed out: return the site in the carry instead`,
          site: s.name,
        });
      }
    }
  }
}

/**
 * F_t: the sum of the log-probabilities of the step's sample sites (masked), each summed over
 * its plates inside the body that the chain's sites are not in.
 *
 * @example
 * const factor = stepFactor(chain, step, state);
 */
export function stepFactor(chain: ScanChain, step: StepResult, state: ScanState): tf.Tensor {
  let total: tf.Tensor | undefined;
  for (const name of state.order) {
    const msg = step.sites.get(name)!;
    if (msg.type !== "sample") continue;
    const d = state.decisions.get(name)!;
    const value = msg.value as tf.Tensor;
    checkScale(msg, d.innerFrames);
    const own =
      d.enumerated === undefined
        ? undefined
        : supportLogProb(msg as SampleMessage & { value: tf.Tensor }, d.enumerated.dim);
    let lp = scaleAndMask(own ?? msg.fn.logProb(value), null, msg.mask);
    const axes: number[] = [];
    let repeat = 1;
    for (const frame of msg.plates.slice(0, d.innerFrames)) {
      if (chain.plates.some((f) => f.name === frame.name)) continue;
      const axis = lp.rank + frame.dim;
      if (axis >= 0 && lp.shape[axis] > 1) axes.push(axis);
      else repeat *= frame.size;
    }
    if (axes.length > 0) lp = tf.sum(lp, axes, true);
    if (repeat !== 1) lp = tf.mul(lp, tf.scalar(repeat));
    total = total === undefined ? lp : tf.add(total, lp);
  }
  return total ?? tf.scalar(0);
}

// A site of an enumerated scan is summed inside the loop, before the plates outside could
// scale it: only their subsampling scale (applied again outside, to alpha) is allowed.
function checkScale(msg: SampleMessage, innerFrames: number): void {
  const scale = msg.scale;
  if (scale === null) return;
  const inner = msg.plates.slice(0, innerFrames).some((f) => f.size !== f.subsampleSize);
  const outer = msg.plates.slice(innerFrames).reduce((s, f) => s * (f.size / f.subsampleSize), 1);
  if (!inner && typeof scale === "number" && Math.abs(scale / outer - 1) < 1e-12) return;
  throw new ModelError({
    message: `scan: under enumeration, site "${msg.name}" of the body has a scale (${typeof scale === "number" ? scale : "a tensor"}) other than the subsampling of plates around the scan; scaled or subsampled sites inside an enumerated scan are not supported`,
    site: msg.name,
  });
}

/**
 * One step of the recursion: alpha (current dims; undefined before the first step, a zero
 * message) moved to the previous dims, plus the step's factor, with the previous dims summed
 * (or maximized) out.
 *
 * @example
 * alpha = forward(chain, alpha, stepFactor(chain, step, state), "sum");
 */
export function forward(
  chain: ScanChain,
  alpha: tf.Tensor | undefined,
  factor: tf.Tensor,
  ring: ChainRing,
): tf.Tensor {
  let s = alpha === undefined ? factor : tf.add(toPrevious(chain, alpha, "alpha"), factor);
  s = padTo(s, Math.max(s.rank, chain.rank));
  for (const site of chain.sites) {
    const axis = s.rank + site.previous;
    if (s.shape[axis] === 1) continue;
    s = ring === "sum" ? logSumExpKeepingInfinity(s, axis) : tf.max(s, axis, true);
  }
  return s;
}

/**
 * The forward messages of the eager recursion in `ring`: entry t is alpha after t steps
 * (entry 0 undefined: no step yet).
 *
 * @example
 * const alphas = forwardMessages(chainFactor, "max"); // Viterbi's
 */
export function forwardMessages(
  fn: ScanChainFactor,
  ring: ChainRing,
): Array<tf.Tensor | undefined> {
  const factors = fn.requireSteps(`the ${ring}-product of its steps`);
  const out: Array<tf.Tensor | undefined> = [undefined];
  for (const f of factors) out.push(forward(fn.chain, out[out.length - 1], f, ring));
  return out;
}

/**
 * The distribution a scan under enumeration records for its sample sites. The site that
 * carries the forward message has alpha_T as its log-probability (every site of the scan, the
 * enumerated ones summed out along time but for the last step's); the others have 0. `factors`
 * are the steps' F_t in the eager loop (for `inferDiscrete`); a scan traced once by the
 * compiled engine keeps alpha_T only.
 *
 * @example
 * const fn = ScanChainFactor("x", chain, prototype, { last: alphaT, factors, cost });
 * fn.logProb(fn.chain.sites[0].support); // alpha_T
 */
class ScanChainFactorClass extends Distribution {
  readonly family: string;
  readonly support: Constraint;
  override readonly hasEnumerateSupport: boolean;
  /** alpha after the last step (current dims and plates), or 0 for the sites it does not carry. */
  readonly last: tf.Tensor;
  /** The steps' factors F_t (eager loops only). */
  readonly factors: readonly tf.Tensor[] | undefined;
  /** Elements one evaluation of the recursion builds (for MCMC's choice). */
  readonly cost: number;
  /** Whether this site carries the forward message. */
  readonly carrier: boolean;

  constructor(
    /** The site's name, for messages. */
    readonly site: string,
    readonly chain: ScanChain,
    prototype: Distribution,
    message?: { last: tf.Tensor; factors?: readonly tf.Tensor[]; cost: number },
  ) {
    super(message?.last.shape.slice() ?? [], []);
    this.family = prototype.family;
    this.support = prototype.support;
    this.hasEnumerateSupport = prototype.hasEnumerateSupport;
    this.carrier = message !== undefined;
    this.last = message?.last ?? tf.zeros([]);
    this.factors = message?.factors;
    this.cost = message?.cost ?? 0;
  }

  /** alpha_T in `ring`: the sum ring's is `last`; the max ring's is run from the steps. */
  factor(ring: ChainRing): tf.Tensor {
    if (ring === "sum" || !this.carrier) return this.last;
    return forwardMessages(this, ring).at(-1) as tf.Tensor;
  }

  /** The steps' factors, or an error saying what needs them. */
  requireSteps(what: string): readonly tf.Tensor[] {
    if (this.factors !== undefined) return this.factors;
    throw new ModelError({
      message: `scan: the enumerated scan of "${this.site}" was traced once by the compiled engine, which keeps its forward message only; ${what} needs the eager loop`,
      site: this.site,
    });
  }

  protected computeLogProb(_value: tf.Tensor): tf.Tensor {
    return this.last;
  }

  protected draw(_key: Key, _sampleShape: readonly number[]): tf.Tensor {
    throw new ModelError({
      message: `scan: the site "${this.site}" of an enumerated scan is summed out; draw it with inferDiscrete`,
      site: this.site,
    });
  }
}

/** The forward message of an enumerated scan as a site's distribution (see the class above). */
export const ScanChainFactor = callable(ScanChainFactorClass);
export type ScanChainFactor = ScanChainFactorClass;

/**
 * The record of one sample site of an enumerated scan: `stacked` is the site as the scan
 * records it otherwise (its steps' values joined along time). An enumerated site is its
 * variable, with its support as value; every site gets a `ScanChainFactor`, `message` (alpha_T)
 * going to `carrier`, the first enumerated site (or, without one, the first sample site).
 *
 * @example
 * yield chainSiteMessage(chain, state, first, "x", stackedX, alphaT);
 */
export function chainSiteMessage(
  chain: ScanChain,
  state: ScanState,
  first: StepResult,
  name: string,
  stacked: SampleMessage | undefined,
  message: { last: tf.Tensor; factors?: readonly tf.Tensor[]; cost: number },
): SampleMessage {
  const d = state.decisions.get(name)!;
  const step = first.sites.get(name) as SampleMessage;
  const carrier =
    chain.sites[0]?.name ?? state.order.find((n) => first.sites.get(n)?.type === "sample") ?? name;
  const fn = ScanChainFactor(name, chain, step.fn, name === carrier ? message : undefined);
  const e = d.enumerated;
  if (e === undefined) {
    if (stacked === undefined) throw new Error("scan: internal error: no record of a site");
    // The carrier stands for the chain's plates only (alpha is summed over the others).
    const plates =
      name === carrier
        ? step.plates
            .slice(0, d.innerFrames)
            .filter((f) => chain.plates.some((g) => g.name === f.name))
        : stacked.plates;
    return { ...stacked, fn, plates };
  }
  return {
    type: "sample",
    name,
    fn,
    value: e.support,
    isObserved: false,
    scale: null,
    mask: null,
    key: null,
    infer: { ...e.infer },
    plates: step.plates.slice(0, d.innerFrames),
    stop: false,
    enumeration: {
      firstAvailableDim: chain.firstAvailableDim,
      variable: { id: e.id, dim: e.dim, size: e.size },
      dims: d.enumeration?.dims ?? new Map(),
    },
  };
}

/**
 * The recursion's work: the elements of alpha moved plus F_t, times the steps.
 *
 * @example
 * chainCost(chain, alpha, factor, 50);
 */
export function chainCost(
  chain: ScanChain,
  alpha: readonly number[],
  factor: readonly number[],
  steps: number,
): number {
  const rank = Math.max(alpha.length, factor.length, chain.rank);
  const moved = padShape(alpha, rank);
  for (const s of chain.sites) {
    const c = rank + s.current;
    const p = rank + s.previous;
    [moved[c], moved[p]] = [moved[p], moved[c]];
  }
  const f = padShape(factor, rank);
  return steps * sizeOf(moved.map((n, i) => Math.max(n, f[i])));
}

function padShape(shape: readonly number[], rank: number): number[] {
  return [...new Array<number>(rank - shape.length).fill(1), ...shape];
}
