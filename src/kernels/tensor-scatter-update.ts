/**
 * A cpu kernel for TensorScatterUpdate that leaves its input alone. tfjs-backend-cpu 4.22
 * writes the updates into the input tensor's own buffer and returns that buffer, so
 * `tf.tensorScatterUpdate(x, idx, v)` silently changes `x` (and the result aliases it): data
 * filled in by NumPyro's `x.at[idx].set(v)` idiom would change under the user's feet. This
 * kernel copies first; otherwise it is tfjs's: each index vector (the last dim of `indices`)
 * names a slice of the tensor, which the matching slice of `updates` replaces.
 */
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";

function tensorScatterUpdate(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
}): tf.TensorInfo {
  const { tensor, indices, updates } = args.inputs as Record<
    "tensor" | "indices" | "updates",
    tf.TensorInfo
  >;
  const backend = args.backend as MathBackendCPU;
  const { sliceRank, numUpdates, sliceSize, strides, outputSize } = tf.backend_util.calculateShapes(
    updates,
    indices,
    tensor.shape,
  );
  const source = backend.readSync(tensor.dataId) as tf.TypedArray;
  const index = backend.readSync(indices.dataId) as tf.TypedArray;
  const values = backend.readSync(updates.dataId) as tf.TypedArray;
  const out = source.slice();
  const slices = outputSize / sliceSize;
  for (let i = 0; i < numUpdates; i++) {
    let position = 0;
    for (let j = 0; j < sliceRank; j++) position += index[i * sliceRank + j] * strides[j];
    if (position < 0 || position >= slices) {
      const vector = Array.from(index.subarray(i * sliceRank, (i + 1) * sliceRank));
      throw new Error(
        `tensorScatterUpdate: index [${vector.join(",")}] is outside the tensor of shape [${tensor.shape.join(",")}]`,
      );
    }
    for (let k = 0; k < sliceSize; k++) {
      out[position * sliceSize + k] =
        updates.shape.length === 0 ? values[0] : values[i * sliceSize + k];
    }
  }
  return backend.makeTensorInfo(tensor.shape, tensor.dtype, out);
}

/** Replaces the cpu backend's TensorScatterUpdate (call once, after the cpu backend loaded). */
export function registerCpuTensorScatterUpdate(): void {
  tf.unregisterKernel("TensorScatterUpdate", "cpu");
  tf.registerKernel({
    kernelName: "TensorScatterUpdate",
    backendName: "cpu",
    kernelFunc: tensorScatterUpdate as unknown as tf.KernelFunc,
  });
}
