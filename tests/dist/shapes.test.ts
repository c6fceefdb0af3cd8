/**
 * Batch and event shapes, against NumPyro's documented semantics (torch.distributions
 * shapes): samples are [...sampleShape, ...batchShape, ...eventShape]; log-probabilities have
 * the broadcast batch shape; `expand` broadcasts the batch shape (new leading dims, or size-1
 * dims growing); `toEvent(n)` moves the rightmost n batch dims into the event;
 * `mask(m)` broadcasts the batch shape with m's shape and zeroes masked log-probabilities.
 */
import { describe, expect, it } from "vitest";
import {
  Bernoulli,
  Beta,
  Binomial,
  Categorical,
  Dirichlet,
  type Distribution,
  Gamma,
  GaussianRandomWalk,
  LKJCholesky,
  MixtureSameFamily,
  Multinomial,
  MultivariateNormal,
  Normal,
  Poisson,
  StickBreakingTransform,
  StudentT,
  TransformedDistribution,
  Uniform,
} from "../../src/dist/index.js";
import { PRNGKey } from "../../src/primitives/prng.js";
import { tf } from "../../src/tf.js";

const key = PRNGKey(0);

function shapes(d: Distribution) {
  return { batch: d.batchShape, event: d.eventShape };
}

describe("batch broadcasting of parameters", () => {
  it("broadcasts parameter shapes NumPy-style", () => {
    expect(shapes(Normal(tf.zeros([3]), tf.ones([2, 1])))).toEqual({ batch: [2, 3], event: [] });
    expect(shapes(StudentT(tf.ones([4, 1, 1]), tf.zeros([3]), 1))).toEqual({
      batch: [4, 1, 3],
      event: [],
    });
    expect(shapes(Gamma(tf.ones([2, 1]), tf.ones([1, 5])))).toEqual({ batch: [2, 5], event: [] });
    expect(shapes(Binomial(tf.tensor([5, 6, 7]), { probs: 0.3 }))).toEqual({
      batch: [3],
      event: [],
    });
  });
  it("multivariate families take the event from the last dims", () => {
    expect(
      shapes(
        MultivariateNormal(tf.zeros([3]), {
          covarianceMatrix: tf.broadcastTo(tf.eye(3), [2, 3, 3]),
        }),
      ),
    ).toEqual({
      batch: [2],
      event: [3],
    });
    expect(shapes(Dirichlet(tf.ones([2, 4])))).toEqual({ batch: [2], event: [4] });
    expect(shapes(Multinomial(5, { probs: tf.fill([2, 3], 1 / 3) }))).toEqual({
      batch: [2],
      event: [3],
    });
    expect(shapes(Multinomial(tf.tensor([5, 6]), { probs: [0.2, 0.8] }))).toEqual({
      batch: [2],
      event: [2],
    });
    expect(shapes(Categorical({ probs: tf.fill([2, 4], 0.25) }))).toEqual({
      batch: [2],
      event: [],
    });
    expect(shapes(LKJCholesky(3, tf.ones([2])))).toEqual({ batch: [2], event: [3, 3] });
    expect(shapes(GaussianRandomWalk(tf.ones([2]), 5))).toEqual({ batch: [2], event: [5] });
  });
  it("rejects parameter shapes that do not broadcast, naming the family and shapes", () => {
    expect(() => Normal(tf.zeros([3]), tf.ones([2]))).toThrow(
      /Normal: parameter shapes do not broadcast: loc \[3\], scale \[2\]/,
    );
    expect(() => MultivariateNormal(tf.zeros([3]), { covarianceMatrix: tf.eye(2) })).toThrow(
      /MultivariateNormal/,
    );
  });
});

describe("sample and logProb shapes", () => {
  const cases: Array<[string, Distribution, number[], number[]]> = [
    // [name, distribution, sample shape of sample(key, [5]), logProb shape of a draw of sample(key, [5])]
    ["Normal [2,3]", Normal(tf.zeros([3]), tf.ones([2, 1])), [5, 2, 3], [5, 2, 3]],
    ["Beta [3]", Beta(tf.ones([3]), 2), [5, 3], [5, 3]],
    ["Poisson [2]", Poisson(tf.tensor([1, 20])), [5, 2], [5, 2]],
    ["Bernoulli [2,2]", Bernoulli({ probs: tf.fill([2, 2], 0.5) }), [5, 2, 2], [5, 2, 2]],
    ["Categorical [2]", Categorical({ logits: tf.zeros([2, 4]) }), [5, 2], [5, 2]],
    ["Dirichlet [2] x [4]", Dirichlet(tf.ones([2, 4])), [5, 2, 4], [5, 2]],
    ["Multinomial [2] x [3]", Multinomial(5, { probs: tf.fill([2, 3], 1 / 3) }), [5, 2, 3], [5, 2]],
    [
      "MultivariateNormal [2] x [3]",
      MultivariateNormal(tf.zeros([2, 3]), { scaleTril: tf.eye(3) }),
      [5, 2, 3],
      [5, 2],
    ],
    ["LKJCholesky [2] x [3,3]", LKJCholesky(3, tf.ones([2])), [5, 2, 3, 3], [5, 2]],
    ["GaussianRandomWalk [2] x [4]", GaussianRandomWalk(tf.ones([2]), 4), [5, 2, 4], [5, 2]],
  ];
  for (const [name, d, sampleShape, logProbShape] of cases) {
    it(name, () => {
      const x = d.sample(key, [5]);
      expect(x.shape).toEqual(sampleShape);
      expect(d.logProb(x).shape).toEqual(logProbShape);
      expect(d.shape([5])).toEqual(sampleShape);
    });
  }
  it("logProb broadcasts the value's extra leading dims against the batch", () => {
    expect(Normal(tf.zeros([3]), 1).logProb(tf.zeros([4, 1, 3])).shape).toEqual([4, 1, 3]);
    expect(Normal(tf.zeros([2, 3]), 1).logProb(tf.zeros([4, 1, 3])).shape).toEqual([4, 2, 3]);
    expect(
      MultivariateNormal(tf.zeros([3]), { scaleTril: tf.eye(3) }).logProb(tf.zeros([4, 3])).shape,
    ).toEqual([4]);
  });
  it("logProb broadcasts a batch with more dims than the value (a parameter indexed by an enumerated site)", () => {
    const probs = tf.tensor([[0.2], [0.7]]);
    const lp = Bernoulli({ probs }).logProb(tf.tensor([1, 0, 1]));
    const expected = [0.2, 0.7].map((p) => [Math.log(p), Math.log(1 - p), Math.log(p)]);
    const values = lp.arraySync() as number[][];
    expect(lp.shape).toEqual([2, 3]);
    values.flat().forEach((v, i) => {
      expect(v).toBeCloseTo(expected.flat()[i], 6);
    });
  });
  it("moments have shape batch + event", () => {
    const mvn = MultivariateNormal(tf.zeros([3]), {
      covarianceMatrix: tf.broadcastTo(tf.eye(3), [2, 3, 3]),
    });
    expect(mvn.mean.shape).toEqual([2, 3]);
    expect(mvn.variance.shape).toEqual([2, 3]);
    expect(mvn.entropy().shape).toEqual([2]);
    expect(Dirichlet(tf.ones([2, 4])).mean.shape).toEqual([2, 4]);
    expect(Normal(tf.zeros([3]), tf.ones([2, 1])).mean.shape).toEqual([2, 3]);
  });
});

describe("expand", () => {
  it("adds leading batch dims", () => {
    const d = Normal(tf.zeros([3]), 1).expand([2, 3]);
    expect(shapes(d)).toEqual({ batch: [2, 3], event: [] });
    expect(d.sample(key, [5]).shape).toEqual([5, 2, 3]);
    expect(d.logProb(tf.zeros([3])).shape).toEqual([2, 3]);
    expect(d.mean.shape).toEqual([2, 3]);
  });
  it("grows size-1 dims, drawing independent values there", () => {
    const d = Normal(tf.zeros([3, 1]), 1).expand([2, 3, 4]);
    const x = d.sample(key, [5]);
    expect(x.shape).toEqual([5, 2, 3, 4]);
    const values = x.arraySync() as number[][][][];
    expect(values[0][0][0][0]).not.toEqual(values[0][0][0][1]);
    expect(values[0][0][0][0]).not.toEqual(values[0][1][0][0]);
  });
  it("keeps the event shape", () => {
    const d = Dirichlet(tf.ones([3])).expand([2]);
    expect(shapes(d)).toEqual({ batch: [2], event: [3] });
    expect(d.sample(key, [4]).shape).toEqual([4, 2, 3]);
    expect(d.logProb(tf.fill([3], 1 / 3)).shape).toEqual([2]);
  });
  it("refuses shapes the batch shape cannot broadcast to", () => {
    expect(() => Normal(tf.zeros([3]), 1).expand([4, 2])).toThrow(
      /cannot expand batch shape \[3\] to \[4,2\]/,
    );
  });
  it("enumerates the support of an expanded discrete family", () => {
    const d = Bernoulli({ probs: 0.3 }).expand([2, 3]);
    expect(d.enumerateSupport().shape).toEqual([2, 2, 3]);
    expect(d.enumerateSupport(false).shape).toEqual([2, 1, 1]);
  });
});

describe("toEvent", () => {
  it("moves the rightmost batch dims into the event and sums log-probabilities over them", () => {
    const base = Normal(tf.zeros([2, 3]), 1);
    const d = base.toEvent(1);
    expect(shapes(d)).toEqual({ batch: [2], event: [3] });
    const x = tf.tensor([
      [0, 1, 2],
      [-1, 0, 1],
    ]);
    const lp = d.logProb(x);
    expect(lp.shape).toEqual([2]);
    const summed = tf.sum(base.logProb(x), -1).dataSync();
    expect(Array.from(lp.dataSync())).toEqual(Array.from(summed));
    expect(d.sample(key, [5]).shape).toEqual([5, 2, 3]);
  });
  it("with no argument reinterprets every batch dim", () => {
    expect(shapes(Normal(tf.zeros([2, 3]), 1).toEvent())).toEqual({ batch: [], event: [2, 3] });
  });
  it("composes with expand and with itself", () => {
    const d = Normal(0, 1).expand([4, 3]).toEvent(1);
    expect(shapes(d)).toEqual({ batch: [4], event: [3] });
    expect(shapes(d.toEvent(1))).toEqual({ batch: [], event: [4, 3] });
    expect(d.expand([2, 4]).batchShape).toEqual([2, 4]);
  });
  it("refuses more dims than the batch has", () => {
    expect(() => Normal(tf.zeros([3]), 1).toEvent(2)).toThrow(
      /toEvent: n must be an integer in \[0, 1\]/,
    );
  });
});

describe("mask", () => {
  it("zeroes masked log-probabilities and broadcasts the batch shape with the mask", () => {
    const d = Normal(tf.zeros([3]), 1).mask(tf.tensor([true, false, true], [3], "bool"));
    const lp = Array.from(d.logProb(tf.zeros([3])).dataSync());
    expect(lp[1]).toBe(0);
    expect(lp[0]).toBeCloseTo(-0.9189385, 6);
    const wide = Normal(0, 1).mask(tf.tensor([[true], [false]], [2, 1], "bool"));
    expect(wide.batchShape).toEqual([2, 1]);
    expect(wide.logProb(tf.zeros([3])).shape).toEqual([2, 3]);
  });
  it("mask(false) zeroes everything; mask(true) is the distribution itself", () => {
    const d = Normal(tf.zeros([3]), 1);
    expect(
      Array.from(
        d
          .mask(false)
          .logProb(tf.zeros([3]))
          .dataSync(),
      ),
    ).toEqual([0, 0, 0]);
    expect(d.mask(true)).toBe(d);
  });
});

describe("wrappers", () => {
  it("TransformedDistribution takes its event rank from the transforms", () => {
    const d = new TransformedDistribution(Normal(tf.zeros([3]), 1), new StickBreakingTransform());
    expect(shapes(d)).toEqual({ batch: [], event: [4] });
    const x = d.sample(key, [5]);
    expect(x.shape).toEqual([5, 4]);
    expect(d.logProb(x).shape).toEqual([5]);
    // log p(y) = log p(x) - log|det J|, x = inverse(y)
    const y = tf.tensor([0.1, 0.2, 0.3, 0.4]);
    const t = new StickBreakingTransform();
    const u = t.inverse(y);
    const expected = tf
      .sub(tf.sum(Normal(0, 1).logProb(u)), t.logAbsDetJacobian(u, y))
      .dataSync()[0];
    expect(d.logProb(y).dataSync()[0]).toBeCloseTo(expected, 5);
  });
  it("MixtureSameFamily drops the component dim", () => {
    const mixing = Categorical({ probs: tf.fill([2, 3], 1 / 3) });
    const components = Normal(tf.zeros([2, 3]), 1);
    const d = new MixtureSameFamily(mixing, components);
    expect(shapes(d)).toEqual({ batch: [2], event: [] });
    expect(d.sample(key, [5]).shape).toEqual([5, 2]);
    expect(d.logProb(tf.zeros([5, 2])).shape).toEqual([5, 2]);
    expect(d.mean.shape).toEqual([2]);
    // equal components: the mixture is that component
    expect(d.logProb(0.5).dataSync()[0]).toBeCloseTo(Normal(0, 1).logProb(0.5).dataSync()[0], 5);
    expect(
      () => new MixtureSameFamily(Categorical({ probs: [0.5, 0.5] }), Normal(tf.zeros([3]), 1)),
    ).toThrow(/MixtureSameFamily: the component batch shape/);
  });
  it("MixtureSameFamily of multivariate components", () => {
    const d = new MixtureSameFamily(
      Categorical({ probs: [0.4, 0.6] }),
      MultivariateNormal(
        tf.tensor([
          [0, 0],
          [3, 3],
        ]),
        { scaleTril: tf.eye(2) },
      ),
    );
    expect(shapes(d)).toEqual({ batch: [], event: [2] });
    expect(d.sample(key, [7]).shape).toEqual([7, 2]);
    expect(d.mean.shape).toEqual([2]);
    expect(Array.from(d.mean.dataSync()).map((v) => Number(v.toFixed(5)))).toEqual([1.8, 1.8]);
  });
  it("Uniform with tensor bounds keeps their batch shape", () => {
    expect(Uniform(tf.zeros([2]), tf.tensor([1, 2])).sample(key, [3]).shape).toEqual([3, 2]);
  });
});
