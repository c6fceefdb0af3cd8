/**
 * Custom ops from `defineOp` (kernels `tyche.NAME` and `tyche.NAME.vjp`) are opaque to the
 * compiler: emitted code calls the op's float64 `forward`, `vjp` or `valueAndGrad` from the
 * registry, so the op's own derivative rule serves the compiled engine too and its call
 * counters rise. Elementwise ops see their inputs broadcast to the output shape, as in eager;
 * an op given on single numbers (`unaryOp`: lgamma, digamma) is called number by number.
 */
import type { OpDefinition } from "../../custom-vjp/registry.js";
import { opOfKernel } from "../../custom-vjp/registry.js";
import { shapesEqual, sizeOf, stridesOf } from "../../util/shapes.js";
import { broadcastStrides } from "../emit/dims.js";
import type { GraphNode } from "../graph.js";
import type { CheckedRule, KernelContext } from "./rule.js";
import { stridedCopy } from "./strided-copy.js";

/** Fills the op's argument list: each input as an array of its (broadcast) shape. */
function passInputs(
  op: OpDefinition,
  node: GraphNode,
  ctx: KernelContext,
  outShape: readonly number[],
) {
  const shapes = op.inputNames.map((_, i) => ctx.graph.values[node.inputs[i]].shape);
  const seenShapes = op.elementwise
    ? shapes.map(() => outShape.slice())
    : shapes.map((s) => s.slice());
  const args = ctx.constant(op.inputNames.map(() => null));
  let code = "";
  op.inputNames.forEach((_, i) => {
    const value = node.inputs[i];
    let array = ctx.array(value);
    if (op.elementwise && !shapesEqual(shapes[i], outShape)) {
      const scratch = ctx.scratch(sizeOf(outShape));
      const source = { name: array, offset: 0, strides: broadcastStrides(shapes[i], outShape) };
      code += `${stridedCopy(outShape, { name: scratch, offset: 0, strides: stridesOf(outShape) }, source, "=")}\n`;
      array = scratch;
    }
    code += `${args}[${i}] = ${array};\n`;
  });
  return { code, args, shapes, seenShapes: ctx.constant(seenShapes) };
}

/**
 * An op given on single numbers (`scalar`) over same-shaped arrays: a loop calling it, with no
 * argument lists or result arrays (`vjp`: the derivative times the cotangent).
 */
function scalarLoop(op: OpDefinition, node: GraphNode, ctx: KernelContext, vjp: boolean) {
  const x = node.inputs[0];
  const out = node.outputs[0];
  const size = sizeOf(ctx.graph.values[out].shape);
  if (op.scalar === undefined || sizeOf(ctx.graph.values[x].shape) !== size) return undefined;
  const ref = ctx.customOp(op);
  const [xs, ys] = [ctx.array(x), ctx.array(out)];
  const call = vjp
    ? `${ctx.array(node.inputs[2])}[i] * ${ref}.scalar.derivative(${xs}[i])`
    : `${ref}.scalar.value(${xs}[i])`;
  const count = `${ref}.stats.${vjp ? "vjpCalls" : "forwardCalls"}++;`;
  return `${count}\nfor (let i = 0; i < ${size}; i++) ${ys}[i] = ${call};`;
}

function forwardRule(op: OpDefinition): CheckedRule {
  return {
    kind: "kernel",
    emit(node, ctx) {
      const scalar = scalarLoop(op, node, ctx, false);
      if (scalar !== undefined) return scalar;
      const outShape = op.outputShape(
        op.inputNames.map((_, i) => ctx.graph.values[node.inputs[i]].shape.slice()),
      );
      const { code, args, seenShapes } = passInputs(op, node, ctx, outShape);
      const name = JSON.stringify(op.name);
      const ref = ctx.customOp(op);
      if (op.valueAndGrad !== undefined) {
        const r = ctx.local("r");
        const grads = node.outputs
          .slice(1)
          .map((out, i) => `R_copyResult(${name}, ${r}.grads[${i}], ${ctx.array(out)});`)
          .join("\n");
        return `${code}const ${r} = ${ref}.valueAndGrad(${args}, ${seenShapes});\n${ctx.array(node.outputs[0])}[0] = ${r}.value;\n${grads}`;
      }
      return `${code}R_copyResult(${name}, ${ref}.forward(${args}, ${seenShapes}), ${ctx.array(node.outputs[0])});`;
    },
  };
}

function vjpRule(op: OpDefinition): CheckedRule {
  return {
    kind: "kernel",
    emit(node, ctx) {
      const scalar = scalarLoop(op, node, ctx, true);
      if (scalar !== undefined) return scalar;
      const n = op.inputNames.length;
      const outShape = ctx.graph.values[node.inputs[n]].shape;
      const { code, args, shapes, seenShapes } = passInputs(op, node, ctx, outShape);
      const r = ctx.local("r");
      const name = JSON.stringify(op.name);
      const call = `const ${r} = ${ctx.customOp(op)}.vjp(${args}, ${seenShapes}, ${ctx.array(node.inputs[n])}, ${ctx.array(node.inputs[n + 1])});\n`;
      const outs = node.outputs.map((out, i) => {
        const target = ctx.array(out);
        if (op.elementwise && !shapesEqual(shapes[i], outShape)) {
          const from = ctx.constant(outShape);
          const to = ctx.constant(shapes[i]);
          return `if (${r}[${i}] == null) ${target}.fill(0); else R_sumToInto(${r}[${i}], ${from}, ${to}, ${target});`;
        }
        return `R_copyResult(${name}, ${r}[${i}], ${target});`;
      });
      return code + call + outs.join("\n");
    },
  };
}

/**
 * The rule for a custom op's kernel, if `kernelName` belongs to a registered op.
 *
 * @example
 * customOpRule("tyche.lgamma"); // calls lgamma's float64 forward
 */
export function customOpRule(kernelName: string): CheckedRule | undefined {
  const op = opOfKernel(kernelName);
  if (op === undefined) return undefined;
  if (kernelName === op.kernelName) return forwardRule(op);
  if (kernelName === op.vjpKernelName) return vjpRule(op);
  return undefined;
}
