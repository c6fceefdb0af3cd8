/**
 * Energy plots (Betancourt 2017, "A Conceptual Introduction to Hamiltonian Monte Carlo",
 * section 6.1): the distribution of the Hamiltonian energy at each draw, centred (the marginal
 * energy distribution), against the distribution of its change between successive draws (the
 * energy transition distribution). When the transition distribution is much narrower than the
 * marginal one, momentum resampling cannot move the chain through the energy levels quickly
 * and the sampler explores the tails poorly; the E-BFMI summarises this per chain.
 */
import type { TopLevelSpec } from "vega-lite";
import { ArgumentError } from "../../errors.js";
import type { Draws } from "../../infer/draws.js";
import { type McmcRun, type McmcRunSource, resolveRun } from "../samples.js";
import { kde } from "./kde.js";
import { type PlotOptions, type PlotResult, renderPlot, specHeader } from "./render.js";

const api = "plot.energy";

/**
 * Energy Bayesian fraction of missing information per chain, as Betancourt (2016, "Diagnosing
 * suboptimal cotangent disintegrations in Hamiltonian Monte Carlo") estimates it: the sum of
 * squared energy changes between successive draws over the sum of squared deviations from the
 * mean energy. (ArviZ and rstan scale numerator and denominator slightly differently; the
 * three agree as the number of draws grows.) Values below about 0.3 indicate that the sampler
 * struggles to explore the tails.
 *
 * @example
 * bfmi({ shape: [1, 4], data: Float64Array.of(1, 2, 1, 2) }); // [3]
 */
export function bfmi(energy: Draws): number[] {
  if (energy.shape.length !== 2 || energy.data.length !== energy.shape[0] * energy.shape[1]) {
    throw new ArgumentError({
      api: "bfmi",
      argument: "energy",
      message: `bfmi: energy must have shape [numChains, numDraws], got [${energy.shape.join(", ")}]`,
    });
  }
  const [numChains, numDraws] = energy.shape;
  return Array.from({ length: numChains }, (_, c) => {
    const e = energy.data.subarray(c * numDraws, (c + 1) * numDraws);
    let mean = 0;
    for (const v of e) mean += v / numDraws;
    let squaredSteps = 0;
    let squaredDeviations = 0;
    for (let d = 0; d < numDraws; d++) {
      squaredDeviations += (e[d] - mean) ** 2;
      if (d > 0) squaredSteps += (e[d] - e[d - 1]) ** 2;
    }
    return squaredSteps / squaredDeviations;
  });
}

/**
 * The Vega-Lite specification of an energy plot.
 *
 * @example
 * const spec = energySpec(run);
 */
export function energySpec(run: McmcRun, options: PlotOptions = {}): TopLevelSpec {
  const energy = run?.extra?.energy;
  if (energy === undefined) {
    throw new ArgumentError({
      api,
      argument: "run",
      message: `${api}: run must have extra.energy of shape [numChains, numDraws], got extra with ${Object.keys(run?.extra ?? {}).join(", ") || "no fields"}`,
    });
  }
  const fractions = bfmi(energy);
  const [numChains, numDraws] = energy.shape;
  let mean = 0;
  for (const v of energy.data) mean += v / energy.data.length;
  const marginal = Float64Array.from(energy.data, (v) => v - mean);
  const transitions = new Float64Array(numChains * Math.max(0, numDraws - 1));
  let k = 0;
  for (let c = 0; c < numChains; c++) {
    for (let d = 1; d < numDraws; d++) {
      transitions[k++] = energy.data[c * numDraws + d] - energy.data[c * numDraws + d - 1];
    }
  }
  const curves = [
    { kind: "marginal energy", curve: kde(marginal) },
    { kind: "energy transition", curve: kde(transitions) },
  ];
  const values = curves.flatMap(({ kind, curve }) =>
    Array.from(curve.x, (x, i) => ({ kind, x, density: curve.density[i] })),
  );
  const subtitle = `E-BFMI per chain: ${fractions.map((f) => f.toFixed(2)).join(", ")}`;
  return {
    ...specHeader({ text: options.title ?? "Energy", subtitle }),
    width: options.width ?? 420,
    height: options.height ?? 240,
    data: { values },
    mark: { type: "area", opacity: 0.45, line: true },
    encoding: {
      x: { field: "x", type: "quantitative", title: "energy - mean energy" },
      y: { field: "density", type: "quantitative", title: "density", stack: null },
      color: {
        field: "kind",
        type: "nominal",
        title: null,
        sort: curves.map((c) => c.kind),
        scale: { range: ["#4c78a8", "#f58518"] },
      },
    },
  };
}

/**
 * Energy plot of an MCMC run (marginal energy against energy transitions, E-BFMI in the
 * subtitle), as SVG; written to `out` when given.
 *
 * @example
 * const { svg } = await plot.energy(run, { out: "out/energy.svg" });
 */
export async function energyPlot(
  run: McmcRun | McmcRunSource,
  options: PlotOptions = {},
): Promise<PlotResult> {
  return renderPlot(energySpec(resolveRun(run), options), options.out);
}
