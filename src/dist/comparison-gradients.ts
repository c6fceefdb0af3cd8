/**
 * Zero gradients for tfjs's comparison and logical kernels. tfjs-core registers none for
 * Greater, Less, Equal, LogicalAnd, All, ... (only GreaterEqual), so any log-density that
 * masks its support with `tf.where(tf.greater(x, 0), ...)` would fail under `tf.grads` as
 * soon as x is differentiated ("gradient function not found for Greater"). Their outputs are
 * booleans, piecewise constant in the inputs: the gradient is zero almost everywhere.
 * Registered once, only where tfjs has no rule of its own.
 */
import { tf } from "../tf.js";

const BINARY = ["Greater", "Less", "LessEqual", "Equal", "NotEqual", "LogicalAnd", "LogicalOr"];
const UNARY = ["LogicalNot", "All", "Any"];

function registerZero(kernelName: string, inputs: string[]): void {
  if (tf.getGradient(kernelName) !== undefined) return;
  tf.registerGradient({
    kernelName,
    inputsToSave: inputs,
    gradFunc: (_dy, saved) => {
      const out: Record<string, () => tf.Tensor> = {};
      inputs.forEach((name, i) => {
        out[name] = () => tf.zeros(saved[i].shape);
      });
      return out;
    },
  });
}

for (const name of BINARY) registerZero(name, ["a", "b"]);
for (const name of UNARY) registerZero(name, ["x"]);
