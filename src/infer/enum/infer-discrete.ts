/**
 * `inferDiscrete`: the values of a model's enumerated sites given everything else, drawn from
 * their joint posterior (temperature 1) or at its mode (temperature 0), as Pyro's and NumPyro's
 * `infer_discrete`.
 *
 * The contraction (contract.ts) sums (or maximizes) the enumerated variables out one at a
 * time; the term each one is eliminated from is its joint with the variables still to come.
 * Going back through the eliminations in reverse order, each variable is drawn from its term
 * with the later variables fixed at their drawn values. Along a markov chain this is
 * forward-filtering backward-sampling (Viterbi decoding at temperature 0); in general it is the
 * exact joint draw of the variable-elimination order (Obermeyer et al. 2019, section 5).
 */
import { withoutTensorValidation } from "../../dist/validation.js";
import { ArgumentError, ModelError } from "../../errors.js";
import { enumerate } from "../../handlers/enumerate.js";
import { seed } from "../../handlers/seed.js";
import { substitute } from "../../handlers/substitute.js";
import { type Trace, trace } from "../../handlers/trace.js";
import { IMPOSSIBLE, padTo } from "../../primitives/enum-tensors.js";
import type { PlateFrame, SampleSite } from "../../primitives/messages.js";
import { foldIn, type Key, toKey, uniform } from "../../primitives/prng.js";
import type { Model } from "../../primitives/runtime.js";
import { forwardMessages, type ScanChainFactor, toPrevious } from "../../primitives/scan-chain.js";
import { stackTime } from "../../primitives/scan-time.js";
import { constant, tf } from "../../tf.js";
import { siteRecord } from "../../util/records.js";
import { planContraction, runPlan } from "./contract.js";
import { chainFactorOf, type EnumVariable, type FactorGraph, factorGraph } from "./factors.js";
import { type EnumerationSetup, enumerationSetup, isEnumerated } from "./log-joint.js";

/** Options of `inferDiscrete`. */
export interface InferDiscreteOptions {
  /** 1: a draw from the posterior of the enumerated sites (default); 0: their joint mode (MAP). */
  temperature?: 0 | 1;
  /** Randomness for temperature 1 (required there), and for latent sites the model leaves unset. */
  key?: Key | number;
  /** The number of batch dims the model uses (default: found by a first run). */
  maxPlateNesting?: number;
}

/**
 * The model with its enumerated sites (marked `infer: { enumerate: "parallel" }`) set to a
 * joint draw from their posterior given the other sites (temperature 1), or to the most
 * probable joint value (temperature 0). Give the continuous sites values with `condition` or
 * `substitute` inside it; a trace of the result shows the discrete values.
 *
 * @example
 * // hmm: a two-state chain whose states x_t are marked for enumeration (docs/guide.md)
 * const fixed = condition(hmm, { transition: [[0.9, 0.1], [0.1, 0.9]], levels: [0, 2] });
 * const tr = trace(inferDiscrete(fixed, { temperature: 0 })).getTrace(signal); // the Viterbi path
 * tr.get("x_0").value;
 */
export function inferDiscrete<A extends any[], R>(
  model: Model<A, R>,
  options: InferDiscreteOptions = {},
): Model<A, R> {
  const temperature = options.temperature ?? 1;
  if (temperature !== 0 && temperature !== 1) {
    throw new ArgumentError({
      message: `inferDiscrete: temperature must be 0 (MAP) or 1 (a posterior draw), got ${String(temperature)}`,
      api: "inferDiscrete",
      argument: "temperature",
    });
  }
  if (temperature === 1 && options.key === undefined) {
    throw new ArgumentError({
      message:
        "inferDiscrete: temperature 1 draws the discrete sites at random and needs a key (options.key)",
      api: "inferDiscrete",
      argument: "key",
    });
  }
  const key = toKey(options.key ?? 0, "inferDiscrete");
  return function* inferred(...args: A) {
    const values = withoutTensorValidation(() => {
      const setup = enumerationSetup("inferDiscrete", model, args, {
        key,
        maxPlateNesting: options.maxPlateNesting,
      });
      const tr = trace(
        seed(enumerate(model, { firstAvailableDim: setup.firstAvailableDim }), foldIn(key, 1)),
      ).getTrace(...args);
      return discreteValues(tr, temperature, foldIn(key, 2), setup);
    });
    return yield* substitute(model, values)(...args);
  };
}

/**
 * The values of the enumerated sites of a trace recorded under `enumerate`, jointly drawn
 * (temperature 1) or at their joint mode (temperature 0), with the trace's other latent values
 * (which must not depend on enumerated sites). Values have the shapes the sites have when not
 * enumerated. With the model's `setup`, shapes that enumeration changed are errors.
 *
 * @example
 * const tr = trace(enumerate(seed(mixture, 0), { maxPlateNesting: 1 })).getTrace(points);
 * const values = discreteValues(tr, 0, PRNGKey(0));
 */
export function discreteValues(
  tr: Trace,
  temperature: 0 | 1,
  key: Key,
  setup?: EnumerationSetup,
): Record<string, tf.Tensor> {
  const ring = temperature === 0 ? "max" : "sum";
  const graph = factorGraph("inferDiscrete", tr, setup?.shapes, ring);
  const none = new Set<string>();
  const plan = planContraction("inferDiscrete", graph, none);
  const records: Array<{ variable: EnumVariable; term: tf.Tensor; others: readonly number[] }> = [];
  runPlan(plan, graph, none, temperature === 0 ? "max" : "sum", (variable, term, others) => {
    records.push({ variable, term, others });
  });
  const drawn = new Map<number, tf.Tensor>();
  for (let i = records.length - 1; i >= 0; i--) {
    const { variable, term, others } = records[i];
    let conditioned = term;
    for (const id of others) {
      const v = graph.variables.get(id) as EnumVariable;
      conditioned = select(conditioned, graph.rank + v.dim, v.size, drawn.get(id) as tf.Tensor);
    }
    drawn.set(variable.id, draw(graph, variable, conditioned, temperature, foldIn(key, i)));
  }
  const out = siteRecord<tf.Tensor>();
  // Enumerated scans: their states backwards from the last, given everything drawn so far.
  const inChains = new Set<string>();
  tr.sampleSites().forEach((site, i) => {
    const fn = chainFactorOf(site);
    if (fn === undefined || !fn.carrier) return;
    const values = chainValues(site, fn, graph, drawn, temperature, foldIn(key, -1 - i), setup);
    for (const [name, value] of values) {
      out[name] = value;
      inChains.add(name);
    }
  });
  for (const site of tr.sampleSites()) {
    if (inChains.has(site.name)) continue;
    const v = site.enumeration?.variable;
    if (v === undefined) {
      if (!site.isObserved && !isEnumerated(site)) checkFree(site);
      if (!site.isObserved && site.fn.family !== "Unit") out[site.name] = site.value;
      continue;
    }
    const index = drawn.get(v.id) as tf.Tensor;
    const support = tf.reshape(site.value, [v.size]);
    const depth = Math.max(0, ...site.plates.map((f) => -f.dim));
    const value = tf.gather(support, index);
    out[site.name] = tf.reshape(value, value.shape.slice(graph.rank - depth));
  }
  return out;
}

// The term at the drawn values of a variable: the entries where the variable's axis equals the
// index drawn for it (one per element of its plates). Adding log(0 or 1) and maximizing keeps
// -inf entries and broadcasts without materializing the mask.
function select(term: tf.Tensor, axis: number, size: number, index: tf.Tensor): tf.Tensor {
  if (term.shape[axis] === 1) return term;
  const positions = tf.reshape(
    tf.range(0, size, 1, "int32"),
    term.shape.map((_, i) => (i === axis ? size : 1)),
  );
  const logMask = tf.log(tf.cast(tf.equal(positions, index), "float32"));
  return tf.max(tf.add(term, logMask), axis, true);
}

// One index per element of the variable's plates, along its axis: the largest entry
// (temperature 0) or a draw by the Gumbel-max trick (temperature 1). int32, the graph's rank.
function draw(
  graph: FactorGraph,
  variable: EnumVariable,
  term: tf.Tensor,
  temperature: 0 | 1,
  key: Key,
): tf.Tensor {
  const axis = graph.rank + variable.dim;
  const shape = new Array<number>(graph.rank).fill(1);
  shape[axis] = variable.size;
  for (const name of variable.plates) {
    const p = graph.plates.get(name);
    if (p !== undefined && graph.rank + p.dim >= 0) shape[graph.rank + p.dim] = p.size;
  }
  // Adding noise (or zeros) of the full shape broadcasts the term to one entry per element.
  let noise = tf.zeros(shape);
  if (temperature === 1) {
    const u = uniform(key, noise.size);
    noise = tf.reshape(constant(u.map((x) => -Math.log(-Math.log(x)))), shape);
  }
  const scores = tf.add(term, noise);
  return tf.expandDims(tf.cast(tf.argMax(scores, axis), "int32"), axis);
}

// A latent site drawn in the enumerated run has a value to reuse only when it does not depend
// on enumerated sites.
function checkFree(site: SampleSite): void {
  const first = site.enumeration?.firstAvailableDim;
  if (first === undefined) return;
  const value = site.value;
  const batch = value.shape.slice(0, value.rank - site.fn.eventShape.length);
  for (let i = 0; i < batch.length; i++) {
    if (i - batch.length <= first && batch[i] > 1) {
      throw new ModelError({
        message: `inferDiscrete: the latent site "${site.name}" depends on enumerated sites (its value has shape [${value.shape.join(",")}]); give it a value (condition or substitute) so that the discrete sites are inferred given it`,
        site: site.name,
      });
    }
  }
}

/**
 * The states of an enumerated scan at every step, backwards from the last (whose values the
 * contraction drew, with those of every variable outside the scan): step t-1's states from the
 * forward message after t-1 steps plus step t's factor, at step t's states (forward-filtering
 * backward-sampling at temperature 1, Viterbi's traceback at temperature 0). Each site's values
 * are joined along time as the site's unenumerated series.
 */
function chainValues(
  site: SampleSite,
  fn: ScanChainFactor,
  graph: FactorGraph,
  drawn: ReadonlyMap<number, tf.Tensor>,
  temperature: 0 | 1,
  key: Key,
  setup: EnumerationSetup | undefined,
): Map<string, tf.Tensor> {
  const chain = fn.chain;
  const alphas = forwardMessages(fn, temperature === 0 ? "max" : "sum");
  const factors = fn.requireSteps("inferDiscrete");
  const length = factors.length;
  const rank = Math.max(graph.rank, chain.rank, ...factors.map((f) => f.rank));
  // Per chain site, its index at each step (rank `rank`, size 1 along every enumeration dim).
  const indices = chain.sites.map((s) => {
    const last = drawn.get(s.id);
    if (last === undefined) throw new Error(`inferDiscrete: internal error: "${s.name}" not drawn`);
    const out = new Array<tf.Tensor>(length);
    out[length - 1] = padTo(last, rank);
    return out;
  });
  const outside = [...graph.variables.values()].filter(
    (v) => !chain.sites.some((s) => s.id === v.id),
  );
  for (let t = length - 1; t >= 1; t--) {
    let term = padTo(tf.add(toPrevious(chain, alphas[t] as tf.Tensor, "alpha"), factors[t]), rank);
    chain.sites.forEach((s, k) => {
      term = select(term, rank + s.current, s.size, indices[k][t]);
    });
    for (const v of outside) {
      const index = drawn.get(v.id);
      if (index !== undefined) term = select(term, rank + v.dim, v.size, padTo(index, rank));
    }
    chain.sites.forEach((s, k) => {
      // This site's marginal over the previous states of the sites after it, then its draw.
      let marginal = term;
      for (const later of chain.sites.slice(k + 1)) {
        const axis = rank + later.previous;
        marginal =
          temperature === 0
            ? tf.max(marginal, axis, true)
            : tf.logSumExp(tf.maximum(marginal, constant(IMPOSSIBLE)), axis, true);
      }
      const axis = rank + s.previous;
      const index = drawAlong(marginal, axis, site.plates, temperature, foldIn(key, t * 64 + k));
      indices[k][t - 1] = index;
      term = select(term, axis, s.size, index);
    });
  }
  const out = new Map<string, tf.Tensor>();
  chain.sites.forEach((s, k) => {
    const support = tf.reshape(s.support, [s.size]);
    const stepShape = stepShapeOf(setup?.shapes.get(s.name), s.ownBatchRank);
    const values = indices[k].map((index) => {
      const value = tf.gather(support, index);
      const own = stepShape ?? value.shape.slice(rank + chain.firstAvailableDim + 1);
      return tf.reshape(value, own);
    });
    out.set(s.name, stackTime(values, s.ownBatchRank, `the values of "${s.name}"`));
  });
  return out;
}

// The shape of one step's value of a scanned site from its stacked unenumerated shape.
function stepShapeOf(stacked: readonly number[] | undefined, ownBatchRank: number) {
  if (stacked === undefined) return undefined;
  const axis = stacked.length - ownBatchRank - 1;
  return stacked.map((n, i) => (i === axis ? 1 : n));
}

// One index per element of the plates along `axis` of a term whose other enumeration dims are
// fixed: its largest entry (temperature 0) or a Gumbel-max draw (temperature 1).
function drawAlong(
  term: tf.Tensor,
  axis: number,
  plates: readonly PlateFrame[],
  temperature: 0 | 1,
  key: Key,
): tf.Tensor {
  const shape = new Array<number>(term.rank).fill(1);
  shape[axis] = term.shape[axis];
  for (const f of plates) if (term.rank + f.dim >= 0) shape[term.rank + f.dim] = f.subsampleSize;
  let noise = tf.zeros(shape);
  if (temperature === 1) {
    const u = uniform(key, noise.size);
    noise = tf.reshape(constant(u.map((x) => -Math.log(-Math.log(x)))), shape);
  }
  return tf.expandDims(tf.cast(tf.argMax(tf.add(term, noise), axis), "int32"), axis);
}
