/**
 * The gradient of ScatterNd (`tf.scatterND(indices, updates, shape)`): the output is a sum of
 * the updates placed at their indices, so d out / d updates[j] reads dy at index j,
 * d updates = gatherND(dy, indices). Indices are integers: no gradient.
 */
import * as tf from "@tensorflow/tfjs-core";

export const scatterNdGradient: tf.GradConfig = {
  kernelName: "ScatterNd",
  inputsToSave: ["indices"],
  gradFunc: (dy, saved) => {
    const [indices] = saved;
    return {
      indices: () => tf.zerosLike(indices),
      updates: () => tf.gatherND(dy as tf.Tensor, indices),
    };
  },
};
