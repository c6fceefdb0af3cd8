/**
 * Three time-series models, each written three ways as NumPyro users write them: a for-loop
 * (one site per time step), `scan`, and vectorized (GaussianRandomWalk or shifted arrays).
 * The three forms have the same log density; the scan and vectorized forms also have the same
 * sites. Shared by tests/primitives/scan*.test.ts and bench/scan.ts. Data that tfjs ops take
 * directly go through `constant`, so that the compiled engine keeps their float64 values.
 *
 * - AR(1): y_t ~ Normal(alpha + rho y_(t-1), sigma), t = 1..T-1, given y_0.
 * - Local level: level_t ~ Normal(level_(t-1), sigmaLevel) from level_(-1) = 0,
 *   y_t ~ Normal(level_t, sigmaObs).
 * - Stochastic volatility (NumPyro's example): s_t a Gaussian random walk of step sigma,
 *   r_t ~ StudentT(nu, 0, exp(s_t)).
 */
import {
  constant,
  Exponential,
  GaussianRandomWalk,
  HalfNormal,
  Normal,
  StudentT,
  sample,
  scan,
  tf,
  Uniform,
} from "../../src/index.js";

/** A model of one data series. */
export type SeriesModel = (y: number[]) => Generator<any, unknown, unknown>;

/** The three forms of one model. */
export interface ThreeForms {
  readonly forLoop: SeriesModel;
  readonly scan: SeriesModel;
  readonly vectorized: SeriesModel;
}

function* ar1Priors() {
  const alpha = yield* sample("alpha", Normal(0, 2));
  const rho = yield* sample("rho", Uniform(-1, 1));
  const sigma = yield* sample("sigma", HalfNormal(1));
  return { alpha, rho, sigma };
}

/** AR(1) on observed data. */
export const ar1: ThreeForms = {
  *forLoop(y) {
    const { alpha, rho, sigma } = yield* ar1Priors();
    for (let t = 1; t < y.length; t++) {
      const loc = tf.add(alpha, tf.mul(rho, constant(y[t - 1])));
      yield* sample(`y_${t}`, Normal(loc, sigma), { obs: y[t] });
    }
  },
  *scan(y) {
    const { alpha, rho, sigma } = yield* ar1Priors();
    yield* scan(
      function* (prev: tf.Tensor, yt: tf.Tensor) {
        yield* sample("y", Normal(tf.add(alpha, tf.mul(rho, prev)), sigma), { obs: yt });
        return [yt, null] as const;
      },
      y[0],
      y.slice(1),
    );
  },
  *vectorized(y) {
    const { alpha, rho, sigma } = yield* ar1Priors();
    const loc = tf.add(alpha, tf.mul(rho, constant(y.slice(0, -1))));
    yield* sample("y", Normal(loc, sigma), { obs: y.slice(1) });
  },
};

function* levelPriors() {
  const sigmaLevel = yield* sample("sigmaLevel", HalfNormal(1));
  const sigmaObs = yield* sample("sigmaObs", HalfNormal(1));
  return { sigmaLevel, sigmaObs };
}

/** The local-level model: a latent random walk observed with noise. */
export const localLevel: ThreeForms = {
  *forLoop(y) {
    const { sigmaLevel, sigmaObs } = yield* levelPriors();
    let previous: tf.Tensor | number = 0;
    const levels: tf.Tensor[] = [];
    for (let t = 0; t < y.length; t++) {
      const level: tf.Tensor = yield* sample(`level_${t}`, Normal(previous, sigmaLevel));
      levels.push(level);
      previous = level;
    }
    for (let t = 0; t < y.length; t++) {
      yield* sample(`y_${t}`, Normal(levels[t], sigmaObs), { obs: y[t] });
    }
  },
  *scan(y) {
    const { sigmaLevel, sigmaObs } = yield* levelPriors();
    yield* scan(
      function* (previous: tf.Tensor, yt: tf.Tensor) {
        const level = yield* sample("level", Normal(previous, sigmaLevel));
        yield* sample("y", Normal(level, sigmaObs), { obs: yt });
        return [level, null] as const;
      },
      0,
      y,
    );
  },
  *vectorized(y) {
    const { sigmaLevel, sigmaObs } = yield* levelPriors();
    const level = yield* sample("level", GaussianRandomWalk(sigmaLevel, y.length));
    yield* sample("y", Normal(level, sigmaObs), { obs: y });
  },
};

function* volatilityPriors() {
  const sigma = yield* sample("sigma", Exponential(50));
  const nu = yield* sample("nu", Exponential(0.1));
  return { sigma, nu };
}

/** Stochastic volatility (NumPyro's stochastic_volatility example), returns r. */
export const stochasticVolatility: ThreeForms = {
  *forLoop(r) {
    const { sigma, nu } = yield* volatilityPriors();
    let previous: tf.Tensor | number = 0;
    const s: tf.Tensor[] = [];
    for (let t = 0; t < r.length; t++) {
      previous = yield* sample(`s_${t}`, Normal(previous, sigma));
      s.push(previous);
    }
    for (let t = 0; t < r.length; t++) {
      yield* sample(`r_${t}`, StudentT(nu, 0, tf.exp(s[t])), { obs: r[t] });
    }
  },
  *scan(r) {
    const { sigma, nu } = yield* volatilityPriors();
    yield* scan(
      function* (previous: tf.Tensor, rt: tf.Tensor) {
        const s = yield* sample("s", Normal(previous, sigma));
        yield* sample("r", StudentT(nu, 0, tf.exp(s)), { obs: rt });
        return [s, null] as const;
      },
      0,
      r,
    );
  },
  *vectorized(r) {
    const { sigma, nu } = yield* volatilityPriors();
    const s = yield* sample("s", GaussianRandomWalk(sigma, r.length));
    yield* sample("r", StudentT(nu, 0, tf.exp(s)), { obs: r });
  },
};

/**
 * A series from a fixed-seed generator: an AR(1) path (alpha 0.3, rho 0.7, sigma 0.5) or, for
 * the volatility model, returns with a slowly varying log-scale.
 *
 * @example
 * syntheticSeries(100, "ar1").length; // 100
 */
export function syntheticSeries(length: number, kind: "ar1" | "level" | "volatility"): number[] {
  let state = 12345 + length;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const out: number[] = [];
  let x = 0;
  let level = 0;
  for (let t = 0; t < length; t++) {
    if (kind === "ar1") x = 0.3 + 0.7 * x + 0.5 * normal();
    else if (kind === "level") {
      level += 0.3 * normal();
      x = level + 0.5 * normal();
    } else {
      level += 0.1 * normal();
      x = Math.exp(level) * normal();
    }
    out.push(x);
  }
  return out;
}
