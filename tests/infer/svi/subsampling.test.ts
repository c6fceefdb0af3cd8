import { describe, expect, it, vi } from "vitest";
import {
  constant,
  foldIn,
  type Key,
  Normal,
  PRNGKey,
  plate,
  sample,
  tf,
} from "../../../src/index.js";
import { AutoDiagonalNormal } from "../../../src/infer/svi/autoguide/auto-diagonal-normal.js";
import { AutoNormal } from "../../../src/infer/svi/autoguide/auto-normal.js";
import { compiledLossEngine, eagerLossEngine } from "../../../src/infer/svi/engine.js";
import { buildObjective } from "../../../src/infer/svi/objective.js";
import { Adam } from "../../../src/infer/svi/optimizers.js";
import { SVI } from "../../../src/infer/svi/svi.js";
import { TraceELBO } from "../../../src/infer/svi/trace-elbo.js";
import { mean, sd } from "./helpers.js";

const N = 20;
const DATA = Array.from({ length: N }, (_, i) => Math.sin(i * 1.7) * 2 + 1 + 0.1 * i);
const Y = constant(DATA);

// A global mean with data subsampling.
function* globalModel(y: tf.Tensor, subsampleSize: number) {
  const mu = yield* sample("mu", Normal(0, 5));
  yield* plate(
    "data",
    N,
    function* (idx) {
      yield* sample("y", Normal(mu, 1), { obs: tf.gather(y, idx) });
    },
    { subsampleSize },
  );
}

// Local latent variables in the subsampled plate: z_i ~ N(mu, 1), y_i ~ N(z_i, 0.5).
function* localModel(y: tf.Tensor, subsampleSize: number) {
  const mu = yield* sample("mu", Normal(0, 5));
  yield* plate(
    "data",
    N,
    function* (idx) {
      const z = yield* sample("z", Normal(mu, 1));
      yield* sample("y", Normal(z, 0.5), { obs: tf.gather(y, idx) });
    },
    { subsampleSize },
  );
}

const zScore = (a: number[], b: number[]) =>
  (mean(a) - mean(b)) /
  Math.sqrt(sd(a) ** 2 / a.length + (b.length > 1 ? sd(b) ** 2 / b.length : 0));

describe("plate subsampling gives an unbiased, scaled ELBO", () => {
  it("data subsampling: with the same guide noise, the mean over subsample keys equals the full-data loss", () => {
    const build = (size: number) =>
      buildObjective(
        "test",
        globalModel,
        AutoNormal(globalModel),
        [Y, size],
        TraceELBO(),
        PRNGKey(0),
      );
    const sub = build(5);
    const full = build(N);
    // The subsample indices are an input, like the noise: no other randomness is left.
    expect(sub.usesResidualKey).toBe(false);
    expect(sub.subsamplePlates).toEqual([{ name: "data", size: N, subsampleSize: 5, offset: 0 }]);
    expect(full.subsampleDim).toBe(0);
    expect(sub.noiseDim).toBe(full.noiseDim);
    const params = full.layout.ravel({ mu_auto_loc: 1.3, mu_auto_scale: 0.4 });
    const noise = Float64Array.of(0.37);
    const inputs = (objective: typeof sub, key: Key) => ({
      ...objective.particleInputs(key, 0),
      noise,
    });
    const fullLoss = -eagerLossEngine(full).value(params, inputs(full, PRNGKey(0)));
    const evaluator = eagerLossEngine(sub);
    const losses = Array.from(
      { length: 300 },
      (_, i) => -evaluator.value(params, inputs(sub, foldIn(PRNGKey(11), i))),
    );
    // The subsampled estimates vary (they are scaled by N / n) and average to the full loss.
    expect(sd(losses)).toBeGreaterThan(1);
    expect(Math.abs(zScore(losses, [fullLoss]))).toBeLessThan(4);
  });

  it("local latent sites: AutoNormal's local params follow the subsample the model replays", () => {
    const build = (size: number) =>
      buildObjective(
        "test",
        localModel,
        AutoNormal(localModel),
        [Y, size],
        TraceELBO(),
        PRNGKey(1),
      );
    const sub = build(5);
    const full = build(N);
    // Local params differ by index, so a guide that used the wrong indices would be biased.
    const values = {
      mu_auto_loc: 1.1,
      mu_auto_scale: 0.3,
      z_auto_loc: DATA.map((y, i) => y * 0.8 + 0.05 * i),
      z_auto_scale: DATA.map((_, i) => 0.3 + 0.02 * i),
    };
    const params = full.layout.ravel(values);
    expect(Array.from(sub.layout.ravel(values))).toEqual(Array.from(params));
    expect(sub.noiseDim).toBe(1 + 5);
    expect(full.noiseDim).toBe(1 + N);
    const estimates = (objective: typeof sub, seed: number) => {
      const evaluator = eagerLossEngine(objective);
      return Array.from({ length: 400 }, (_, i) =>
        evaluator.value(params, objective.particleInputs(foldIn(PRNGKey(seed), i), 0)),
      );
    };
    const subLosses = estimates(sub, 21);
    const fullLosses = estimates(full, 22);
    expect(Math.abs(zScore(subLosses, fullLosses))).toBeLessThan(4);
  });

  it("the compiled engine serves a subsampled ELBO: the indices are an input, and it equals eager", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const objective = buildObjective(
      "test",
      localModel,
      AutoNormal(localModel),
      [Y, 5],
      TraceELBO(),
      PRNGKey(4),
    );
    const compiled = compiledLossEngine(objective);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    const eager = eagerLossEngine(objective);
    const params = objective.initialParams;
    for (let i = 0; i < 3; i++) {
      // Other indices at each evaluation: a compiled function that froze them would disagree.
      const inputs = objective.particleInputs(foldIn(PRNGKey(5), i), 0);
      const g1 = new Float64Array(params.length);
      const g2 = new Float64Array(params.length);
      const v1 = compiled.valueAndGrad(params, inputs, g1);
      const v2 = eager.valueAndGrad(params, inputs, g2);
      expect(Math.abs(v1 - v2)).toBeLessThan(1e-4 * Math.abs(v2));
      g1.forEach((g, j) => {
        expect(Math.abs(g - g2[j])).toBeLessThan(1e-3 * Math.max(1, Math.abs(g2[j])));
      });
    }
  });

  it("SVI with subsampling fits the local and global sites", () => {
    const guide = AutoNormal(localModel);
    const svi = new SVI(localModel, guide, Adam(0.05), TraceELBO({ numParticles: 4 }));
    const { params, losses } = svi.run(PRNGKey(3), 600, Y, 10);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(params.z_auto_loc.shape).toEqual([N]);
    // Every local site was visited and moved from its uniform(-2, 2) start towards its datum.
    const err = params.z_auto_loc.data.map((z, i) => Math.abs(z - DATA[i]));
    expect(mean(err)).toBeLessThan(0.6);
  });

  it("flat autoguides refuse local latent sites in a subsampled plate, naming the site", () => {
    const svi = new SVI(localModel, AutoDiagonalNormal(localModel), Adam(0.05), TraceELBO());
    expect(() => svi.init(PRNGKey(0), Y, 5)).toThrow(
      /latent site "z" lies in the subsampled plate "data"/,
    );
  });
});
