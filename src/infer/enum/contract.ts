/**
 * Tensor variable elimination over a plated factor graph (Obermeyer, Bingham, Jankowiak,
 * Pradhan, Chiu, Rush & Goodman 2019, "Tensor Variable Elimination for Plated Factor Graphs",
 * ICML): sums the enumerated variables out of the log joint.
 *
 * Factors are grouped by their set of plates (their ordinal). The deepest ordinal goes first:
 * its factors are split into groups that share variables of that ordinal, each group's
 * variables are summed out one at a time (variable elimination, cheapest first), and the result
 * is multiplied over the plates that its remaining variables are not in (a sum of logs over
 * those dims), which moves it to a shallower ordinal. This is exact when the plates a term
 * still depends on nest; when a term depends on variables of two plates neither of which holds
 * the other, exact summation would cost exponentially in the plate sizes, and the plan fails
 * with an error naming the sites and plates.
 *
 * Planning works on the structure alone (variables, plates, sizes), so its cost and its errors
 * are known before a tensor is made; `runPlan` then executes it with tfjs ops that both engines
 * trace (logSumExp or max over an enumeration dim, sums over plate dims).
 */
import { ModelError } from "../../errors.js";
import { logSumExpKeepingInfinity } from "../../primitives/enum-tensors.js";
import { constant, tf } from "../../tf.js";
import type { EnumPlate, EnumVariable, FactorGraph } from "./factors.js";

/** A step of a plan, over term ids; the graph's factors are terms 0..F-1. */
export type PlanStep =
  | { readonly op: "combine"; readonly inputs: readonly number[]; readonly output: number }
  | {
      readonly op: "eliminate";
      readonly input: number;
      readonly variable: number;
      /** The other variables of the input term. */
      readonly others: readonly number[];
      readonly output: number;
    }
  | {
      readonly op: "reduce";
      readonly input: number;
      readonly plates: readonly string[];
      readonly output: number;
    }
  | { readonly op: "final"; readonly input: number };

/** How to contract a factor graph, and what it costs. */
export interface ContractionPlan {
  readonly steps: readonly PlanStep[];
  /** Elements of the largest terms built, summed: the work of one evaluation. */
  readonly cost: number;
}

/** The structure planning needs: a FactorGraph without its tensors. */
export type GraphStructure = Pick<FactorGraph, "variables" | "plates"> & {
  readonly factors: ReadonlyArray<{
    readonly site: string;
    readonly variables: ReadonlySet<number>;
    readonly plates: ReadonlySet<string>;
  }>;
};

interface Term {
  readonly variables: ReadonlySet<number>;
  readonly plates: ReadonlySet<string>;
  /** The sites whose factors it holds (for error messages). */
  readonly sites: ReadonlySet<string>;
}

/**
 * Plans the contraction of a factor graph to the plates in `target` (summed over every other
 * plate; the empty set gives the log joint). `api` names the caller in errors.
 *
 * @example
 * const plan = planContraction("potential", graph, new Set());
 * plan.cost; // elements of the terms one evaluation builds
 */
export function planContraction(
  api: string,
  graph: GraphStructure,
  target: ReadonlySet<string>,
): ContractionPlan {
  const { variables, plates } = graph;
  const terms: Term[] = graph.factors.map((f) => ({
    variables: f.variables,
    plates: f.plates,
    sites: new Set([f.site]),
  }));
  const steps: PlanStep[] = [];
  let cost = 0;
  const add = (term: Term): number => {
    terms.push(term);
    return terms.length - 1;
  };
  const variable = (id: number) => variables.get(id) as EnumVariable;
  const plateSize = (names: Iterable<string>) => {
    let n = 1;
    for (const p of names) n *= (plates.get(p) as EnumPlate).size;
    return n;
  };
  const combine = (ids: number[], ordinal: ReadonlySet<string>): number => {
    if (ids.length === 1) return ids[0];
    const vars = new Set(ids.flatMap((i) => [...terms[i].variables]));
    checkDistinctDims(
      api,
      vars,
      variables,
      ids.map((i) => terms[i]),
    );
    const output = add({
      variables: vars,
      plates: ordinal,
      sites: new Set(ids.flatMap((i) => [...terms[i].sites])),
    });
    steps.push({ op: "combine", inputs: ids, output });
    cost += sizeOf(vars, variables) * plateSize(ordinal);
    return output;
  };

  // Terms by ordinal (their set of plates), keyed by the sorted plate names.
  const tree = new Map<string, { plates: ReadonlySet<string>; terms: number[] }>();
  const place = (id: number) => {
    const key = ordinalKey(terms[id].plates);
    const entry = tree.get(key) ?? { plates: terms[id].plates, terms: [] };
    entry.terms.push(id);
    tree.set(key, entry);
  };
  terms.forEach((_, id) => {
    place(id);
  });

  while (tree.size > 0) {
    // The deepest ordinal left.
    let leafKey = "";
    let leaf: { plates: ReadonlySet<string>; terms: number[] } | undefined;
    for (const [key, entry] of tree) {
      if (leaf === undefined || entry.plates.size > leaf.plates.size) {
        leafKey = key;
        leaf = entry;
      }
    }
    if (leaf === undefined) break;
    tree.delete(leafKey);
    const ordinal = leaf.plates;
    const isLocal = (id: number) => setsEqual(variable(id).plates, ordinal);
    for (const component of components(leaf.terms, terms, isLocal)) {
      let open = new Set(component);
      const locals = new Set(
        component.flatMap((i) => [...terms[i].variables]).filter((id) => isLocal(id)),
      );
      // Variable elimination within the group, cheapest variable first.
      while (locals.size > 0) {
        let best: { id: number; touching: number[]; cost: number } | undefined;
        for (const id of [...locals].sort((a, b) => a - b)) {
          const touching = [...open].filter((t) => terms[t].variables.has(id));
          const vars = new Set(touching.flatMap((t) => [...terms[t].variables]));
          if (!dimsDistinct(vars, variables)) continue;
          const c = sizeOf(vars, variables);
          if (best === undefined || c < best.cost) best = { id, touching, cost: c };
        }
        if (best === undefined) {
          const sites = [...locals].map((id) => `"${variable(id).site}"`).join(", ");
          throw new ModelError({
            message: `${api}: cannot sum out the enumerated sites ${sites}: every order of summation combines two sites that share an enumeration dim; a site uses the value of a discrete site older than its markov history allows (raise markov's history)`,
            site: variable([...locals][0]).site,
          });
        }
        const combined = combine(best.touching, ordinal);
        const remaining = new Set(terms[combined].variables);
        remaining.delete(best.id);
        const output = add({
          variables: remaining,
          plates: ordinal,
          sites: terms[combined].sites,
        });
        steps.push({
          op: "eliminate",
          input: combined,
          variable: best.id,
          others: [...remaining],
          output,
        });
        open = new Set([...open].filter((t) => !best.touching.includes(t)));
        open.add(output);
        locals.delete(best.id);
      }
      const result = combine([...open], ordinal);
      const left = terms[result].variables;
      // The plates the result must keep: those of its remaining variables, and the target's.
      const parent = new Set<string>();
      for (const id of left) for (const p of variable(id).plates) parent.add(p);
      for (const p of ordinal) if (target.has(p)) parent.add(p);
      if (setsEqual(parent, ordinal)) {
        if (left.size === 0) {
          steps.push({ op: "final", input: result });
          continue;
        }
        throw notTreeShaped(api, terms[result], left, variables);
      }
      const reduced = [...ordinal].filter((p) => !parent.has(p));
      const output = add({ variables: left, plates: parent, sites: terms[result].sites });
      steps.push({ op: "reduce", input: result, plates: reduced, output });
      place(output);
    }
  }
  return { steps, cost };
}

/**
 * Executes a plan on a factor graph's tensors. `ring` "sum" sums variables out (log-sum-exp),
 * "max" maximizes them out (for MAP values). `record` sees each term just before a variable is
 * eliminated from it, with the term's other variables (what backward sampling needs). Returns the log joint as a tensor of the
 * graph's rank, of size 1 except at the target plates' dims.
 *
 * @example
 * const logJoint = tf.sum(runPlan(plan, graph, new Set(), "sum"));
 */
export function runPlan(
  plan: ContractionPlan,
  graph: FactorGraph,
  target: ReadonlySet<string>,
  ring: "sum" | "max",
  record?: (variable: EnumVariable, term: tf.Tensor, others: readonly number[]) => void,
): tf.Tensor {
  const { rank, variables, plates } = graph;
  const values: tf.Tensor[] = graph.factors.map((f) => f.logProb);
  const keep = new Set([...target].flatMap((p) => plateAxis(plates, p, rank)));
  const toTarget = (t: tf.Tensor) => {
    const axes = Array.from({ length: rank }, (_, i) => i).filter(
      (i) => !keep.has(i) && t.shape[i] > 1,
    );
    return axes.length === 0 ? t : tf.sum(t, axes, true);
  };
  let total: tf.Tensor | undefined;
  const accumulate = (t: tf.Tensor) => {
    const reduced = toTarget(t);
    total = total === undefined ? reduced : tf.add(total, reduced);
  };
  for (const t of graph.plain) accumulate(t);
  for (const step of plan.steps) {
    switch (step.op) {
      case "combine": {
        let sum = values[step.inputs[0]];
        for (const i of step.inputs.slice(1)) sum = tf.add(sum, values[i]);
        values[step.output] = sum;
        break;
      }
      case "eliminate": {
        const v = variables.get(step.variable) as EnumVariable;
        const term = values[step.input];
        record?.(v, term, step.others);
        const axis = rank + v.dim;
        values[step.output] =
          ring === "sum" ? logSumExpKeepingInfinity(term, axis) : tf.max(term, axis, true);
        break;
      }
      case "reduce": {
        const term = values[step.input];
        let scale = 1;
        const axes: number[] = [];
        for (const name of step.plates) {
          const p = plates.get(name) as EnumPlate;
          const axis = rank + p.dim;
          // A term constant along a plate stands for each of its elements.
          if (term.shape[axis] === 1) scale *= p.size;
          else axes.push(axis);
          scale *= p.scale;
        }
        const summed = axes.length === 0 ? term : tf.sum(term, axes, true);
        values[step.output] = scale === 1 ? summed : tf.mul(summed, constant(scale));
        break;
      }
      case "final":
        accumulate(values[step.input]);
        break;
    }
  }
  return total ?? tf.zeros(new Array<number>(rank).fill(1));
}

/** The axis of a plate's dim in a tensor of `rank` (none when the tensor is too short). */
function plateAxis(plates: ReadonlyMap<string, EnumPlate>, name: string, rank: number): number[] {
  const p = plates.get(name);
  if (p === undefined || rank + p.dim < 0) return [];
  return [rank + p.dim];
}

// Groups of terms connected through shared local variables.
function components(
  ids: readonly number[],
  terms: readonly Term[],
  isLocal: (variable: number) => boolean,
): number[][] {
  const parent = new Map(ids.map((id) => [id, id]));
  const find = (x: number): number => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r) as number;
    parent.set(x, r);
    return r;
  };
  const owner = new Map<number, number>();
  for (const id of ids) {
    for (const v of terms[id].variables) {
      if (!isLocal(v)) continue;
      const other = owner.get(v);
      if (other === undefined) owner.set(v, id);
      else parent.set(find(id), find(other));
    }
  }
  const groups = new Map<number, number[]>();
  for (const id of ids) {
    const root = find(id);
    const group = groups.get(root) ?? [];
    group.push(id);
    groups.set(root, group);
  }
  return [...groups.values()];
}

function sizeOf(vars: Iterable<number>, variables: ReadonlyMap<number, EnumVariable>): number {
  let n = 1;
  for (const id of vars) n *= (variables.get(id) as EnumVariable).size;
  return n;
}

function dimsDistinct(vars: Iterable<number>, variables: ReadonlyMap<number, EnumVariable>) {
  const seen = new Set<number>();
  for (const id of vars) {
    const dim = (variables.get(id) as EnumVariable).dim;
    if (seen.has(dim)) return false;
    seen.add(dim);
  }
  return true;
}

function checkDistinctDims(
  api: string,
  vars: ReadonlySet<number>,
  variables: ReadonlyMap<number, EnumVariable>,
  terms: readonly Term[],
): void {
  if (dimsDistinct(vars, variables)) return;
  const byDim = new Map<number, string[]>();
  for (const id of vars) {
    const v = variables.get(id) as EnumVariable;
    byDim.set(v.dim, [...(byDim.get(v.dim) ?? []), `"${v.site}"`]);
  }
  const clash = [...byDim.entries()].find(([, names]) => names.length > 1) as [number, string[]];
  const sites = [...new Set(terms.flatMap((t) => [...t.sites]))].map((s) => `"${s}"`).join(", ");
  throw new ModelError({
    message: `${api}: the enumerated sites ${clash[1].join(" and ")} share dim ${clash[0]} but meet in the factors of ${sites}; a site uses the value of a discrete site older than its markov history allows (raise markov's history)`,
    site: clash[1][0].slice(1, -1),
  });
}

function notTreeShaped(
  api: string,
  term: Term,
  left: ReadonlySet<number>,
  variables: ReadonlyMap<number, EnumVariable>,
): ModelError {
  const described = [...left]
    .map((id) => variables.get(id) as EnumVariable)
    .map((v) => `"${v.site}" (plates ${[...v.plates].map((p) => `"${p}"`).join(", ") || "none"})`)
    .join(" and ");
  const sites = [...term.sites].map((s) => `"${s}"`).join(", ");
  const first = variables.get([...left][0]) as EnumVariable;
  return new ModelError({
    message:
      `${api}: cannot sum out the enumerated sites ${described} exactly: the factors of ${sites} in plates ` +
      `${[...term.plates].map((p) => `"${p}"`).join(", ")} depend on sites of plates that do not nest, and summing them out would need every combination of their values across those plates. ` +
      "Enumerate sites whose plates nest (tree-structured plates), write one of the plates as a loop, or sample one of the sites instead (DiscreteHMCGibbs)",
    site: first.site,
  });
}

function ordinalKey(plates: ReadonlySet<string>): string {
  return JSON.stringify([...plates].sort());
}

function setsEqual(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
