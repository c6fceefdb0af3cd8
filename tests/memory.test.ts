import { describe, expect, it } from "vitest";
import {
  HalfNormal,
  logDensity,
  Normal,
  PRNGKey,
  Predictive,
  plate,
  sample,
  tf,
} from "../src/index.js";
import { potential } from "../src/infer/index.js";

function* model(y: number[]) {
  const mu = yield* sample("mu", Normal(0, 5));
  const sigma = yield* sample("sigma", HalfNormal(2));
  yield* plate("data", y.length, function* () {
    yield* sample("y", Normal(mu, sigma), { obs: y });
  });
}
const y = [0.3, -1.2, 2.2, 0.8];

describe("memory", () => {
  it("running a model 10,000 times leaves the tfjs tensor count unchanged", () => {
    logDensity(model, [y], { mu: 0, sigma: 1 }); // warm-up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10_000; i++) logDensity(model, [y], { mu: i / 10_000, sigma: 1 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("potential gradients and predictive draws do not leak tensors", () => {
    const U = potential(model, [y]);
    const q = U.initialPoint(PRNGKey(0));
    const grad = new Float64Array(U.dim);
    U.valueAndGrad(q, grad);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 500; i++) U.valueAndGrad(q, grad);
    U.unravel(q);
    U.pointLogProbs(q);
    new Predictive(model, { numSamples: 10 }).run(PRNGKey(1), y);
    expect(tf.memory().numTensors).toBe(before);
  });
});
