/**
 * The gradient of GatherNd (`tf.gatherND(params, indices)`): each output slice copies the
 * params slice at its index, so d params scatters dy back to the indices, summing repeats:
 * d params = scatterND(indices, dy, params.shape).
 */
import * as tf from "@tensorflow/tfjs-core";

export const gatherNdGradient: tf.GradConfig = {
  kernelName: "GatherNd",
  inputsToSave: ["params", "indices"],
  gradFunc: (dy, saved) => {
    const [params, indices] = saved;
    return {
      params: () => tf.scatterND(indices, dy as tf.Tensor, params.shape),
      indices: () => tf.zerosLike(indices),
    };
  },
};
