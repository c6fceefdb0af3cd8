/**
 * The gradient of TensorScatterUpdate (`tf.tensorScatterUpdate(tensor, indices, updates)`,
 * NumPyro's `x.at[idx].set(v)`): the entries at the indices come from the updates and the
 * others from the tensor, so d tensor is dy with the updated entries zeroed and d updates is
 * gatherND(dy, indices) (as TensorFlow's rule; with repeated indices the last update wins the
 * value while each copy receives the gradient, as there).
 */
import * as tf from "@tensorflow/tfjs-core";

export const tensorScatterUpdateGradient: tf.GradConfig = {
  kernelName: "TensorScatterUpdate",
  inputsToSave: ["indices", "updates"],
  gradFunc: (dy, saved) => {
    const [indices, updates] = saved;
    const g = dy as tf.Tensor;
    return {
      tensor: () => tf.tensorScatterUpdate(g, indices, tf.zerosLike(updates)),
      indices: () => tf.zerosLike(indices),
      updates: () => tf.gatherND(g, indices),
    };
  },
};
