// TraceEnumELBO: its loss against the enumerated log density (a point-mass guide has no
// entropy, so the loss is minus the log joint), and AutoNormal on a mixture against the MAP
// computed by a hand-written EM.
import { describe, expect, it } from "vitest";
import {
  Adam,
  AutoDelta,
  AutoNormal,
  Categorical,
  configEnumerate,
  constant,
  logDensity,
  Normal,
  PRNGKey,
  plate,
  SGD,
  SVI,
  sample,
  TraceELBO,
  TraceEnumELBO,
  vindex,
} from "../../../src/index.js";
import { normal, uniform } from "../../../src/infer/kernels.js";

const n = 200;
const truth = { locs: [-2, 2], weights: [0.4, 0.6] };
const u = uniform(PRNGKey(1), n);
const e = normal(PRNGKey(2), n);
const y = Array.from(u, (ui, i) => (ui < truth.weights[0] ? truth.locs[0] : truth.locs[1]) + e[i]);
const logNormal = (x: number, m: number, s: number) =>
  -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);

// Known weights and scale; the locations Normal([-1, 1], 5) a priori.
function* mixture(data: number[]) {
  const locs = yield* sample("locs", Normal(constant([-1, 1]), 5).toEvent(1));
  yield* plate("data", data.length, function* () {
    const z = yield* sample("z", Categorical({ probs: constant(truth.weights) }));
    yield* sample("y", Normal(vindex(locs, z), 1), { obs: data });
  });
}
const model = configEnumerate(mixture);

// The MAP of the locations by EM: responsibilities, then the prior-weighted means.
function mapByEM(): number[] {
  let locs = [-1, 1];
  for (let iter = 0; iter < 500; iter++) {
    const r = y.map((v) => {
      const a = truth.weights[0] * Math.exp(logNormal(v, locs[0], 1));
      const b = truth.weights[1] * Math.exp(logNormal(v, locs[1], 1));
      return [a / (a + b), b / (a + b)];
    });
    locs = [0, 1].map((k) => {
      const prior = [-1, 1][k];
      const weight = r.reduce((s, ri) => s + ri[k], 0);
      const sum = r.reduce((s, ri, i) => s + ri[k] * y[i], 0);
      return (sum + prior / 25) / (weight + 1 / 25);
    });
  }
  return locs;
}

describe("TraceEnumELBO", () => {
  it("with a point-mass guide, its loss is minus the enumerated log joint", () => {
    for (const numParticles of [1, 3]) {
      const guide = AutoDelta(model);
      const svi = new SVI(model, guide, SGD(0.01), TraceEnumELBO({ numParticles }));
      const state = svi.init(PRNGKey(4), y);
      const loss = svi.evaluate(state, y);
      const locs = svi.getParams(state).locs_auto_loc;
      const expected = -logDensity(model, [y], { locs: Array.from(locs.data) });
      expect(Math.abs(loss - expected)).toBeLessThan(1e-5 * Math.abs(expected));
    }
  });

  it("with AutoNormal recovers the mixture's locations (truth within 0.1, EM's MAP within 0.05)", () => {
    const guide = AutoNormal(model);
    // A small step, so that the last iterate's noise is well under the tolerance.
    const svi = new SVI(model, guide, Adam(0.01), TraceEnumELBO());
    svi.run(PRNGKey(0), 3000, y);
    const fitted = Array.from(guide.median().locs.data);
    const map = mapByEM();
    fitted.forEach((v, k) => {
      expect(Math.abs(v - truth.locs[k])).toBeLessThan(0.1);
      // Half a posterior sd (about 0.1): the last Adam iterate still moves with the ELBO's noise.
      expect(Math.abs(v - map[k])).toBeLessThan(0.05);
    });
  });

  it("names the site when a guide samples a site the model enumerates, or an ELBO cannot sum it out", () => {
    function* guideWithZ(data: number[]) {
      yield* sample("locs", Normal(constant([-1, 1]), 1).toEvent(1));
      yield* plate("data", data.length, function* () {
        yield* sample("z", Categorical({ probs: constant([0.5, 0.5]) }));
      });
    }
    expect(() => new SVI(model, guideWithZ, Adam(0.05), TraceEnumELBO()).init(0, y)).toThrow(
      /the guide samples "z", which the model marks for enumeration/,
    );
    expect(() => new SVI(model, AutoNormal(model), Adam(0.05), TraceELBO()).init(0, y)).toThrow(
      /the guide has no sample site for the model's latent site "z"/,
    );
  });
});
