import { describe, expect, it } from "vitest";
import {
  Bernoulli,
  constraints,
  ModelError,
  Normal,
  PRNGKey,
  param,
  plate,
  sample,
} from "../../../src/index.js";
import { AutoDiagonalNormal } from "../../../src/infer/svi/autoguide/auto-diagonal-normal.js";
import { AutoNormal } from "../../../src/infer/svi/autoguide/auto-normal.js";
import type { ELBOLoss } from "../../../src/infer/svi/elbo.js";
import { eagerLossEngine } from "../../../src/infer/svi/engine.js";
import { guideSamples, predictiveFromGuide } from "../../../src/infer/svi/guide-predictive.js";
import { TraceMeanFieldELBO } from "../../../src/infer/svi/mean-field-elbo.js";
import { Adam, SGD } from "../../../src/infer/svi/optimizers.js";
import { RenyiELBO } from "../../../src/infer/svi/renyi-elbo.js";
import { exponentialDecay } from "../../../src/infer/svi/schedules.js";
import { SVI, type SVIProgress } from "../../../src/infer/svi/svi.js";
import { TraceELBO } from "../../../src/infer/svi/trace-elbo.js";
import {
  conjugateLogEvidence,
  conjugateNormal,
  conjugatePosterior,
  mean,
  NOISE_SD,
  SCALE_DATA,
  scaleModel,
  sd,
  Y,
} from "./helpers.js";

// A hand-written guide for the conjugate model.
function* normalGuide(_y: number[]) {
  const loc = yield* param("loc", 0);
  const scale = yield* param("scale", 1, { constraint: constraints.positive });
  yield* sample("mu", Normal(loc, scale));
}

describe("SVI recovers exact posteriors", () => {
  const exact = conjugatePosterior(Y);

  it("AutoNormal on a conjugate normal model: mean and sd within 2%", () => {
    const guide = AutoNormal(conjugateNormal);
    const svi = new SVI(
      conjugateNormal,
      guide,
      Adam(exponentialDecay(0.05, 1000, 0.01)),
      TraceELBO({ numParticles: 32 }),
    );
    const { params, losses } = svi.run(PRNGKey(0), 1000, Y);
    expect(losses.length).toBe(1000);
    const loc = params.mu_auto_loc.data[0];
    const scale = params.mu_auto_scale.data[0];
    expect(Math.abs(loc - exact.mean) / exact.mean).toBeLessThan(0.02);
    expect(Math.abs(scale - exact.sd) / exact.sd).toBeLessThan(0.02);
    // The guide keeps the fitted params: median and quantiles of the normal.
    expect(guide.median().mu.data[0]).toBeCloseTo(loc, 12);
    const q = guide.quantiles([0.1587, 0.5, 0.8413]).mu.data;
    expect(q[0]).toBeCloseTo(loc - scale, 3);
    expect(q[2]).toBeCloseTo(loc + scale, 3);
    const draws = guide.samplePosterior(PRNGKey(1), 4000).mu;
    expect(draws.shape).toEqual([4000]);
    expect(Math.abs(mean(draws.data) - loc)).toBeLessThan((4 * scale) / Math.sqrt(4000));
  });

  it("a hand-written guide with TraceMeanFieldELBO (analytic KL): mean and sd within 2%", () => {
    const svi = new SVI(
      conjugateNormal,
      normalGuide,
      Adam(exponentialDecay(0.05, 1000, 0.01)),
      TraceMeanFieldELBO({ numParticles: 32 }),
    );
    const { params } = svi.run(PRNGKey(2), 1000, Y);
    expect(Math.abs(params.loc.data[0] - exact.mean) / exact.mean).toBeLessThan(0.02);
    expect(Math.abs(params.scale.data[0] - exact.sd) / exact.sd).toBeLessThan(0.02);
  });

  it("at the exact posterior the importance weights are constant: TraceELBO and RenyiELBO equal -log p(y) for any noise", () => {
    const logEvidence = conjugateLogEvidence(Y);
    for (const loss of [TraceELBO({ numParticles: 3 }), RenyiELBO({ alpha: 0.5 })]) {
      const svi = new SVI(conjugateNormal, normalGuide, SGD(0.1), loss);
      const state = svi.init(PRNGKey(3), Y);
      const atExact = {
        ...state,
        params: state.layout.ravel({ loc: exact.mean, scale: exact.sd }),
      };
      const value = svi.evaluate(atExact, Y);
      expect(Math.abs(value + logEvidence) / Math.abs(logEvidence), loss.name).toBeLessThan(1e-5);
    }
  });

  it("TraceMeanFieldELBO at the exact posterior equals -log p(y) on average (its likelihood term is Monte Carlo)", () => {
    const logEvidence = conjugateLogEvidence(Y);
    const svi = new SVI(conjugateNormal, normalGuide, SGD(0.1), TraceMeanFieldELBO());
    const state = svi.init(PRNGKey(3), Y);
    const params = state.layout.ravel({ loc: exact.mean, scale: exact.sd });
    const values = Array.from({ length: 200 }, (_, i) =>
      svi.evaluate({ ...state, params, key: PRNGKey(500 + i) }, Y),
    );
    const z = (mean(values) + logEvidence) / (sd(values) / Math.sqrt(values.length));
    expect(Math.abs(z)).toBeLessThan(4);
    expect(sd(values)).toBeGreaterThan(0);
  });

  it("TraceMeanFieldELBO and TraceELBO estimate the same ELBO (flat guide: Monte Carlo fallback and auxiliary site)", () => {
    const guide = AutoDiagonalNormal(scaleModel);
    const estimates = (loss: ELBOLoss) => {
      const svi = new SVI(scaleModel, guide, SGD(0.1), loss);
      const state = svi.init(PRNGKey(6), SCALE_DATA);
      const params = state.layout.ravel({ auto_loc: [0.4], auto_scale: [0.3] });
      return Array.from({ length: 300 }, (_, i) =>
        svi.evaluate({ ...state, params, key: PRNGKey(900 + i) }, SCALE_DATA),
      );
    };
    const a = estimates(TraceELBO());
    const b = estimates(TraceMeanFieldELBO());
    const z = (mean(a) - mean(b)) / Math.sqrt(sd(a) ** 2 / a.length + sd(b) ** 2 / b.length);
    expect(Math.abs(z)).toBeLessThan(4);
  });

  it("RenyiELBO (alpha = 0, the importance-weighted bound) is tighter than the ELBO on average", () => {
    const state = (svi: SVI<[number[]]>) => {
      const s = svi.init(PRNGKey(4), Y);
      return { ...s, params: s.layout.ravel({ loc: exact.mean + 0.3, scale: exact.sd * 1.8 }) };
    };
    const elbo = new SVI(conjugateNormal, normalGuide, SGD(0.1), TraceELBO({ numParticles: 8 }));
    const renyi = new SVI(conjugateNormal, normalGuide, SGD(0.1), RenyiELBO({ numParticles: 8 }));
    const e: number[] = [];
    const r: number[] = [];
    let se = state(elbo);
    let sr = state(renyi);
    for (let i = 0; i < 100; i++) {
      e.push(elbo.evaluate(se, Y));
      r.push(renyi.evaluate(sr, Y));
      se = { ...se, key: PRNGKey(100 + i) };
      sr = { ...sr, key: PRNGKey(100 + i) };
    }
    const logEvidence = conjugateLogEvidence(Y);
    // -log p(y) <= Renyi loss <= ELBO loss in expectation.
    expect(mean(r)).toBeLessThan(mean(e) - 4 * Math.sqrt(sd(r) ** 2 / 100 + sd(e) ** 2 / 100));
    expect(mean(r)).toBeGreaterThan(-logEvidence - (4 * sd(r)) / 10);
  });
});

describe("SVI state, updates and runs", () => {
  const make = () => new SVI(conjugateNormal, normalGuide, Adam(0.05), TraceELBO());

  it("state is plain data and update is pure", () => {
    const svi = make();
    const state = svi.init(PRNGKey(0), Y);
    expect(state.step).toBe(0);
    expect(state.params).toBeInstanceOf(Float64Array);
    expect(state.layout.sites.map((s) => s.name)).toEqual(["loc", "scale"]);
    // param init values 0 and 1 in the unconstrained space: 0 and log 1.
    expect(Array.from(state.params)).toEqual([0, 0]);
    const copy = state.params.slice();
    const { state: next, loss } = svi.update(state, Y);
    expect(Number.isFinite(loss)).toBe(true);
    expect(next.step).toBe(1);
    expect(Array.from(state.params)).toEqual(Array.from(copy));
    expect(Array.from(next.params)).not.toEqual(Array.from(copy));
    // The same state gives the same update, bit for bit.
    expect(Array.from(svi.update(state, Y).state.params)).toEqual(Array.from(next.params));
    expect(svi.getParams(next).scale.data[0]).toBeCloseTo(Math.exp(next.params[1]), 12);
  });

  it("run is reproducible from its key, and evaluate gives the loss at a state", () => {
    const a = make().run(PRNGKey(7), 30, Y);
    const b = make().run(PRNGKey(7), 30, Y);
    expect(Array.from(a.losses)).toEqual(Array.from(b.losses));
    const c = make().run(PRNGKey(8), 30, Y);
    expect(Array.from(c.losses)).not.toEqual(Array.from(a.losses));
    expect(Number.isFinite(make().evaluate(a.state, Y))).toBe(true);
  });

  it("reports progress with the running loss", () => {
    const seen: SVIProgress[] = [];
    const svi = new SVI(conjugateNormal, normalGuide, Adam(0.05), TraceELBO(), {
      onProgress: (p) => seen.push(p),
      progressEvery: 10,
    });
    const { losses } = svi.run(PRNGKey(0), 25, Y);
    expect(seen.map((p) => p.step)).toEqual([10, 20, 25]);
    expect(seen[0].runningLoss).toBeCloseTo(mean(losses.slice(0, 10)), 6);
    expect(seen[2].runningLoss).toBeCloseTo(mean(losses.slice(20, 25)), 6);
    expect(seen[2].loss).toBe(losses[24]);
  });

  it("an abort signal stops run between steps and keeps the parameters reached", () => {
    const controller = new AbortController();
    const svi = new SVI(conjugateNormal, normalGuide, Adam(0.05), TraceELBO(), {
      signal: controller.signal,
      progressEvery: 1,
      onProgress: (p) => {
        if (p.step === 12) controller.abort();
      },
    });
    const result = svi.run(PRNGKey(0), 1000, Y);
    expect(result.aborted).toBe(true);
    expect(result.losses.length).toBe(12);
    expect(result.state.step).toBe(12);
    expect(result.params.loc.data[0]).toBeCloseTo(result.state.params[0], 12);
    expect(result.params.loc.data[0]).not.toBe(0);
  });

  it("runAsync yields to the event loop so that a timer can abort it", async () => {
    const controller = new AbortController();
    const svi = new SVI(conjugateNormal, normalGuide, Adam(0.05), TraceELBO(), {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 200);
    const result = await svi.runAsync(PRNGKey(0), 10_000_000, Y);
    expect(result.aborted).toBe(true);
    expect(result.losses.length).toBeGreaterThan(0);
    expect(result.losses.length).toBe(result.state.step);
  });

  it("stableUpdate skips a step whose loss is not finite and keeps the old parameters", () => {
    function* model() {
      const x = yield* sample("x", Normal(0, 1));
      yield* sample("y", Normal(x, 1), { obs: 0 });
    }
    function* guide() {
      const loc = yield* param("loc", 0);
      yield* sample("x", Normal(loc, 1));
    }
    const svi = new SVI(model, guide, SGD(0.1), TraceELBO());
    const state = svi.init(PRNGKey(0));
    // An infinite location makes the loss non-finite.
    const broken = { ...state, params: Float64Array.of(Number.POSITIVE_INFINITY) };
    const plain = svi.update(broken);
    expect(Number.isFinite(plain.loss)).toBe(false);
    const stable = svi.stableUpdate(broken);
    expect(Number.isFinite(stable.loss)).toBe(false);
    expect(stable.state.params[0]).toBe(Number.POSITIVE_INFINITY);
    expect(stable.state.step).toBe(1);
    // A finite state updates as `update` does.
    expect(Array.from(svi.stableUpdate(state).state.params)).toEqual(
      Array.from(svi.update(state).state.params),
    );
  });

  it("optimizes model params too", () => {
    function* model() {
      const shift = yield* param("shift", 0);
      const x = yield* sample("x", Normal(shift, 1));
      yield* sample("y", Normal(x, 1), { obs: 2 });
    }
    function* guide() {
      const loc = yield* param("loc", 0);
      yield* sample("x", Normal(loc, 1));
    }
    const svi = new SVI(model, guide, Adam(0.05), TraceELBO());
    const state = svi.init(PRNGKey(0));
    expect(state.layout.sites.map((s) => s.name)).toEqual(["loc", "shift"]);
  });
});

describe("guides that do not fit the model are errors naming the site", () => {
  function* twoLatents(y: number) {
    const a = yield* sample("a", Normal(0, 1));
    const b = yield* sample("b", Normal(a, 1));
    yield* sample("y", Normal(b, 1), { obs: y });
  }
  const expectModelError = (guide: (y: number) => Generator<any, void, unknown>, text: RegExp) => {
    const svi = new SVI(twoLatents, guide, Adam(0.01), TraceELBO());
    let caught: unknown;
    try {
      svi.init(PRNGKey(0), 1);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ModelError);
    expect((caught as Error).message).toMatch(text);
  };

  it("a latent site of the model that the guide misses", () => {
    expectModelError(function* () {
      yield* sample("a", Normal(yield* param("la", 0), 1));
    }, /guide has no sample site for the model's latent site "b"/);
  });

  it("a guide site the model lacks", () => {
    expectModelError(function* () {
      yield* sample("a", Normal(yield* param("la", 0), 1));
      yield* sample("b", Normal(yield* param("lb", 0), 1));
      yield* sample("c", Normal(0, 1));
    }, /guide's sample site "c" is not a site of the model/);
  });

  it("a guide site the model observes", () => {
    expectModelError(function* () {
      yield* sample("a", Normal(yield* param("la", 0), 1));
      yield* sample("b", Normal(yield* param("lb", 0), 1));
      yield* sample("y", Normal(0, 1));
    }, /guide samples "y", which the model observes/);
  });

  it("a guide site without a reparameterized sampler", () => {
    function* coin() {
      const p = yield* sample("p", Normal(0, 1));
      yield* sample("k", Bernoulli({ logits: p }));
    }
    function* coinGuide() {
      yield* sample("p", Normal(yield* param("lp", 0), 1));
      yield* sample("k", Bernoulli({ probs: 0.5 }));
    }
    const svi = new SVI(coin, coinGuide, Adam(0.01), TraceELBO());
    expect(() => svi.init(PRNGKey(0))).toThrow(
      /draws "k" from Bernoulli, which has no reparameterized/,
    );
  });

  it("the eager engine is the default and the seam is explicit", () => {
    const svi = new SVI(twoLatents, AutoNormal(twoLatents), Adam(0.01), TraceELBO(), {
      engine: eagerLossEngine,
    });
    const objective = svi.objective(PRNGKey(0), 1);
    expect(objective.paramDim).toBe(4);
    expect(objective.noiseDim).toBe(2);
    expect(objective.usesResidualKey).toBe(false);
  });
});

describe("plates", () => {
  it("plate sites with several particles: each particle one run of guide and model", () => {
    function* model(y: number[][]) {
      const mu = yield* sample("mu", Normal(0, 3));
      yield* plate("groups", 3, function* () {
        const theta = yield* sample("theta", Normal(mu, 1));
        yield* plate(
          "items",
          2,
          function* () {
            yield* sample("y", Normal(theta, 0.5), { obs: y });
          },
          { dim: -2 },
        );
      });
    }
    const y = [
      [1, 2, 3],
      [1.5, 2.5, 2.5],
    ];
    const guide = AutoNormal(model);
    const svi = new SVI(model, guide, Adam(0.05), TraceELBO({ numParticles: 5 }));
    const { losses } = svi.run(PRNGKey(0), 300, y);
    expect(losses.every(Number.isFinite)).toBe(true);
    const median = guide.median();
    expect(median.theta.shape).toEqual([3]);
    // theta_g near its group mean (shrunk slightly towards mu).
    expect(Math.abs(median.theta.data[0] - 1.25)).toBeLessThan(0.4);
    expect(Math.abs(median.theta.data[2] - 2.75)).toBeLessThan(0.4);
  });
});

describe("predictive draws over a fitted guide", () => {
  const exact = conjugatePosterior(Y);
  const atExact = {
    loc: { shape: [], data: Float64Array.of(exact.mean) },
    scale: { shape: [], data: Float64Array.of(exact.sd) },
  };

  it("a hand-written guide: latent draws by batched guide runs, then the model's predictive", () => {
    const latent = guideSamples(normalGuide, [Y], atExact, PRNGKey(1), 4000, true);
    expect(latent.mu.shape).toEqual([4000]);
    expect(Math.abs(mean(latent.mu.data) - exact.mean)).toBeLessThan(
      (4 * exact.sd) / Math.sqrt(4000),
    );
    expect(Math.abs(sd(latent.mu.data) / exact.sd - 1)).toBeLessThan(0.05);
    const ppc = predictiveFromGuide(conjugateNormal, normalGuide, {
      params: atExact,
      numSamples: 4000,
      parallel: true,
    }).run(PRNGKey(2), Y);
    expect(ppc.y.shape).toEqual([4000, Y.length]);
    // The posterior predictive of one observation: N(mean, sd^2 + NOISE_SD^2).
    const first = ppc.y.data.filter((_, i) => i % Y.length === 0);
    const predictiveSd = Math.sqrt(exact.sd ** 2 + NOISE_SD ** 2);
    expect(Math.abs(mean(first) - exact.mean)).toBeLessThan((4 * predictiveSd) / Math.sqrt(4000));
    expect(Math.abs(sd(first) / predictiveSd - 1)).toBeLessThan(0.05);
  });

  it("an autoguide draws through its own samplePosterior", () => {
    const guide = AutoNormal(conjugateNormal);
    guide.setup(Y);
    const params = {
      mu_auto_loc: { shape: [], data: Float64Array.of(exact.mean) },
      mu_auto_scale: { shape: [], data: Float64Array.of(exact.sd) },
    };
    const ppc = predictiveFromGuide(conjugateNormal, guide, { params, numSamples: 2000 }).run(
      PRNGKey(3),
      Y,
    );
    expect(ppc.y.shape).toEqual([2000, Y.length]);
    expect(Math.abs(mean(ppc.y.data) - exact.mean)).toBeLessThan(0.2);
  });
});
