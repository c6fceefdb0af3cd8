/**
 * Time series with `scan` (issue 16): for AR(1) and stochastic volatility at T = 100, 1,000 and
 * 10,000, the time to build the potential (trace, optimize, emit, compile) and the time per
 * compiled value-and-gradient, for the model written with scan, with a for-loop (one site per
 * step) and vectorized, against a hand-written float64 JavaScript value-and-gradient of the same
 * density measured in the same process (one process per row, so the build is a first build).
 * The hand-written code is checked against each compiled potential (relative 1e-9) before
 * anything is timed.
 *
 * Goals: build < 0.5 s and flat in T; compiled scan value+grad <= 1.5x hand-written.
 * Run with `npx tsx bench/scan.ts` (`--quick` for T = 100 and 1,000 only; `--no-loop` skips
 * the for-loop forms, whose build time grows with T).
 */

import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import digamma from "@stdlib/math-base-special-digamma";
import gammaln from "@stdlib/math-base-special-gammaln";
import { PRNGKey } from "../src/index.js";
import { potential } from "../src/infer/index.js";
import {
  ar1,
  stochasticVolatility,
  syntheticSeries,
  type ThreeForms,
} from "../tests/primitives/scan-models.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

type ValueAndGrad = (q: Float64Array, grad: Float64Array) => number;

/** AR(1), q = [alpha, rho (unconstrained, Uniform(-1, 1)), log sigma]. */
function ar1HandWritten(y: number[]): ValueAndGrad {
  const ys = Float64Array.from(y);
  const n = ys.length;
  return (q, grad) => {
    const alpha = q[0];
    const u = q[1];
    const v = q[2];
    const s = 1 / (1 + Math.exp(-u));
    const rho = -1 + 2 * s;
    const sigma = Math.exp(v);
    let lp = -0.5 * (alpha / 2) ** 2 - Math.log(2) - HALF_LOG_2PI;
    lp += -Math.log(2) + Math.log(2) - softplus(-u) - softplus(u);
    lp += Math.log(2) - HALF_LOG_2PI - 0.5 * sigma * sigma + v;
    let sumR = 0;
    let dRho = 0;
    let sumSq = 0;
    const inv = 1 / sigma;
    for (let t = 1; t < n; t++) {
      const r = (ys[t] - alpha - rho * ys[t - 1]) * inv;
      sumSq += r * r;
      sumR += r;
      dRho += r * ys[t - 1];
    }
    const m = n - 1;
    lp += -0.5 * sumSq - m * (v + HALF_LOG_2PI);
    grad[0] = -(-alpha / 4 + sumR * inv);
    grad[1] = -(dRho * inv * 2 * s * (1 - s) + 1 - 2 * s);
    grad[2] = -(sumSq - m - sigma * sigma + 1);
    return -lp;
  };
}

/** Stochastic volatility, q = [log sigma, log nu, s_0..s_(T-1)]. */
function volatilityHandWritten(r: number[]): ValueAndGrad {
  const rs = Float64Array.from(r);
  const n = rs.length;
  const LOG_PI = Math.log(Math.PI);
  return (q, grad) => {
    const a = q[0];
    const b = q[1];
    const sigma = Math.exp(a);
    const nu = Math.exp(b);
    let lp = Math.log(50) - 50 * sigma + a + Math.log(0.1) - 0.1 * nu + b;
    let dA = -50 * sigma + 1;
    let dNu = -0.1;
    const inv = 1 / sigma;
    const half = 0.5 * (nu + 1);
    const constant = gammaln(half) - gammaln(0.5 * nu) - 0.5 * (b + LOG_PI);
    const dConstant = 0.5 * digamma(half) - 0.5 * digamma(0.5 * nu) - 0.5 / nu;
    let sumSq = 0;
    let previous = 0;
    for (let t = 0; t < n; t++) {
      const st = q[2 + t];
      // The step s_(t-1) -> s_t: -z^2 / 2 with z = (s_t - s_(t-1)) / sigma.
      const z = (st - previous) * inv;
      sumSq += z * z;
      if (t > 0) grad[1 + t] -= z * inv; // (gradient of -log p) w.r.t. s_(t-1)
      // The return r_t ~ StudentT(nu, 0, exp(s_t)).
      const x = rs[t] * Math.exp(-st);
      const w = (x * x) / nu;
      lp += constant - st - half * Math.log1p(w);
      dNu += dConstant - 0.5 * Math.log1p(w) + (half * w) / (nu * (1 + w));
      grad[2 + t] = z * inv - (-1 + (2 * half * w) / (1 + w));
      previous = st;
    }
    lp += -0.5 * sumSq - n * (a + HALF_LOG_2PI);
    dA += sumSq - n;
    grad[0] = -dA;
    grad[1] = -(dNu * nu + 1);
    return -lp;
  };
}

/**
 * Seconds per call of `a` and of `b`, measured in alternating batches (each long enough to take
 * ~20 ms) so that both see the same machine load; the fastest of 11 batches each (on a shared,
 * loaded machine the fastest batch is the one least disturbed), and their ratio. Batches are
 * timed in CPU time (this process's, user and system), which leaves out the time the process
 * waits for a core while other processes run.
 */
function timePair(a: () => void, b: () => void): { a: number; b: number; ratio: number } {
  const batch = (f: () => void) => {
    let n = 1;
    for (;;) {
      const start = performance.now();
      for (let i = 0; i < n; i++) f();
      if (performance.now() - start > 20) return n;
      n *= 2;
    }
  };
  const na = batch(a);
  const nb = batch(b);
  const time = (f: () => void, n: number) => {
    const start = process.cpuUsage();
    for (let i = 0; i < n; i++) f();
    const { user, system } = process.cpuUsage(start);
    return (user + system) / n / 1e6;
  };
  let ta = Number.POSITIVE_INFINITY;
  let tb = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 11; r++) {
    ta = Math.min(ta, time(a, na));
    tb = Math.min(tb, time(b, nb));
  }
  return { a: ta, b: tb, ratio: ta / tb };
}

/** A copy of a hand-written factory with code of its own (V8 optimizes each separately). */
function fresh(factory: (y: number[]) => ValueAndGrad): (y: number[]) => ValueAndGrad {
  const make = new Function(
    "HALF_LOG_2PI",
    "softplus",
    "gammaln",
    "digamma",
    `return ${factory.toString()};`,
  );
  return make(HALF_LOG_2PI, softplus, gammaln, digamma);
}

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  }
  return worst;
}

interface Row {
  model: string;
  T: number;
  form: string;
  build: number;
  perCall: number;
  hand: number;
  ratio: number;
}

const models = {
  ar1: { model: "AR(1)", forms: ar1, handWritten: ar1HandWritten },
  volatility: {
    model: "stochastic volatility",
    forms: stochasticVolatility,
    handWritten: volatilityHandWritten,
  },
} as const;

/** One row: one form of one model at one length. */
function measure(kind: keyof typeof models, T: number, form: keyof ThreeForms): Row {
  const { model, forms, handWritten } = models[kind];
  const y = syntheticSeries(T, kind);
  const started = performance.now();
  const U = potential(forms[form], [y]);
  const build = (performance.now() - started) / 1000;
  // Three copies with code of their own: V8 sometimes optimizes the hand-written loop into
  // code five times slower (at T = 10,000, one process in three), and keeps it.
  const hands = [0, 1, 2].map(() => fresh(handWritten)(y));
  const hand = hands[0];
  if (U.engine !== "compiled") throw new Error(`${model} ${form}: not compiled`);
  const q = U.initialPoint(PRNGKey(1)).map((x) => 0.3 * x);
  const g = new Float64Array(U.dim);
  const h = new Float64Array(U.dim);
  const value = U.valueAndGrad(q, g);
  const handValue = hand(q, h);
  const error = Math.max(relativeError([value], [handValue]), relativeError(g, h));
  if (!(error < 1e-9)) {
    throw new Error(`${model} T=${T} ${form}: hand-written value/gradient differs by ${error}`);
  }
  let perCall = Number.POSITIVE_INFINITY;
  let handCall = Number.POSITIVE_INFINITY;
  for (const copy of hands) {
    const timed = timePair(
      () => U.valueAndGrad(q, g),
      () => copy(q, h),
    );
    perCall = Math.min(perCall, timed.a);
    handCall = Math.min(handCall, timed.b);
  }
  return { model, T, form, build, perCall, hand: handCall, ratio: perCall / handCall };
}

// Each row is measured in a process of its own (`--row kind T form`): V8 then optimizes the
// compiled and the hand-written code for that model and length alone. In one process, code
// shaped by the other rows' runs made the hand-written AR(1) at T = 10,000 4.5 times slower
// than alone, and its T = 1,000 run 1.6 times, which flattered the compiled code.
const rowAt = process.argv.indexOf("--row");
if (rowAt >= 0) {
  const [kind, T, form] = process.argv.slice(rowAt + 1, rowAt + 4);
  console.log(
    JSON.stringify(measure(kind as keyof typeof models, Number(T), form as keyof ThreeForms)),
  );
  process.exit(0);
}

const quick = process.argv.includes("--quick");
const withLoop = !process.argv.includes("--no-loop");
const lengths = quick ? [100, 1000] : [100, 1000, 10000];
const rows: Row[] = [];
for (const T of lengths) {
  for (const kind of ["ar1", "volatility"] as const) {
    // The for-loop forms take minutes to build at T = 10,000: measured up to 1,000.
    const forms =
      withLoop && T <= 1000 ? ["scan", "vectorized", "forLoop"] : ["scan", "vectorized"];
    for (const form of forms) {
      const child = spawnSync(
        process.execPath,
        [...process.execArgv, process.argv[1], "--row", kind, String(T), form],
        { encoding: "utf8" },
      );
      if (child.status !== 0) throw new Error(`${kind} T=${T} ${form}: ${child.stderr}`);
      rows.push(JSON.parse(child.stdout.trim().split("\n").pop() ?? ""));
    }
  }
}
console.log(
  `load average (1, 5, 15 min): ${loadavg()
    .map((x) => x.toFixed(2))
    .join(", ")}`,
);
const us = (s: number) => (s * 1e6).toFixed(s * 1e6 < 10 ? 2 : 1);
console.log(
  "model                  |      T | form       | build (s) | value+grad (us) | hand-written (us) | ratio",
);
console.log(
  "-----------------------|--------|------------|-----------|-----------------|-------------------|------",
);
for (const r of rows) {
  console.log(
    `${r.model.padEnd(22)} | ${String(r.T).padStart(6)} | ${r.form.padEnd(10)} | ${r.build.toFixed(3).padStart(9)} | ${us(r.perCall).padStart(15)} | ${us(r.hand).padStart(17)} | ${r.ratio.toFixed(2)}`,
  );
}
