/**
 * The nested values `scan` carries, slices and stacks (JAX's pytrees): a tensor or data (a
 * number, nested number arrays, a typed array) is a leaf; arrays of anything else are tuples;
 * plain objects are records; null and undefined are empty.
 */
import { ModelError } from "../errors.js";
import { type ArrayLike, constant, type NestedNumbers, tf } from "../tf.js";

/** A value `scan` accepts as its carry, its `xs` or a body's output. */
export type ScanTree =
  | ArrayLike
  | null
  | undefined
  | readonly ScanTree[]
  | { readonly [key: string]: ScanTree };

/** A tree taken apart: its leaves as tensors, their paths, and the way back. */
export interface FlatTree {
  readonly leaves: tf.Tensor[];
  /** Where each leaf sits, for messages: "carry[0]", "xs.y". */
  readonly paths: string[];
  /** The same structure with other leaves. */
  rebuild(leaves: readonly tf.Tensor[]): unknown;
  /** A description of the structure, equal for trees of the same structure. */
  readonly signature: string;
}

/**
 * Takes a tree apart (`name` prefixes the leaf paths).
 *
 * @example
 * const flat = flattenTree({ a: tf.scalar(1), b: [2, 3] }, "carry");
 * flat.paths; // ["carry.a", "carry.b"]: [2, 3] is data, one leaf
 */
export function flattenTree(tree: unknown, name: string): FlatTree {
  const leaves: tf.Tensor[] = [];
  const paths: string[] = [];
  const build = (
    node: unknown,
    path: string,
  ): { sig: string; make: (next: () => tf.Tensor) => unknown } => {
    if (node === null || node === undefined) return { sig: "_", make: () => node };
    if (isLeaf(node)) {
      leaves.push(constant(node as ArrayLike));
      paths.push(path);
      return { sig: "*", make: (next) => next() };
    }
    if (Array.isArray(node)) {
      const parts = node.map((child, i) => build(child, `${path}[${i}]`));
      return {
        sig: `[${parts.map((p) => p.sig).join(",")}]`,
        make: (next) => parts.map((p) => p.make(next)),
      };
    }
    if (isRecord(node)) {
      const keys = Object.keys(node);
      const parts = keys.map((k) => build(node[k], `${path}.${k}`));
      return {
        sig: `{${keys.map((k, i) => `${k}:${parts[i].sig}`).join(",")}}`,
        make: (next) => Object.fromEntries(keys.map((k, i) => [k, parts[i].make(next)])),
      };
    }
    throw new ModelError({
      message: `scan: ${path} must be a tensor, numbers, an array or a record of them, got ${describe(node)}`,
    });
  };
  const root = build(tree, name);
  return {
    leaves,
    paths,
    signature: root.sig,
    rebuild(values) {
      let i = 0;
      return root.make(() => values[i++]);
    },
  };
}

function isLeaf(node: unknown): boolean {
  if (node instanceof tf.Tensor || typeof node === "number" || typeof node === "boolean")
    return true;
  if (ArrayBuffer.isView(node)) return true;
  return Array.isArray(node) && node.length > 0 && isNestedNumbers(node);
}

function isNestedNumbers(node: unknown): node is NestedNumbers {
  if (typeof node === "number" || typeof node === "boolean") return true;
  return Array.isArray(node) && node.every(isNestedNumbers);
}

function isRecord(node: unknown): node is Record<string, unknown> {
  if (typeof node !== "object" || node === null) return false;
  const proto = Object.getPrototypeOf(node);
  return proto === Object.prototype || proto === null;
}

function describe(node: unknown): string {
  if (typeof node === "object" && node !== null) return node.constructor?.name ?? "an object";
  return typeof node;
}
