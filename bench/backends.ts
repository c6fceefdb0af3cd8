/**
 * Eager tfjs: cpu against wasm on the workloads Tyche runs eagerly, to choose the default
 * backend (recorded in src/tf.ts). Run: npx tsx bench/backends.ts
 */
import { eightSchools, sigma, y } from "../examples/browser/eight-schools.js";
import { tf, useBackend } from "../src/index.js";
import { potential } from "../src/infer/index.js";

function timeIt(fn: () => void, reps: number): number {
  for (let i = 0; i < Math.min(20, reps); i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return ((performance.now() - t0) / reps) * 1000;
}

const results: Record<string, Record<string, number>> = {};
for (const backend of ["cpu", "wasm"] as const) {
  await useBackend(backend);
  const U = potential(eightSchools, [sigma, y], { engine: "eager" });
  const q = U.initialPoint(0);
  const g = new Float64Array(U.dim);
  const big = tf.randomNormal([70, 51, 3]);
  results[backend] = {
    "eight schools value+grad (us)": timeIt(() => U.valueAndGrad(q, g), 300),
    "small kernel (us)":
      timeIt(() => tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()), 3000) / 3,
    "70x51x3x3 logSumExp (us)": timeIt(
      () =>
        tf.tidy(() =>
          tf.logSumExp(tf.add(tf.expandDims(big, -1), tf.expandDims(big, -2)), -1).dataSync(),
        ),
      50,
    ),
  };
}
for (const key of Object.keys(results.cpu)) {
  const cpu = results.cpu[key];
  const wasm = results.wasm[key];
  console.log(
    `${key.padEnd(34)} cpu ${cpu.toFixed(1).padStart(9)}  wasm ${wasm.toFixed(1).padStart(9)}  wasm/cpu ${(wasm / cpu).toFixed(2)}`,
  );
}
