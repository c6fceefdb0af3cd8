/**
 * `scan`'s semantics in the eager engine (NumPyro's): one site per body site with a leading time
 * dimension, handlers outside the scan acting on whole series, and densities equal to the
 * unrolled model's (checked against float64 sums written out here).
 */
import { describe, expect, it } from "vitest";
import {
  block,
  condition,
  deterministic,
  factor,
  HalfNormal,
  logDensity,
  ModelError,
  mask,
  Normal,
  PRNGKey,
  Predictive,
  param,
  plate,
  sample,
  scale,
  scan,
  scope,
  seed,
  substitute,
  tf,
  trace,
} from "../../src/index.js";
import { localLevel, syntheticSeries } from "./scan-models.js";

const normalLogPdf = (x: number, mu: number, sigma: number) =>
  -0.5 * ((x - mu) / sigma) ** 2 - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI);
const halfNormalLogPdf = (x: number, sigma: number) => Math.log(2) + normalLogPdf(x, 0, sigma);
const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** log p of the local-level model, in float64. */
function localLevelLogDensity(y: number[], sl: number, so: number, level: number[]): number {
  let lp = halfNormalLogPdf(sl, 1) + halfNormalLogPdf(so, 1);
  level.forEach((l, t) => {
    lp += normalLogPdf(l, t === 0 ? 0 : level[t - 1], sl) + normalLogPdf(y[t], l, so);
  });
  return lp;
}

/** The local-level model with y latent (no obs), plus a deterministic and a factor. */
function* levelWithExtras(T: number) {
  const sigmaLevel = yield* sample("sigmaLevel", HalfNormal(1));
  const [last, levels] = yield* scan(
    function* (previous: tf.Tensor, _x: unknown) {
      const level = yield* sample("level", Normal(previous, sigmaLevel));
      yield* sample("y", Normal(level, 0.5));
      yield* deterministic("double", tf.mul(level, 2));
      yield* factor("penalty", tf.mul(-0.5, level));
      return [level, level] as const;
    },
    0,
    null,
    { length: T },
  );
  return { last, levels };
}

describe("scan: sites", () => {
  it("each site of the body becomes one site with a leading time dimension", () => {
    const tr = trace(seed(levelWithExtras, 0)).getTrace(6);
    expect([...tr.keys()]).toEqual(["sigmaLevel", "level", "y", "double", "penalty"]);
    expect(tr.get("level").value.shape).toEqual([6]);
    expect(tr.get("y").value.shape).toEqual([6]);
    expect(tr.get("double").value.shape).toEqual([6]);
    const level = values(tr.get("level").value);
    expect(values(tr.get("double").value)).toEqual(level.map((l) => Math.fround(2 * l)));
    const site = tr.get("level");
    if (site.type !== "sample") throw new Error("level is a sample site");
    expect(site.fn.batchShape).toEqual([6]);
    // Its distribution scores each step given the previous one.
    const sigma = values(tr.get("sigmaLevel").value)[0];
    const logProb = values(site.fn.logProb(site.value));
    level.forEach((l, t) => {
      expect(logProb[t]).toBeCloseTo(normalLogPdf(l, t === 0 ? 0 : level[t - 1], sigma), 5);
    });
    const penalty = tr.get("penalty");
    if (penalty.type !== "sample") throw new Error("penalty is a sample site");
    expect(values(penalty.fn.logProb(penalty.value))).toEqual(
      level.map((l) => Math.fround(-0.5 * l)),
    );
  });

  it("returns the last carry and the stacked outputs", () => {
    const tr = trace(seed(levelWithExtras, 1));
    let result: { last: tf.Tensor; levels: tf.Tensor } | undefined;
    const model = function* () {
      result = yield* tr(4);
    };
    const recorded = trace(model).getTrace();
    expect(result?.levels.shape).toEqual([4]);
    expect(values(result!.levels)).toEqual(values(recorded.get("level").value));
    expect(values(result!.last)[0]).toBe(values(recorded.get("level").value)[3]);
  });

  it("the log density equals the unrolled model's", () => {
    const y = syntheticSeries(12, "level");
    const level = syntheticSeries(12, "ar1");
    const params = { sigmaLevel: 0.7, sigmaObs: 0.4 };
    const expected = localLevelLogDensity(y, 0.7, 0.4, level);
    const scanned = logDensity(localLevel.scan, [y], { ...params, level });
    const perStep = Object.fromEntries(level.map((l, t) => [`level_${t}`, l]));
    const unrolled = logDensity(localLevel.forLoop, [y], { ...params, ...perStep });
    expect(Math.abs(scanned - expected)).toBeLessThan(1e-5 * Math.abs(expected));
    expect(Math.abs(unrolled - expected)).toBeLessThan(1e-5 * Math.abs(expected));
  });

  it("plates inside the body broadcast: x has shape [T, 3]", () => {
    function* withPlate(T: number) {
      yield* scan(
        function* (previous: tf.Tensor, _x: unknown) {
          const z = yield* sample("z", Normal(previous, 1));
          yield* plate("N", 3, function* () {
            yield* sample("x", Normal(tf.mul(z, [1, 2, 3]), 1));
          });
          return [z, null] as const;
        },
        0,
        null,
        { length: T },
      );
    }
    const tr = trace(seed(withPlate, 2)).getTrace(5);
    expect(tr.get("z").value.shape).toEqual([5]);
    const x = tr.get("x");
    if (x.type !== "sample") throw new Error("x is a sample site");
    expect(x.value.shape).toEqual([5, 3]);
    expect(x.fn.batchShape).toEqual([5, 3]);
    expect(x.plates.map((f) => f.name)).toEqual(["N"]);
    const z = values(tr.get("z").value);
    const xs = values(x.value);
    let expected = 0;
    for (let t = 0; t < 5; t++) {
      for (let i = 0; i < 3; i++) expected += normalLogPdf(xs[3 * t + i], z[t] * (i + 1), 1);
    }
    expect(tf.sum(x.fn.logProb(x.value)).dataSync()[0]).toBeCloseTo(expected, 4);
    const prior = new Predictive(withPlate, { numSamples: 7 }).run(PRNGKey(0), 5);
    expect(prior.x.shape).toEqual([7, 5, 3]);
    expect(prior.z.shape).toEqual([7, 5]);
  });
});

describe("scan: handlers outside", () => {
  const y = syntheticSeries(8, "level");

  it("condition takes the whole series of a site", () => {
    function* latentY(T: number) {
      const sigmaObs = yield* sample("sigmaObs", HalfNormal(1));
      yield* scan(
        function* (previous: tf.Tensor, _x: unknown) {
          const level = yield* sample("level", Normal(previous, 0.5));
          yield* sample("y", Normal(level, sigmaObs));
          return [level, null] as const;
        },
        0,
        null,
        { length: T },
      );
    }
    const conditioned = condition(latentY, { y });
    const tr = trace(seed(conditioned, 0)).getTrace(8);
    const site = tr.get("y");
    expect(site.type === "sample" && site.isObserved).toBe(true);
    expect(values(site.value)).toEqual(y.map(Math.fround));
    const level = syntheticSeries(8, "ar1");
    const lp = logDensity(conditioned, [8], { sigmaObs: 0.3, level });
    let expected = halfNormalLogPdf(0.3, 1);
    level.forEach((l, t) => {
      expected += normalLogPdf(l, t === 0 ? 0 : level[t - 1], 0.5) + normalLogPdf(y[t], l, 0.3);
    });
    expect(lp).toBeCloseTo(expected, 3);
    expect(() => trace(seed(condition(latentY, { y: [...y, 1] }), 0)).getTrace(8)).toThrow(
      /9 entries along its time dimension.*8 steps/,
    );
  });

  it("substitute sets a latent series; deterministic sites follow it", () => {
    const level = [0.5, -1, 2, 0, 1, 3];
    const tr = trace(seed(substitute(levelWithExtras, { level }), 3)).getTrace(6);
    const site = tr.get("level");
    expect(site.type === "sample" && site.isObserved).toBe(false);
    expect(values(site.value)).toEqual(level);
    expect(values(tr.get("double").value)).toEqual(level.map((l) => 2 * l));
  });

  it("seed: the same key gives the same series, steps draw independently", () => {
    function* iid(T: number) {
      yield* scan(
        function* (_c: tf.Tensor, _x: unknown) {
          yield* sample("z", Normal(0, 1));
          return [_c, null] as const;
        },
        0,
        null,
        { length: T },
      );
    }
    const n = 400;
    const a = values(trace(seed(iid, 5)).getTrace(n).get("z").value);
    const b = values(
      trace(seed(iid, PRNGKey(5)))
        .getTrace(n)
        .get("z").value,
    );
    const c = values(trace(seed(iid, 6)).getTrace(n).get("z").value);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    // N(0, 1) draws, uncorrelated from one step to the next: z-tests at 4.5 standard errors.
    const mean = a.reduce((s, x) => s + x, 0) / n;
    expect(Math.abs(mean) * Math.sqrt(n)).toBeLessThan(4.5);
    const second = a.reduce((s, x) => s + x * x, 0) / n;
    expect(Math.abs(second - 1) / Math.sqrt(2 / n)).toBeLessThan(4.5);
    let lag = 0;
    for (let t = 1; t < n; t++) lag += a[t] * a[t - 1];
    expect(Math.abs(lag / (n - 1)) * Math.sqrt(n - 1)).toBeLessThan(4.5);
  });

  it("block hides scanned sites; scope renames them", () => {
    const hidden = trace(block(seed(localLevel.scan, 0), { hide: ["level"] })).getTrace(y);
    expect([...hidden.keys()]).toEqual(["sigmaLevel", "sigmaObs", "y"]);
    const scoped = trace(seed(scope(localLevel.scan, "m"), 0)).getTrace(y);
    expect([...scoped.keys()]).toEqual(["m/sigmaLevel", "m/sigmaObs", "m/level", "m/y"]);
    expect(scoped.get("m/level").value.shape).toEqual([8]);
    const renamed = logDensity(scope(localLevel.scan, "m"), [y], {
      "m/sigmaLevel": 0.7,
      "m/sigmaObs": 0.4,
      "m/level": y,
    });
    expect(renamed).toBeCloseTo(localLevelLogDensity(y, 0.7, 0.4, y), 3);
  });

  it("scale and mask apply to the stacked sites", () => {
    function* walk(T: number) {
      yield* scan(
        function* (previous: tf.Tensor, _x: unknown) {
          const z = yield* sample("z", Normal(previous, 2));
          return [z, null] as const;
        },
        0,
        null,
        { length: T },
      );
    }
    const z = [1, -1, 0.5, 2];
    const terms = z.map((v, t) => normalLogPdf(v, t === 0 ? 0 : z[t - 1], 2));
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(logDensity(scale(walk, 0.5), [4], { z })).toBeCloseTo(0.5 * sum(terms), 4);
    const keep = [true, false, true, false];
    expect(logDensity(mask(walk, keep), [4], { z })).toBeCloseTo(
      sum(terms.filter((_, t) => keep[t])),
      4,
    );
  });

  it("Predictive: prior draws of y have shape [numSamples, T]; posterior ones follow the level", () => {
    const prior = new Predictive(localLevel.scan, { numSamples: 30 }).run(PRNGKey(0), y);
    expect(prior.y.shape).toEqual([30, 8]);
    expect(prior.level.shape).toEqual([30, 8]);
    const n = 300;
    const level = [0, 1, 2, 3, 4, 5, 6, 7];
    const posteriorSamples = {
      sigmaLevel: { shape: [n], data: new Float64Array(n).fill(0.5) },
      sigmaObs: { shape: [n], data: new Float64Array(n).fill(0.2) },
      level: { shape: [n, 8], data: Float64Array.from({ length: n * 8 }, (_, i) => i % 8) },
    };
    const post = new Predictive(localLevel.scan, { posteriorSamples }).run(PRNGKey(1), y);
    expect(post.y.shape).toEqual([n, 8]);
    level.forEach((l, t) => {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += post.y.data[i * 8 + t] / n;
      expect(Math.abs(mean - l) / (0.2 / Math.sqrt(n))).toBeLessThan(4.5);
    });
    // Draw by draw (no batching) gives the same shapes.
    const sequential = new Predictive(localLevel.scan, { numSamples: 3, parallel: false }).run(
      PRNGKey(2),
      y,
    );
    expect(sequential.y.shape).toEqual([3, 8]);
  });
});

describe("scan: errors", () => {
  const body = function* (c: tf.Tensor, x: tf.Tensor) {
    yield* sample("z", Normal(tf.add(c, x), 1));
    return [c, null] as const;
  };

  it("names the problem: lengths, missing length, body output", () => {
    function* mismatched() {
      yield* scan(body, 0, { a: [1, 2, 3], b: [1, 2] });
    }
    expect(() => trace(seed(mismatched, 0)).getTrace()).toThrow(/xs\.b has shape \[2\].*3 steps/);
    function* noLength() {
      yield* scan(body, 0);
    }
    expect(() => trace(seed(noLength, 0)).getTrace()).toThrow(/give xs.*length/);
    function* badReturn() {
      yield* scan(
        function* (c: tf.Tensor) {
          yield* sample("z", Normal(c, 1));
          return c as unknown as readonly [tf.Tensor, null];
        },
        0,
        null,
        { length: 2 },
      );
    }
    expect(() => trace(seed(badReturn, 0)).getTrace()).toThrow(/must return \[carry, y\]/);
  });

  it("rejects sites that change between steps, params, nested scans and plates around", () => {
    function* changing() {
      yield* scan(
        function* (c: tf.Tensor, x: tf.Tensor) {
          if (x.dataSync()[0] > 0) yield* sample("late", Normal(0, 1));
          return [c, null] as const;
        },
        0,
        [0, 1],
      );
    }
    expect(() => trace(seed(changing, 0)).getTrace()).toThrow(/step 1.*"late".*step 0 did not/);
    function* withParam() {
      yield* scan(
        function* (c: tf.Tensor) {
          yield* param("w", 0);
          return [c, null] as const;
        },
        0,
        null,
        { length: 2 },
      );
    }
    expect(() => trace(seed(withParam, 0)).getTrace()).toThrow(ModelError);
    function* nested() {
      yield* scan(
        function* (c: tf.Tensor) {
          yield* scan(body, c, [1, 2]);
          return [c, null] as const;
        },
        0,
        null,
        { length: 2 },
      );
    }
    expect(() => trace(seed(nested, 0)).getTrace()).toThrow(/inside the body of another scan/);
    function* inPlate() {
      yield* plate("N", 3, function* () {
        yield* scan(body, 0, [1, 2]);
      });
    }
    expect(() => trace(seed(inPlate, 0)).getTrace()).toThrow(/plate "N".*encloses the scan/);
  });
});
