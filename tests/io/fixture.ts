/**
 * A synthetic `McmcRun` for the io tests: every scalar element is an AR(1) chain
 * x[t] = mean + rho (x[t-1] - mean) + sqrt(1 - rho^2) sd e[t], started at its stationary
 * distribution, so its mean and sd are known. Sampler statistics are plausible fakes.
 */
import type { Draws } from "../../src/infer/draws.js";
import type { McmcRun } from "../../src/io/samples.js";

/** A small deterministic PRNG (mulberry32) and standard normals by Box-Muller. */
export function normalStream(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    const u = 1 - uniform();
    const v = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

export interface SiteSpec {
  shape: number[];
  /** Mean of element k (row-major). */
  mean: (k: number) => number;
  sd: number;
}

export const defaultSites: Record<string, SiteSpec> = {
  mu: { shape: [], mean: () => 1.5, sd: 0.5 },
  theta: { shape: [3], mean: (k) => k - 1, sd: 1 },
  Sigma: { shape: [2, 3], mean: (k) => 10 * k + 0.25, sd: 0.1 },
};

export interface FixtureOptions {
  numChains?: number;
  numDraws?: number;
  rho?: number;
  seed?: number;
  sites?: Record<string, SiteSpec>;
  metric?: "diag_e" | "dense_e";
  /** Every how many draws a divergence is marked (0: none). */
  divergenceEvery?: number;
}

/** AR(1) draws for each site plus sampler statistics and metadata. */
export function ar1Run(options: FixtureOptions = {}): McmcRun {
  const numChains = options.numChains ?? 4;
  const numDraws = options.numDraws ?? 200;
  const rho = options.rho ?? 0.5;
  const sites = options.sites ?? defaultSites;
  const metric = options.metric ?? "diag_e";
  const divergenceEvery = options.divergenceEvery ?? 37;
  const normal = normalStream(options.seed ?? 1);
  const innovation = Math.sqrt(1 - rho * rho);

  const samples: Record<string, Draws> = {};
  let dim = 0;
  for (const [name, spec] of Object.entries(sites)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    dim += size;
    const data = new Float64Array(numChains * numDraws * size);
    for (let c = 0; c < numChains; c++) {
      for (let k = 0; k < size; k++) {
        const mean = spec.mean(k);
        let x = mean + spec.sd * normal();
        for (let d = 0; d < numDraws; d++) {
          if (d > 0) x = mean + rho * (x - mean) + innovation * spec.sd * normal();
          data[(c * numDraws + d) * size + k] = x;
        }
      }
    }
    samples[name] = { shape: [numChains, numDraws, ...spec.shape], data };
  }

  const stat = (f: (c: number, d: number) => number): Draws => {
    const data = new Float64Array(numChains * numDraws);
    for (let c = 0; c < numChains; c++) {
      for (let d = 0; d < numDraws; d++) data[c * numDraws + d] = f(c, d);
    }
    return { shape: [numChains, numDraws], data };
  };
  const lp = stat(() => -10 + normal());
  const extra: Record<string, Draws> = {
    lp,
    acceptProb: stat(() => 0.5 + 0.5 * Math.abs(Math.tanh(normal()))),
    stepSize: stat((c) => 0.5 + 0.1 * c),
    treeDepth: stat((_, d) => 1 + (d % 4)),
    numSteps: stat((_, d) => 2 ** (1 + (d % 4)) - 1),
    diverging: stat((_, d) => (divergenceEvery > 0 && d % divergenceEvery === 5 ? 1 : 0)),
    energy: stat((c, d) => -lp.data[c * numDraws + d] + Math.abs(normal()) * 2),
  };

  const inverseMetric = Array.from({ length: numChains }, (_, c) => {
    if (metric === "diag_e") return Array.from({ length: dim }, (_, i) => 0.1 * (i + 1) + c);
    const m = new Array<number>(dim * dim).fill(0);
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < dim; j++) m[i * dim + j] = i === j ? 1 + c : 0.01 * (i + j);
    }
    return m;
  });
  return {
    samples,
    extra,
    metadata: {
      numWarmup: 150,
      numSamples: numDraws,
      numChains,
      thinning: 1,
      seed: 1234,
      model: "ar1_fixture",
      algorithm: "NUTS",
      maxTreeDepth: 10,
      targetAcceptProb: 0.8,
      metric,
      stepSize: Array.from({ length: numChains }, (_, c) => 0.5 + 0.1 * c),
      inverseMetric,
      warmupSeconds: Array.from({ length: numChains }, (_, c) => 0.125 + c),
      samplingSeconds: Array.from({ length: numChains }, (_, c) => 0.25 + c),
    },
  };
}

/** Mean of every element of a site over all chains and draws (row-major over the site shape). */
export function elementMeans(draws: Draws): number[] {
  const size = draws.shape.slice(2).reduce((a, b) => a * b, 1);
  const n = draws.data.length / size;
  const means = new Array<number>(size).fill(0);
  for (let i = 0; i < draws.data.length; i++) means[i % size] += draws.data[i] / n;
  return means;
}
