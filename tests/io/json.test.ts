import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatJSON, parseJSON, readJSON, toJSON } from "../../src/io/json.js";
import { ar1Run } from "./fixture.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tyche-json-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const x = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const y = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  return x.every((v, i) => v === y[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i])));
}

describe("toJSON / readJSON", () => {
  it("round-trips every float64 bit for bit, the non-finite values and -0 included", async () => {
    const run = ar1Run({ numChains: 2, numDraws: 50, metric: "dense_e" });
    const theta = run.samples.theta.data;
    theta.set([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 5e-324]);
    theta[5] = Number.MAX_VALUE;
    run.metadata.stepSize[1] = Number.NaN;
    run.metadata.model = "NaN"; // a string that looks like an encoded number stays a string
    const path = await toJSON(run, join(dir, "sub", "run.json"));
    const back = await readJSON(path);
    for (const group of ["samples", "extra"] as const) {
      expect(Object.keys(back[group])).toEqual(Object.keys(run[group]));
      for (const [name, draws] of Object.entries(run[group])) {
        expect(back[group][name].shape).toEqual(draws.shape);
        expect(sameBits(back[group][name].data, draws.data)).toBe(true);
      }
    }
    expect(back.metadata).toEqual(run.metadata);
    expect(Object.is(back.samples.theta.data[3], -0)).toBe(true);
  });

  it("rejects files that are not Tyche runs, naming the API", () => {
    expect(() => parseJSON('{"a": 1}', "a.json")).toThrow(
      /readJSON: a\.json must be a Tyche MCMC JSON file/,
    );
    const text = formatJSON(ar1Run({ numChains: 1, numDraws: 2 }));
    const broken = text.replace('"shape":[1,2]', '"shape":[1,3]');
    expect(() => parseJSON(broken)).toThrow(/has shape \[1, 3\] \(3 values\) but data of length 2/);
  });
});
