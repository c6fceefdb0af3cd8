/**
 * Batching that the model cannot see: whatever batches a model (vectorized Predictive,
 * multi-particle ELBOs, vmap) gives the answer of one run per batch member, for models that
 * use expand, explicit shapes, reshape, matMul or positive axes; where a batched run cannot be
 * exact it is an error naming the site, never a wrong shape or value.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Draws,
  deterministic,
  HalfNormal,
  ModelError,
  MultivariateNormal,
  Normal,
  PRNGKey,
  Predictive,
  plate,
  sample,
  seed,
  tf,
  trace,
  vmap,
} from "../../src/index.js";
import { AutoNormal } from "../../src/infer/svi/autoguide/auto-normal.js";
import { eagerLossEngine } from "../../src/infer/svi/engine.js";
import { Adam } from "../../src/infer/svi/optimizers.js";
import { particleLoss } from "../../src/infer/svi/particles.js";
import { exponentialDecay } from "../../src/infer/svi/schedules.js";
import { SVI } from "../../src/infer/svi/svi.js";
import { TraceELBO } from "../../src/infer/svi/trace-elbo.js";

// The family of the property test: blocks that add sites to a model, each a function of the
// global site `a`. The unsafe ones combine values across a batch dimension that is not theirs.
const SAFE = ["expand", "toEvent", "plate", "matMul", "negativeAxis", "observedEvent", "mvn"];
const UNSAFE = ["reshape", "positiveAxis"];
type Block = { kind: string; size: number };

function familyModel(blocks: readonly Block[]) {
  return function* model() {
    const a = yield* sample("a", Normal(0, 1));
    for (const [j, { kind, size: k }] of blocks.entries()) {
      switch (kind) {
        case "expand":
          yield* sample(`expand${j}`, Normal(a, 1).expand([k]));
          break;
        case "toEvent":
          yield* sample(`event${j}`, Normal(a, 1).expand([k]).toEvent(1));
          break;
        case "plate":
          yield* plate(`plate${j}`, k, function* () {
            const z = yield* sample(`inPlate${j}`, Normal(a, 0.5));
            yield* deterministic(`shifted${j}`, tf.add(z, 1));
          });
          break;
        case "matMul": {
          const w = yield* sample(`w${j}`, Normal(a, 1).expand([k, 1]));
          const x = tf.reshape(tf.range(1, 2 * k + 1), [2, k]);
          yield* deterministic(`xw${j}`, tf.matMul(x, w));
          break;
        }
        case "negativeAxis": {
          const z = yield* sample(`grid${j}`, Normal(a, 1).expand([2, k]));
          yield* deterministic(`rowSums${j}`, tf.sum(z, -1));
          break;
        }
        case "observedEvent":
          yield* sample(`y${j}`, Normal(a, 1).expand([k]).toEvent(1), {
            obs: Array.from({ length: k }, (_, i) => i / k),
          });
          break;
        case "mvn":
          yield* sample(
            `mvn${j}`,
            MultivariateNormal(tf.mul(a, tf.ones([2])), {
              scaleTril: [
                [1, 0],
                [0.5, 0.8],
              ],
            }),
          );
          break;
        case "reshape": {
          const z = yield* sample(`flat${j}`, Normal(a, 1).expand([2 * k]));
          yield* deterministic(`matrix${j}`, tf.reshape(z, [2, k]));
          break;
        }
        case "positiveAxis": {
          const z = yield* sample(`square${j}`, Normal(a, 1).expand([k, k]));
          yield* deterministic(`columnSums${j}`, tf.sum(z, 1));
          break;
        }
      }
    }
  };
}

function expectSameDraws(loop: Record<string, Draws>, batched: Record<string, Draws>): void {
  expect(Object.keys(batched).sort()).toEqual(Object.keys(loop).sort());
  for (const [name, d] of Object.entries(loop)) {
    expect(batched[name].shape, name).toEqual(d.shape);
    d.data.forEach((x, i) => {
      expect(Math.abs(batched[name].data[i] - x), `${name}[${i}]`).toBeLessThanOrEqual(
        1e-6 * Math.max(1, Math.abs(x)),
      );
    });
  }
}

describe("vectorized Predictive equals the per-draw loop", () => {
  it("property: for models of expand, reshape, matMul, plates and event shapes, parallel draws equal the loop's or fail naming a site", () => {
    const block = fc.record({
      kind: fc.constantFrom(...SAFE, ...UNSAFE),
      size: fc.integer({ min: 2, max: 4 }),
    });
    const seen = { batched: 0, refused: 0 };
    fc.assert(
      fc.property(
        fc.array(block, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.boolean(),
        (blocks, numSamples, key, posterior) => {
          const model = familyModel(blocks);
          const options = {
            numSamples,
            // Posterior predictive: given draws of `a` (as MCMC would return them).
            posteriorSamples: posterior
              ? {
                  a: {
                    shape: [numSamples],
                    data: Float64Array.from({ length: numSamples }, (_, i) => i - 1.5),
                  },
                }
              : undefined,
          };
          const loop = new Predictive(model, options).run(PRNGKey(key));
          const safe = blocks.every((b) => SAFE.includes(b.kind));
          let batched: Record<string, Draws>;
          try {
            batched = new Predictive(model, { ...options, parallel: true }).run(PRNGKey(key));
          } catch (error) {
            // A model of safe blocks always batches.
            if (safe) throw error;
            expect(error).toBeInstanceOf(ModelError);
            const site = (error as ModelError).site;
            expect(typeof site).toBe("string");
            expect((error as Error).message).toContain(`"${site}"`);
            seen.refused++;
            return;
          }
          expectSameDraws(loop, batched);
          seen.batched++;
        },
      ),
      { numRuns: 40, seed: 14 },
    );
    // Both outcomes occurred: the comparison ran, and unsafe models were refused.
    expect(seen.batched).toBeGreaterThan(10);
    expect(seen.refused).toBeGreaterThan(3);
  });
});

// PyMC's prior predictive guide example (mu (5, 1), sigma (1, 10), x (2, 5, 10)), written as a
// NumPyro user writes it: with expand to the explicit shape of x.
function* pymcWithExpand() {
  const mu = yield* sample("mu", Normal(0, 1).expand([5, 1]));
  const sigma = yield* sample("sigma", HalfNormal(5).expand([1, 10]));
  yield* sample("x", Normal(mu, sigma).expand([2, 5, 10]));
}

describe("PyMC's (100, 2, 5, 10) prior predictive written with expand", () => {
  it("has PyMC's shapes in both modes, the same draws, and x | mu, sigma standard normal", () => {
    const loop = new Predictive(pymcWithExpand, { numSamples: 100 }).run(PRNGKey(0));
    const batched = new Predictive(pymcWithExpand, { numSamples: 100, parallel: true }).run(
      PRNGKey(0),
    );
    expect(loop.x.shape).toEqual([100, 2, 5, 10]);
    expect(loop.mu.shape).toEqual([100, 5, 1]);
    expect(loop.sigma.shape).toEqual([100, 1, 10]);
    expectSameDraws(loop, batched);
    // (x - mu) / sigma is N(0, 1): its mean and variance within 4.5 standard errors.
    const z: number[] = [];
    for (let n = 0; n < 100; n++)
      for (let r = 0; r < 2; r++)
        for (let i = 0; i < 5; i++)
          for (let j = 0; j < 10; j++) {
            const x = loop.x.data[((n * 2 + r) * 5 + i) * 10 + j];
            z.push((x - loop.mu.data[n * 5 + i]) / loop.sigma.data[n * 10 + j]);
          }
    const m = z.reduce((a, b) => a + b, 0) / z.length;
    const v = z.reduce((a, b) => a + (b - m) ** 2, 0) / (z.length - 1);
    expect(Math.abs(m) / Math.sqrt(1 / z.length)).toBeLessThan(4.5);
    expect(Math.abs(v - 1) / Math.sqrt(2 / z.length)).toBeLessThan(4.5);
  });

  it("vmap runs it batched too: expand keeps vmap's dim", () => {
    const tr = trace(seed(vmap(pymcWithExpand, { size: 7 }), 1)).getTrace();
    expect(tr.get("x").value.shape).toEqual([7, 2, 5, 10]);
    expect(tr.get("mu").value.shape).toEqual([7, 1, 5, 1]);
  });

  it("vmap refuses a reshape to an explicit shape, naming the site after which it failed", () => {
    function* flat() {
      const z = yield* sample("z", Normal(0, 1).expand([6]));
      yield* deterministic("m", tf.reshape(z, [2, 3]));
    }
    expect(() => trace(seed(vmap(flat, { size: 4 }), 0)).getTrace()).toThrow(
      /vmap: the model fails batched, after site "z"/,
    );
    function* columnSums() {
      const z = yield* sample("z", Normal(0, 1).expand([3, 3]));
      yield* deterministic("s", tf.sum(tf.sum(z, 0), 0));
    }
    expect(() => trace(seed(vmap(columnSums, { size: 4 }), 0)).getTrace()).toThrow(
      /vmap: site "s" has shape \[3\] batched 4 times/,
    );
  });
});

// y_i ~ N(mu, 1), i = 1..12, as one event site written with expand; mu ~ N(0, 10).
const Y12 = [0.4, 1.9, 1.2, 2.6, 0.8, 1.5, 2.2, 0.1, 1.7, 1.1, 2.9, 1.4];
function* conjugate12(y: number[]) {
  const mu = yield* sample("mu", Normal(0, 10));
  yield* sample("y", Normal(mu, 1).expand([12]).toEvent(1), { obs: y });
}

describe("multi-particle ELBOs run the model as written", () => {
  it("TraceELBO({ numParticles: 4 }) on a 12-point expand/toEvent model: the exact conjugate posterior", () => {
    const precision = 1 / 100 + 12;
    const exactMean = Y12.reduce((a, b) => a + b, 0) / precision;
    const exactSd = 1 / Math.sqrt(precision);
    const guide = AutoNormal(conjugate12);
    const svi = new SVI(
      conjugate12,
      guide,
      Adam(exponentialDecay(0.05, 2000, 0.02)),
      TraceELBO({ numParticles: 4 }),
    );
    const { params, losses } = svi.run(PRNGKey(0), 2000, Y12);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(params.mu_auto_loc.shape).toEqual([]);
    expect(Math.abs(params.mu_auto_loc.data[0] / exactMean - 1)).toBeLessThan(0.03);
    expect(Math.abs(params.mu_auto_scale.data[0] / exactSd - 1)).toBeLessThan(0.1);
  });

  it("the 4-particle loss is the mean of four one-particle losses (one run of guide and model each)", () => {
    const svi = new SVI(
      conjugate12,
      AutoNormal(conjugate12),
      Adam(0.01),
      TraceELBO({ numParticles: 4 }),
    );
    const state = svi.init(PRNGKey(1), Y12);
    const objective = svi.objective(PRNGKey(1), Y12);
    const evaluator = eagerLossEngine(objective);
    const stepKey = PRNGKey(5);
    const singles = [0, 1, 2, 3].map(
      (k) => -evaluator.value(state.params, objective.particleInputs(stepKey, k)),
    );
    const four = particleLoss(objective, evaluator, state.params, stepKey);
    expect(four).toBeCloseTo(singles.reduce((a, b) => a + b, 0) / 4, 4);
    expect(new Set(singles).size).toBe(4);
  });
});
