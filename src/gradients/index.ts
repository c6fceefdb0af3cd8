/**
 * The registration list of the gradient rules Tyche adds to tfjs (kernels whose gradient
 * tfjs-core lacks), one rule per file. Each is registered only where tfjs has none.
 */
import * as tf from "@tensorflow/tfjs-core";
import { gatherNdGradient } from "./gather-nd.js";
import { scatterNdGradient } from "./scatter-nd.js";
import { tensorScatterUpdateGradient } from "./tensor-scatter-update.js";

const rules: tf.GradConfig[] = [scatterNdGradient, tensorScatterUpdateGradient, gatherNdGradient];

for (const rule of rules) {
  if (tf.getGradient(rule.kernelName) === undefined) tf.registerGradient(rule);
}
