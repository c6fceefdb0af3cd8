import { describe, expect, it } from "vitest";
import stan from "./data/hmm_stan_summary.json" with { type: "json" };
import { emissions, runDemo, trueParameters } from "./hmm.js";
import { plainLogLikelihood } from "./hmm-reference.js";

const { signal, noise, pInitial, pTransition } = trueParameters;
const logNormal = (x: number, m: number, s: number) =>
  -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);

describe("examples/hmm.ts (the demo)", async () => {
  const lines: string[] = [];
  const demo = await runDemo({
    numWarmup: 300,
    numSamples: 300,
    outDir: null,
    print: (l) => lines.push(l),
  });

  it("prints the float64 log-likelihood at the true parameters, for the first sequence and all 70", () => {
    const first = plainLogLikelihood(signal, noise, pInitial, pTransition, [emissions[0]]);
    const all = plainLogLikelihood(signal, noise, pInitial, pTransition, emissions);
    expect(Math.abs(demo.first.logLikelihood - first)).toBeLessThan(1e-10 * Math.abs(first));
    expect(Math.abs(demo.all.logLikelihood - all)).toBeLessThan(1e-10 * Math.abs(all));
    expect(lines.some((l) => l.includes(all.toFixed(6)))).toBe(true);
  });

  it("prints the gradient with respect to signal there, equal to central differences of the plain computation", () => {
    const h = 1e-6;
    const numeric =
      (plainLogLikelihood(signal + h, noise, pInitial, pTransition, emissions) -
        plainLogLikelihood(signal - h, noise, pInitial, pTransition, emissions)) /
      (2 * h);
    expect(Math.abs(demo.all.dSignal - numeric)).toBeLessThan(1e-6 * Math.abs(numeric));
  });

  it("prints the per-site log-probabilities at the unconstrained zero point", () => {
    // signal = 0; noise = e^0 = 1 (log-Jacobian 0); every simplex is (1/3, 1/3, 1/3), where the
    // Dirichlet(1,1,1) density is 2 and the stick-breaking log-Jacobian is log(2/9 * 1/6).
    const simplex = Math.log(2) + Math.log((2 / 9) * (1 / 6));
    const third = [1 / 3, 1 / 3, 1 / 3];
    expect(demo.zeroPoint.signal).toBeCloseTo(logNormal(0, 0, 1), 6);
    expect(demo.zeroPoint.noise).toBeCloseTo(Math.log(2) + logNormal(1, 0, 1), 6);
    expect(demo.zeroPoint.p_initial).toBeCloseTo(simplex, 5);
    expect(demo.zeroPoint.p_transition).toBeCloseTo(3 * simplex, 5);
    const emission = plainLogLikelihood(0, 1, third, [third, third, third], emissions);
    // Per-site log-probabilities come from eager tfjs: float32 sums over 3570 terms.
    expect(Math.abs(demo.zeroPoint.emission - emission)).toBeLessThan(1e-5 * Math.abs(emission));
  });

  it("samples a posterior whose means agree with Stan's within 4.5 Monte Carlo standard errors", () => {
    expect(demo.mcmc.numDivergences).toBe(0);
    const name = (v: string) =>
      v === "signal" || v === "noise"
        ? v
        : v.startsWith("p0[")
          ? `p_initial[${Number(v.slice(3, -1)) - 1}]`
          : `p_transition[${v
              .slice(2, -1)
              .split(",")
              .map((i) => Number(i) - 1)
              .join(",")}]`;
    let compared = 0;
    for (const row of stan.summary) {
      const ours = demo.summary[name(row.variable)];
      if (ours === undefined) continue;
      const mcse = Math.sqrt(ours.sd ** 2 / ours.essBulk + row.sd ** 2 / row.ess_bulk);
      expect(Math.abs(ours.mean - row.mean) / mcse, row.variable).toBeLessThan(4.5);
      compared++;
    }
    expect(compared).toBe(14);
  });
});
