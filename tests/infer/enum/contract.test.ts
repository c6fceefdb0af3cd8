// Tensor variable elimination against brute-force sums over every joint assignment, and the
// structures it refuses, each with an error naming the sites and plates.
import { describe, expect, it } from "vitest";
import {
  Categorical,
  constant,
  enumerate,
  logDensity,
  ModelError,
  markov,
  Normal,
  plate,
  sample,
  seed,
  tf,
  trace,
  vindex,
} from "../../../src/index.js";
import { potential } from "../../../src/infer/index.js";

const logNormal = (x: number, m: number, s: number) =>
  -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
const logSumExp = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
};
const parallel = { infer: { enumerate: "parallel" as const } };

// z global; x_i in plate i depends on z; y_ij in plates i and j depends on x_i and mu.
const pz = [0.3, 0.7];
const px = [
  [0.2, 0.5, 0.3],
  [0.6, 0.1, 0.3],
];
const means = [-1, 0.5, 2];
const y = [
  [-0.8, -1.3, 0.1],
  [2.2, 1.7, 2.5],
];
function* nested(data: number[][]) {
  const mu = yield* sample("mu", Normal(0, 1));
  const z = yield* sample("z", Categorical({ probs: constant(pz) }), parallel);
  yield* plate(
    "i",
    2,
    function* () {
      const x = yield* sample("x", Categorical({ probs: vindex(constant(px), z, -2) }), parallel);
      yield* plate("j", 3, function* () {
        yield* sample("y", Normal(tf.add(vindex(constant(means), x), mu), 1), { obs: data });
      });
    },
    { dim: -2 },
  );
}
// log p(mu, y) = log N(mu) + log sum_z p(z) prod_i sum_x p(x | z) prod_j N(y_ij; means[x] + mu, 1)
function bruteNested(mu: number): number {
  const perZ = pz.map((p, z) => {
    let lp = Math.log(p);
    for (let i = 0; i < 2; i++) {
      lp += logSumExp(
        means.map(
          (m, x) => Math.log(px[z][x]) + y[i].reduce((a, v) => a + logNormal(v, m + mu, 1), 0),
        ),
      );
    }
    return lp;
  });
  return logNormal(mu, 0, 1) + logSumExp(perZ);
}

describe("tensor variable elimination", () => {
  it("sums out a global site and a plated site over nested plates exactly (brute force)", () => {
    for (const mu of [-0.4, 0.3, 1.1]) {
      // Eager float32.
      expect(logDensity(nested, [y], { mu })).toBeCloseTo(bruteNested(mu), 4);
    }
    // The compiled engine in float64, with its gradient against central differences.
    const U = potential(nested, [y]);
    expect(U.engine).toBe("compiled");
    const grad = new Float64Array(1);
    const h = 1e-6;
    for (const mu of [-0.4, 0.3, 1.1]) {
      const value = U.valueAndGrad(Float64Array.of(mu), grad);
      expect(Math.abs(-value - bruteNested(mu))).toBeLessThan(1e-10 * Math.abs(bruteNested(mu)));
      const numeric = (bruteNested(mu + h) - bruteNested(mu - h)) / (2 * h);
      expect(Math.abs(-grad[0] - numeric)).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
    }
  });

  it("scales a subsampled plate's log-marginals by size / subsampleSize", () => {
    const data = [-1.2, 0.4, 2.3, 1.9, -0.7, 0.1, 2.8, -1.5, 0.9, 1.2];
    let used: number[] = [];
    function* subsampled() {
      const mu = yield* sample("mu", Normal(0, 1));
      yield* plate(
        "data",
        10,
        function* (indices) {
          used = Array.from(indices.dataSync());
          const x = yield* sample("x", Categorical({ probs: constant([0.5, 0.5]) }), parallel);
          const loc = tf.add(tf.mul(tf.cast(x, "float32"), 2), mu);
          yield* sample("y", Normal(loc, 1), { obs: tf.gather(constant(data), indices) });
        },
        { subsampleSize: 4 },
      );
    }
    const value = logDensity(seed(subsampled, 3), [], { mu: 0.2 });
    expect(used).toHaveLength(4);
    let expected = logNormal(0.2, 0, 1);
    for (const i of used) {
      expected +=
        2.5 * logSumExp([0, 1].map((x) => Math.log(0.5) + logNormal(data[i], 2 * x + 0.2, 1)));
    }
    expect(value).toBeCloseTo(expected, 4);
  });

  it("a chain under markov reuses two dims and gives the same value as the chain without it", () => {
    const P = constant([
      [0.8, 0.2],
      [0.3, 0.7],
    ]);
    const obs = [0.1, 1.2, 0.9, -0.2, 1.4];
    function* chain(useMarkov: boolean) {
      let x = constant(0, "int32");
      const step = function* (t: number) {
        x = yield* sample(`x_${t}`, Categorical({ probs: vindex(P, x, -2) }), parallel);
        yield* sample(`y_${t}`, Normal(tf.cast(x, "float32"), 0.7), { obs: obs[t] });
      };
      if (useMarkov) yield* markov(obs.length, step);
      else for (let t = 0; t < obs.length; t++) yield* step(t);
    }
    const tr = trace(enumerate(chain, { maxPlateNesting: 0 })).getTrace(true);
    expect([0, 1, 2, 3].map((t) => tr.get(`x_${t}`).value.shape)).toEqual([
      [2],
      [2, 1],
      [2],
      [2, 1],
    ]);
    const unrolled = trace(enumerate(chain, { maxPlateNesting: 0 })).getTrace(false);
    expect(unrolled.get("x_4").value.shape).toEqual([2, 1, 1, 1, 1]);
    // Brute force over the 2^5 paths.
    let paths: number[] = [];
    for (let code = 0; code < 32; code++) {
      let lp = 0;
      let prev = 0;
      for (let t = 0; t < 5; t++) {
        const x = (code >> t) & 1;
        lp += Math.log([0.8, 0.2, 0.3, 0.7][prev * 2 + x]) + logNormal(obs[t], x, 0.7);
        prev = x;
      }
      paths = [...paths, lp];
    }
    const exact = logSumExp(paths);
    expect(logDensity(chain, [true], {})).toBeCloseTo(exact, 4);
    expect(logDensity(chain, [false], {})).toBeCloseTo(exact, 4);
  });

  it("sums out structural zeros (impossible transitions) to finite values and gradients", () => {
    // A left-to-right chain: from state 0 the chain cannot reach state 2 in one step, so the
    // term of x_1 = 2 is -inf for every x_0: it must weigh nothing, not make the sum NaN.
    const P = [
      [0.7, 0.3, 0],
      [0, 0.6, 0.4],
      [0, 0, 1],
    ];
    const obs = [0.2, 1.1, 1.8, 2.3];
    function* leftToRight() {
      const mu = yield* sample("mu", Normal(1, 1));
      let x = constant(0, "int32");
      yield* markov(obs.length, function* (t) {
        x = yield* sample(`x_${t}`, Categorical({ probs: vindex(constant(P), x, -2) }), parallel);
        yield* sample(`y_${t}`, Normal(tf.mul(tf.cast(x, "float32"), mu), 0.5), { obs: obs[t] });
      });
    }
    const brute = (mu: number) => {
      const paths: number[] = [];
      for (let code = 0; code < 81; code++) {
        let lp = 0;
        let prev = 0;
        for (let t = 0; t < 4; t++) {
          const x = Math.floor(code / 3 ** t) % 3;
          lp += Math.log(P[prev][x]) + logNormal(obs[t], x * mu, 0.5);
          prev = x;
        }
        paths.push(lp);
      }
      return logNormal(mu, 1, 1) + logSumExp(paths.filter(Number.isFinite));
    };
    expect(logDensity(leftToRight, [], { mu: 0.9 })).toBeCloseTo(brute(0.9), 4);
    const U = potential(leftToRight, []);
    const grad = new Float64Array(1);
    const value = U.valueAndGrad(Float64Array.of(0.9), grad);
    expect(Math.abs(-value - brute(0.9))).toBeLessThan(1e-10 * Math.abs(brute(0.9)));
    const h = 1e-6;
    expect(-grad[0]).toBeCloseTo((brute(0.9 + h) - brute(0.9 - h)) / (2 * h), 5);
    // An observation no path can explain: -inf, not NaN.
    function* impossible() {
      const z = yield* sample("z", Categorical({ probs: constant([1, 0, 0]) }), parallel);
      yield* sample("w", Categorical({ probs: vindex(constant(P), z, -2) }), { obs: 2 });
    }
    expect(logDensity(impossible, [], {})).toBe(Number.NEGATIVE_INFINITY);
  });

  it("names the sites and plates it cannot sum out exactly (plates that do not nest)", () => {
    function* crossed() {
      const x = yield* plate(
        "rows",
        2,
        function* () {
          return yield* sample("x", Categorical({ probs: constant([0.5, 0.5]) }), parallel);
        },
        { dim: -2 },
      );
      const w = yield* plate(
        "cols",
        3,
        function* () {
          return yield* sample("w", Categorical({ probs: constant([0.5, 0.5]) }), parallel);
        },
        { dim: -1 },
      );
      yield* plate(
        "rows",
        2,
        function* () {
          yield* plate(
            "cols",
            3,
            function* () {
              const loc = tf.add(tf.cast(x, "float32"), tf.cast(w, "float32"));
              yield* sample("y", Normal(loc, 1), {
                obs: constant([
                  [0, 1, 2],
                  [1, 2, 0],
                ]),
              });
            },
            { dim: -1 },
          );
        },
        { dim: -2 },
      );
    }
    expect(() => logDensity(crossed, [], {})).toThrow(/"w" \(plates "cols"\)/);
    expect(() => logDensity(crossed, [], {})).toThrow(/"x" \(plates "rows"\)/);
    expect(() => logDensity(crossed, [], {})).toThrow(/factors of "y" .*do not nest/);
    expect(() => potential(crossed, [])).toThrow(ModelError);
  });

  it("names a site whose enumeration dims moved right by a reduction over a plate", () => {
    function* leaky() {
      const x = yield* plate("data", 3, function* () {
        return yield* sample("x", Categorical({ probs: constant([0.5, 0.5]) }), parallel);
      });
      // Reduces over the plate without keeping its dim: the enumeration dim moves right.
      yield* sample("total", Normal(tf.sum(tf.cast(x, "float32"), -1), 1), { obs: 1 });
    }
    expect(() => logDensity(leaky, [], {})).toThrow(
      /site "total" has a log-probability of shape \[2\], which ends in \[2\] where the run without enumeration has \[1\]/,
    );
  });

  it("names a marked site whose distribution cannot be enumerated", () => {
    function* continuous() {
      yield* sample("c", Normal(0, 1), parallel);
    }
    expect(() => potential(continuous, [])).toThrow(/site "c" is marked for enumeration.*Normal/);
  });
});
