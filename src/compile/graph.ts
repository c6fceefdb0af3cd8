/**
 * The compiled engine's intermediate representation: a dataflow graph of tfjs kernels over
 * values of static shape. Every value is held in float64 (int32 and bool values exactly, as
 * integers and 0/1), so dtypes only matter where a kernel's meaning depends on them.
 *
 * Nodes are kept in a topological order. Two node kinds are not tfjs kernels: `Input` (a
 * placeholder, `attrs.index` names the objective's input) and `Const` (`attrs.data`, a
 * Float64Array in row-major order).
 */

/** The dtypes the compiled engine handles. */
export type DType = "float32" | "int32" | "bool";

/** Shape and dtype of a value. */
export interface ValueInfo {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** Kernel attributes as tfjs passes them (plain numbers, arrays, strings, booleans). */
export type Attrs = Readonly<Record<string, unknown>>;

/** One kernel application: reads `inputs`, writes `outputs` (value ids). */
export interface GraphNode {
  readonly op: string;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly attrs: Attrs;
  /** Recorded while tfjs ran the gradient (not the objective itself). */
  readonly backward?: boolean;
}

/** A whole traced objective. */
export interface Graph {
  readonly values: readonly ValueInfo[];
  readonly nodes: readonly GraphNode[];
  /** The placeholder value of each objective input. */
  readonly inputs: readonly number[];
  /** What the program returns: the objective first, then one gradient per differentiated
   * input (-1 where the objective does not depend on that input: the gradient is zero). */
  readonly outputs: readonly number[];
}

/** Marks an absent output (a gradient that is identically zero). */
export const NO_VALUE = -1;

/**
 * Builds graphs: values and nodes are appended, so nodes stay in topological order as long as
 * their inputs exist when they are added.
 *
 * @example
 * const b = new GraphBuilder();
 * const x = b.input(0, [3]);
 * const [y] = b.add("Exp", [x], {}, [{ shape: [3], dtype: "float32" }]);
 */
export class GraphBuilder {
  readonly values: ValueInfo[];
  readonly nodes: GraphNode[] = [];
  /** Whether nodes added from now on belong to the gradient computation. */
  backward = false;
  private readonly producers = new Map<number, GraphNode>();

  /** Starts empty, or with the values (not the nodes) of an existing graph. */
  constructor(values: readonly ValueInfo[] = []) {
    this.values = values.slice();
  }

  /** A new value of a shape and dtype. */
  value(shape: readonly number[], dtype: DType): number {
    this.values.push({ shape: shape.slice(), dtype });
    return this.values.length - 1;
  }

  /** Appends a node whose outputs already exist. */
  push(node: GraphNode): GraphNode {
    this.nodes.push(node);
    for (const v of node.outputs) this.producers.set(v, node);
    return node;
  }

  /** Appends a node with new output values; returns their ids. */
  add(
    op: string,
    inputs: readonly number[],
    attrs: Attrs,
    outputs: readonly ValueInfo[],
  ): number[] {
    const ids = outputs.map((o) => this.value(o.shape, o.dtype));
    this.push({
      op,
      inputs: inputs.slice(),
      outputs: ids,
      attrs,
      ...(this.backward ? { backward: true } : {}),
    });
    return ids;
  }

  /** Appends a single-output node; returns its output. */
  add1(
    op: string,
    inputs: readonly number[],
    attrs: Attrs,
    shape: readonly number[],
    dtype: DType,
  ): number {
    return this.add(op, inputs, attrs, [{ shape, dtype }])[0];
  }

  /** A placeholder for objective input `index`. */
  input(index: number, shape: readonly number[]): number {
    return this.add1("Input", [], { index }, shape, "float32");
  }

  /** A constant. */
  constant(data: Float64Array, shape: readonly number[], dtype: DType): number {
    return this.add1("Const", [], { data }, shape, dtype);
  }

  /** The node that produces a value (undefined for values not produced in this builder). */
  producer(value: number): GraphNode | undefined {
    return this.producers.get(value);
  }

  /** The value reshaped (a row-major view): itself when the shape already matches. */
  reshape(value: number, shape: readonly number[]): number {
    const info = this.values[value];
    if (shapesEqualLoose(info.shape, shape)) return value;
    return this.add1("Reshape", [value], { shape: shape.slice() }, shape, info.dtype);
  }

  /** The finished graph. */
  build(inputs: readonly number[], outputs: readonly number[]): Graph {
    return {
      values: this.values,
      nodes: this.nodes,
      inputs: inputs.slice(),
      outputs: outputs.slice(),
    };
  }
}

function shapesEqualLoose(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

const uniformCache = new WeakMap<Float64Array, number | null>();

/**
 * The single value of a constant whose elements are all equal (NaN counts as equal to NaN,
 * and -0 differs from 0), or undefined.
 *
 * @example
 * uniformValue(Float64Array.of(1, 1, 1)); // 1
 */
export function uniformValue(data: Float64Array): number | undefined {
  const cached = uniformCache.get(data);
  if (cached !== undefined) return cached === null ? undefined : cached;
  let result: number | null = data.length === 0 ? null : data[0];
  for (let i = 1; i < data.length && result !== null; i++) {
    if (!Object.is(data[i], result)) result = null;
  }
  uniformCache.set(data, result);
  return result === null ? undefined : result;
}

/**
 * The constant data of a node if it is a `Const`.
 *
 * @example
 * const producers = producersOf(graph);
 * const v = graph.outputs[0];
 * constantData(producers.get(v)); // Float64Array, or undefined when v is computed
 */
export function constantData(node: GraphNode | undefined): Float64Array | undefined {
  return node?.op === "Const" ? (node.attrs.data as Float64Array) : undefined;
}

/**
 * Maps each value to the nodes that read it (a node reading a value twice appears once).
 *
 * @example
 * consumersOf(graph).get(graph.inputs[0])?.map((n) => n.op); // ["Slice", "Slice"]
 */
export function consumersOf(graph: Graph): Map<number, GraphNode[]> {
  const consumers = new Map<number, GraphNode[]>();
  for (const node of graph.nodes) {
    for (const v of new Set(node.inputs)) {
      const list = consumers.get(v);
      if (list === undefined) consumers.set(v, [node]);
      else list.push(node);
    }
  }
  return consumers;
}

/**
 * Maps each value to the node that produces it.
 *
 * @example
 * producersOf(graph).get(graph.outputs[0])?.op; // "Sum"
 */
export function producersOf(graph: Graph): Map<number, GraphNode> {
  const producers = new Map<number, GraphNode>();
  for (const node of graph.nodes) for (const v of node.outputs) producers.set(v, node);
  return producers;
}

/**
 * Counts of kernels by name, for reports and debugging.
 *
 * @example
 * kernelCounts(graph); // { Input: 1, Exp: 1, Sum: 1 }
 */
export function kernelCounts(graph: Graph): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of graph.nodes) counts[node.op] = (counts[node.op] ?? 0) + 1;
  return counts;
}
