/**
 * Discrete draws are int32, as NumPyro's: they index arrays as drawn (`tf.gather(locs, z)`),
 * `enumerateSupport` gives int32 values, and `logProb` reads int32, float32 and bool values
 * alike. Values that handlers give a discrete site become int32 when whole.
 */
import { describe, expect, it } from "vitest";
import {
  Bernoulli,
  BetaBinomial,
  Binomial,
  Categorical,
  condition,
  DiscreteUniform,
  type Distribution,
  DistributionParameterError,
  Geometric,
  MixtureSameFamily,
  Multinomial,
  NegativeBinomial2,
  Normal,
  Poisson,
  PRNGKey,
  plate,
  sample,
  seed,
  substitute,
  tf,
  trace,
} from "../../src/index.js";

const families: Record<string, () => Distribution> = {
  Categorical: () => Categorical({ probs: [0.2, 0.3, 0.5] }),
  Bernoulli: () => Bernoulli({ probs: [0.3, 0.6] }),
  Binomial: () => Binomial(10, { probs: 0.4 }),
  Poisson: () => Poisson([0.5, 40]),
  DiscreteUniform: () => DiscreteUniform(-2, 3),
  Geometric: () => Geometric({ probs: 0.2 }),
  NegativeBinomial2: () => NegativeBinomial2(3, 2),
  BetaBinomial: () => BetaBinomial(2, 3, 8),
  Multinomial: () => Multinomial(12, { probs: [0.2, 0.3, 0.5] }),
};

describe("int32 discrete draws", () => {
  for (const [name, make] of Object.entries(families)) {
    it(`${name}: draws are int32, and logProb gives the same values for them as int32 and float32`, () => {
      const d = make();
      const x = d.sample(PRNGKey(3), [50]);
      expect(x.dtype).toBe("int32");
      expect(x.shape).toEqual(d.shape([50]));
      const asInt = d.logProb(x).arraySync();
      const asFloat = d.logProb(tf.cast(x, "float32")).arraySync();
      expect(asInt).toEqual(asFloat);
      expect(tf.all(tf.isFinite(d.logProb(x))).dataSync()[0]).toBe(1);
    });
  }

  for (const name of ["Categorical", "Bernoulli", "Binomial", "DiscreteUniform", "BetaBinomial"]) {
    it(`${name}: enumerateSupport is int32, and its values are the support`, () => {
      const d = families[name]();
      const values = d.enumerateSupport();
      expect(values.dtype).toBe("int32");
      // The probabilities of the enumerated values sum to one: nothing missing, nothing extra.
      const total = tf.sum(tf.exp(d.logProb(values)), 0).arraySync() as number | number[];
      for (const t of [total].flat()) expect(t).toBeCloseTo(1, 5);
    });
  }

  it("a drawn index gathers as written: tf.gather(locs, z)", () => {
    const locs = tf.tensor([-5, 0, 5]);
    const z = Categorical({ probs: [0.2, 0.3, 0.5] }).sample(PRNGKey(0), [20]);
    const picked = tf.gather(locs, z).arraySync() as number[];
    const indices = z.arraySync() as number[];
    expect(picked).toEqual(indices.map((k) => [-5, 0, 5][k]));
  });

  it("Bernoulli reads bool values as 0 and 1", () => {
    const d = Bernoulli({ probs: 0.3 });
    const lp = d.logProb(tf.tensor([true, false], [2], "bool")).arraySync() as number[];
    expect(lp[0]).toBeCloseTo(Math.log(0.3), 6);
    expect(lp[1]).toBeCloseTo(Math.log(0.7), 6);
  });

  it("wrappers keep int32: expand, toEvent, mask, MixtureSameFamily of counts", () => {
    const poisson = Poisson([1, 2]);
    expect(poisson.expand([3, 2]).sample(PRNGKey(0)).dtype).toBe("int32");
    expect(poisson.toEvent(1).sample(PRNGKey(0)).dtype).toBe("int32");
    expect(poisson.mask([true, false]).sample(PRNGKey(0)).dtype).toBe("int32");
    const mixture = MixtureSameFamily(Categorical({ probs: [0.5, 0.5] }), Poisson([1, 30]));
    const x = mixture.sample(PRNGKey(1), [200]);
    expect(x.dtype).toBe("int32");
    // Draws from both components: small counts and counts near 30.
    const values = x.dataSync();
    expect(values.some((v) => v > 15)).toBe(true);
    expect(values.some((v) => v < 5)).toBe(true);
    expect(
      Categorical({ probs: [0.5, 0.5] })
        .expand([4])
        .enumerateSupport().dtype,
    ).toBe("int32");
  });

  it("a draw that int32 cannot hold is an error naming the family, not a wrapped value", () => {
    // Geometric(1e-12): mean 1e12 failures, far beyond 2^31 - 1.
    expect(() => Geometric({ probs: 1e-12 }).sample(PRNGKey(0), [10])).toThrow(
      DistributionParameterError,
    );
    expect(() => Geometric({ probs: 1e-12 }).sample(PRNGKey(0), [10])).toThrow(
      /Geometric: a draw of \d+ cannot be held in int32/,
    );
  });
});

describe("values handlers give a discrete site", () => {
  function* mixture() {
    const locs = tf.tensor([-5, 0, 5]);
    return yield* plate("data", 4, function* () {
      const z = yield* sample("z", Categorical({ probs: [0.2, 0.3, 0.5] }));
      return yield* sample("y", Normal(tf.gather(locs, z), 1));
    });
  }

  it("substitute and condition give whole values as int32, so the model indexes with them", () => {
    for (const handler of [substitute, condition]) {
      const tr = trace(seed(handler(mixture, { z: [0, 2, 1, 2] }), 0)).getTrace();
      const z = tr.get("z").value;
      expect(z.dtype).toBe("int32");
      expect(z.arraySync()).toEqual([0, 2, 1, 2]);
    }
  });

  it("a fractional value stays float32 and scores -inf, rather than being truncated", () => {
    function* single() {
      return yield* sample("z", Poisson(2));
    }
    const tr = trace(seed(substitute(single, { z: 1.5 }), 0)).getTrace();
    const site = tr.get("z");
    expect(site.value.dtype).toBe("float32");
    if (site.type !== "sample") throw new Error("z is a sample site");
    expect(site.fn.logProb(site.value).dataSync()[0]).toBe(Number.NEGATIVE_INFINITY);
  });
});
