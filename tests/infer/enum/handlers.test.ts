// The enumeration machinery piece by piece: configEnumerate, the enumerate handler's dims,
// markov frames, vindex, and MCMC's choice between enumeration and Gibbs.
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  Bernoulli,
  Categorical,
  configEnumerate,
  constant,
  enumerate,
  markov,
  Normal,
  NUTS,
  Poisson,
  plate,
  sample,
  seed,
  substitute,
  tf,
  trace,
  vindex,
} from "../../../src/index.js";
import { discreteStrategy } from "../../../src/infer/mcmc/discrete-strategy.js";
import { discoverModel } from "../../../src/infer/potential.js";
import type { Model } from "../../../src/primitives/runtime.js";

// MCMC's choice for a model, from what the run that discovers it finds.
const strategyOf = (model: Model<[], unknown>) =>
  discreteStrategy(new NUTS(model), [], discoverModel(model, []));

const parallel = { infer: { enumerate: "parallel" as const } };

describe("configEnumerate", () => {
  it("marks the latent sites with a finite support, and nothing else", () => {
    const shared = { note: 1 };
    function* model() {
      const z = yield* sample("z", Bernoulli({ probs: 0.3 }), { infer: shared });
      yield* sample("k", Poisson(2));
      yield* sample("c", Normal(0, 1));
      yield* sample("seen", Bernoulli({ probs: 0.5 }), { obs: 1 });
      yield* sample("kept", Categorical({ probs: constant([0.5, 0.5]) }), {
        infer: { enumerate: "sequential" },
      });
      return z;
    }
    const tr = trace(seed(configEnumerate(model), 0)).getTrace();
    const marks = tr.sampleSites().map((s) => [s.name, s.infer.enumerate]);
    expect(marks).toEqual([
      ["z", "parallel"],
      ["k", undefined],
      ["c", undefined],
      ["seen", undefined],
      ["kept", "sequential"],
    ]);
    expect(tr.sampleSites()[0].infer.note).toBe(1);
    // The model's own options object is left alone.
    expect(shared).toEqual({ note: 1 });
  });
});

describe("enumerate", () => {
  function* twoLevels() {
    const z = yield* sample("z", Categorical({ probs: constant([0.2, 0.3, 0.5]) }), parallel);
    yield* plate("data", 4, function* () {
      const x = yield* sample(
        "x",
        Bernoulli({ probs: vindex(constant([0.1, 0.5, 0.9]), z) }),
        parallel,
      );
      yield* sample("y", Normal(x, 1), { obs: constant([0, 1, 1, 0]) });
    });
  }

  it("puts each enumerated site on a fresh dim left of the plates", () => {
    const tr = trace(enumerate(twoLevels)).getTrace();
    expect(tr.get("z").value.shape).toEqual([3, 1]);
    expect(tr.get("x").value.shape).toEqual([2, 1, 1]);
    expect(Array.from(tr.get("z").value.dataSync())).toEqual([0, 1, 2]);
    const y = tr.get("y");
    expect(y.type === "sample" && y.fn.batchShape).toEqual([2, 1, 4]);
    const x = tr.get("x");
    expect(x.type === "sample" && x.fn.batchShape).toEqual([3, 4]);
    const wider = trace(enumerate(twoLevels, { maxPlateNesting: 2 })).getTrace();
    expect(wider.get("z").value.shape).toEqual([3, 1, 1]);
  });

  it("names the site and the problem when a site cannot be enumerated", () => {
    function* unplated() {
      yield* sample("w", Bernoulli({ probs: constant([0.2, 0.4]) }), parallel);
    }
    expect(() => trace(enumerate(unplated)).getTrace()).toThrow(
      /site "w" has batch dim -1 of size 2, which is not a plate/,
    );
    function* sequential() {
      yield* sample("s", Bernoulli({ probs: 0.5 }), { infer: { enumerate: "sequential" } });
    }
    expect(() => trace(enumerate(sequential)).getTrace()).toThrow(/only "parallel" is supported/);
    expect(() => enumerate(twoLevels, { maxPlateNesting: -1 })).toThrow(/maxPlateNesting/);
    // A value given outside the handler would silently replace the enumerated one.
    expect(() => trace(substitute(enumerate(twoLevels), { z: 1 })).getTrace()).toThrow(
      /put condition and substitute inside enumerate/,
    );
    expect(
      trace(enumerate(substitute(twoLevels, { z: 1 })))
        .getTrace()
        .get("z").value.shape,
    ).toEqual([]);
  });
});

describe("markov", () => {
  it("records one frame per step on each sample site, and checks its arguments", () => {
    function* loop() {
      yield* markov(
        ["a", "b"],
        function* (label, step) {
          yield* sample(`x_${label}`, Normal(step, 1), { obs: 0 });
        },
        { history: 2 },
      );
    }
    const tr = trace(loop).getTrace();
    const frames = ["x_a", "x_b"].map((name) => {
      const site = tr.get(name);
      return site.type === "sample" ? site.markov : undefined;
    });
    expect(frames.map((f) => f?.map((m) => [m.step, m.history]))).toEqual([[[0, 2]], [[1, 2]]]);
    expect(frames[0]?.[0].id).toBe(frames[1]?.[0].id);
    expect(() => trace(() => markov(3, function* () {}, { history: -1 })).getTrace()).toThrow(
      /history must be a non-negative integer/,
    );
  });
});

describe("vindex", () => {
  it("indexes with broadcasting batch dims, as Pyro's Vindex", () => {
    const x = tf.tensor([10, 11, 12, 20, 21, 22], [2, 1, 3]); // batch [2, 1], K = 3
    const index = tf.tensor([2, 0, 1, 1], [4], "int32");
    const out = vindex(x, index);
    expect(out.shape).toEqual([2, 4]);
    expect(Array.from(out.dataSync())).toEqual([12, 10, 11, 11, 22, 20, 21, 21]);
    const rows = vindex(tf.tensor([0.9, 0.1, 0.2, 0.8], [2, 2]), tf.tensor([[1], [0]], [2, 1]), -2);
    expect(rows.shape).toEqual([2, 1, 2]);
    expect(Array.from(rows.dataSync())).toEqual([0.2, 0.8, 0.9, 0.1].map(Math.fround));
    expect(() => vindex(x, index, 0)).toThrow(/axis must be a negative integer/);
  });
});

describe("MCMC's choice for discrete sites", () => {
  const info = vi.spyOn(console, "info").mockImplementation(() => {});
  afterAll(() => info.mockRestore());

  it("sums them out when it can, and otherwise uses Gibbs and says why", () => {
    function* mixture() {
      const mu = yield* sample("mu", Normal(0, 1));
      yield* plate("data", 3, function* () {
        const z = yield* sample("z", Bernoulli({ probs: 0.5 }));
        yield* sample("y", Normal(tf.mul(mu, z), 1), { obs: constant([0.5, 1.5, -0.2]) });
      });
    }
    expect(strategyOf(mixture).enumerated).toBe(true);
    expect(info).toHaveBeenLastCalledWith(expect.stringMatching(/"z" are summed out/));

    function* counts() {
      const k = yield* sample("k", Poisson(3));
      yield* sample("y", Normal(k, 1), { obs: 2.5 });
    }
    const poisson = strategyOf(counts);
    expect(poisson.gibbs?.sites).toEqual(["k"]);
    expect(info).toHaveBeenLastCalledWith(
      expect.stringMatching(/DiscreteHMCGibbs.*"k" has no finite support to enumerate/),
    );

    function* crossed() {
      const x = yield* plate(
        "rows",
        2,
        function* () {
          return yield* sample("x", Bernoulli({ probs: 0.5 }));
        },
        { dim: -2 },
      );
      const w = yield* plate("cols", 3, function* () {
        return yield* sample("w", Bernoulli({ probs: 0.5 }));
      });
      yield* plate(
        "rows",
        2,
        function* () {
          yield* plate("cols", 3, function* () {
            yield* sample("y", Normal(tf.add(x, w), 1), {
              obs: constant([
                [0, 1, 2],
                [1, 2, 0],
              ]),
            });
          });
        },
        { dim: -2 },
      );
    }
    const gibbs = strategyOf(crossed);
    expect(gibbs.enumerated).toBe(false);
    expect(gibbs.gibbs?.sites).toEqual(["x", "w"]);
    expect(info).toHaveBeenLastCalledWith(
      expect.stringMatching(/DiscreteHMCGibbs.*cannot be summed out exactly/),
    );
  });
});
