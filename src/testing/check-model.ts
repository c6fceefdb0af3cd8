/**
 * `checkModel`: the properties every model should have before anyone trusts its posterior.
 *
 * 1. prior draws: the model runs under its prior, observed sites resampled (the prior
 *    predictive), without error;
 * 2. supports: every site's value (latent, simulated or observed) lies in its
 *    distribution's support;
 * 3. prior log density: every site's log-probability is finite at each prior draw;
 * 4. unconstrained log density: at random points of the unconstrained space the log density
 *    is never NaN or +inf (-inf, a point the data rule out, is allowed);
 * 5. gradients: in each engine the gradient is finite and matches fourth-order central
 *    differences of the same engine's log density (float64 for the compiled engine, float32
 *    for the eager one, with tolerances to match);
 * 6. engines: the compiled engine's value and gradient agree with the eager engine's.
 *
 * Checks 4-6 are fast-check properties over `arbitraryPoint`, so a failure is shrunk to a
 * readable point (coordinates 0, +-1, +-0.5, ...). Every failure names the site, the input
 * and the numbers that disagree.
 */
import fc from "fast-check";
import { withoutTensorValidation } from "../dist/validation.js";
import { resampleObserved } from "../handlers/resample-observed.js";
import { seed as seedModel } from "../handlers/seed.js";
import { Trace, trace } from "../handlers/trace.js";
import { siteLogProb } from "../infer/log-density.js";
import { type EngineName, type Potential, potential } from "../infer/potential.js";
import type { SampleSite } from "../primitives/messages.js";
import { foldIn, PRNGKey } from "../primitives/prng.js";
import { type Model, run } from "../primitives/runtime.js";
import { readFloat64, tf, tidyValue } from "../tf.js";
import {
  type CheckSummary,
  formatTolerance,
  type PropertyCheckResult,
  type PropertyFailure,
  propertyCheckResult,
} from "./check-result.js";
import { formatNumber, formatValue } from "./distribution-case.js";
import { compareGradient } from "./finite-differences.js";
import { arbitraryPoint, describePoint, type UnconstrainedPoint } from "./point-arbitrary.js";
import { Counterexample, errorMessage, runProperty } from "./property-runner.js";

/** Options of `checkModel`. */
export interface CheckModelOptions {
  /** Prior draws to run (default 20). */
  readonly numPriorDraws?: number;
  /** Random unconstrained points per property (default 10). */
  readonly numPoints?: number;
  /** Seed of the prior draws and of fast-check (default 0). */
  readonly seed?: number;
  /** Unconstrained points lie in [-radius, radius] (default 2, where samplers start). */
  readonly radius?: number;
  /** Engines to check (default both). */
  readonly engines?: readonly EngineName[];
  /** Relative tolerance of gradients against differences (default compiled 1e-5, eager 2e-2). */
  readonly gradientTolerance?: { readonly compiled?: number; readonly eager?: number };
  /** Relative tolerance of the compiled engine against the eager one (default 1e-3). */
  readonly engineTolerance?: number;
  /** Differences check at most this many coordinates per point (default 32). */
  readonly maxCoordinates?: number;
  /** The model's name in reports (default the generator function's name). */
  readonly name?: string;
}

/** What `checkModel` found. */
export interface ModelCheckResult extends PropertyCheckResult {
  /** Engines that actually served the potentials ("eager" where compilation fell back). */
  readonly engines: Partial<Record<EngineName, EngineName>>;
}

interface SiteSummary {
  readonly name: string;
  readonly observed: boolean;
  readonly values: Float64Array;
  readonly shape: number[];
  readonly supportProblem?: string;
  readonly logProb?: number;
}

/**
 * Runs the model checks and returns a result with `ok` and a `report` naming each failing
 * site, its (shrunk) input and the numbers that disagree.
 *
 * @example
 * import * as testing from "tyche/testing";
 * const result = testing.checkModel(eightSchools, [sigma, y]);
 * expect(result.ok, result.report).toBe(true);
 */
export function checkModel<A extends unknown[]>(
  model: Model<A, unknown>,
  args: A,
  options: CheckModelOptions = {},
): ModelCheckResult {
  const name = options.name ?? (model.name || "model");
  const seed = options.seed ?? 0;
  const checks: CheckSummary[] = [];
  const failures: PropertyFailure[] = [];
  const notes: string[] = [];

  priorChecks(model, args, options.numPriorDraws ?? 20, seed, checks, failures);

  const engines: Partial<Record<EngineName, EngineName>> = {};
  const potentials: Partial<Record<EngineName, Potential>> = {};
  for (const engine of options.engines ?? (["compiled", "eager"] as const)) {
    const built = buildPotential(model, args, engine);
    if (built instanceof Error) {
      checks.push({ name: `potential (${engine})`, ok: false, runs: 1 });
      failures.push({
        check: `potential (${engine})`,
        input: `args of ${name}`,
        message: `the potential could not be built: ${built.message}`,
      });
      continue;
    }
    if (built.dim === 0) {
      notes.push(
        "the model has no continuous latent sites: nothing to check in the unconstrained space",
      );
      break;
    }
    if (engine === "compiled" && built.engine === "eager") {
      notes.push(
        "the compiled engine fell back to the eager one (see the warning above): engines are not compared",
      );
    }
    engines[engine] = built.engine;
    potentials[engine] = built;
  }

  const pointOptions = {
    numRuns: options.numPoints ?? 10,
    seed,
    radius: options.radius ?? 2,
    maxCoordinates: options.maxCoordinates ?? 32,
  };
  for (const [engine, U] of Object.entries(potentials) as Array<[EngineName, Potential]>) {
    if (engine === "compiled" && U.engine !== "compiled") continue;
    densityCheck(U, engine, pointOptions, checks, failures);
    const rtol = options.gradientTolerance?.[engine] ?? (engine === "compiled" ? 1e-5 : 2e-2);
    gradientCheck(U, engine, rtol, pointOptions, checks, failures);
  }
  if (potentials.compiled?.engine === "compiled" && potentials.eager !== undefined) {
    engineCheck(
      potentials.compiled,
      potentials.eager,
      options.engineTolerance ?? 1e-3,
      pointOptions,
      checks,
      failures,
    );
  }

  const subject = `checkModel(${name})`;
  return { ...propertyCheckResult(subject, checks, failures, notes), engines };
}

/** The potential, trying a few discovery keys (a prior draw can be invalid for a bad model). */
function buildPotential<A extends unknown[]>(
  model: Model<A, unknown>,
  args: A,
  engine: EngineName,
): Potential | Error {
  let last: Error | undefined;
  for (let key = 0; key < 10; key++) {
    try {
      return potential(model, args, { engine, key });
    } catch (e) {
      last = e as Error;
    }
  }
  return last as Error;
}

// ---- prior draws, supports, log densities at prior draws ----

function priorChecks<A extends unknown[]>(
  model: Model<A, unknown>,
  args: A,
  numDraws: number,
  seed: number,
  checks: CheckSummary[],
  failures: PropertyFailure[],
): void {
  const found = {
    prior: undefined as PropertyFailure | undefined,
    support: undefined as PropertyFailure | undefined,
    density: undefined as PropertyFailure | undefined,
  };
  let ran = 0;
  const root = PRNGKey(seed);
  // The data as given: observed values must lie in their supports too.
  const given = priorDraw(model, args, root, false);
  for (const s of given.sites) {
    if (s.supportProblem !== undefined && s.observed) {
      found.support ??= {
        check: "supports",
        site: s.name,
        input: "the data in args",
        message: `the observed value ${s.supportProblem}`,
      };
    }
  }
  for (let i = 0; i < numDraws; i++) {
    const { error, sites } = priorDraw(model, args, foldIn(root, i), true);
    const input = `prior draw ${i} (seed ${seed}): ${describeSites(sites)}`;
    if (error !== undefined) {
      found.prior ??= {
        check: "prior draws",
        site: (error as { site?: string }).site,
        input,
        message: `the model threw: ${errorMessage(error)}`,
      };
      continue;
    }
    ran++;
    for (const s of sites) {
      if (s.supportProblem !== undefined) {
        found.support ??= {
          check: "supports",
          site: s.name,
          input,
          message: `the value ${s.supportProblem}`,
        };
      }
      if (s.logProb !== undefined && !Number.isFinite(s.logProb)) {
        found.density ??= {
          check: "prior log density",
          site: s.name,
          input,
          message: `the site's log-probability is ${s.logProb} at value ${formatValue(shortValues(s))}`,
        };
      }
    }
  }
  checks.push({ name: "prior draws run", ok: found.prior === undefined, runs: numDraws });
  checks.push({
    name: "site values lie in their supports",
    ok: found.support === undefined,
    runs: ran,
  });
  checks.push({
    name: "log density is finite at prior draws",
    ok: found.density === undefined,
    runs: ran,
  });
  for (const f of [found.prior, found.support, found.density])
    if (f !== undefined) failures.push(f);
}

/** One prior predictive draw: the sites recorded (up to an error, if the model threw). */
function priorDraw<A extends unknown[]>(
  model: Model<A, unknown>,
  args: A,
  key: ReturnType<typeof PRNGKey>,
  resample: boolean,
): { error?: unknown; sites: SiteSummary[] } {
  return tidyValue(() => {
    const into = new Trace();
    let error: unknown;
    try {
      run(trace(seedModel(resample ? resampleObserved(model) : model, key), into), ...args);
    } catch (e) {
      error = e;
    }
    const sites = [...into.values()]
      .filter((s): s is SampleSite => s.type === "sample")
      .map((s) => summarizeSite(s, error === undefined));
    return { error, sites };
  });
}

function summarizeSite(site: SampleSite, withLogProb: boolean): SiteSummary {
  const values = readFloat64(site.value);
  const shape = site.value.shape.slice();
  const support = site.fn.support;
  let supportProblem: string | undefined;
  if (site.fn.family !== "Unit" && support.canCheck()) {
    try {
      const i = support.firstViolation(values, shape);
      if (i >= 0) {
        const where = values.length > 1 ? ` at index ${i}` : "";
        supportProblem = `${formatNumber(values[i])}${where} is not ${support.describe(i, shape)} (the support of ${site.fn.family})`;
      }
    } catch {
      // a support that cannot be checked elementwise here
    }
  }
  let logProb: number | undefined;
  if (withLogProb) {
    try {
      logProb = tf.sum(siteLogProb(site)).dataSync()[0];
    } catch (e) {
      supportProblem ??= `has no log-probability: ${errorMessage(e)}`;
    }
  }
  return {
    name: site.name,
    observed: site.isObserved,
    values: Float64Array.from(values),
    shape,
    supportProblem,
    logProb,
  };
}

function shortValues(s: SiteSummary): number | number[] {
  const v = Array.from(s.values.slice(0, 6));
  return s.shape.length === 0 ? v[0] : v;
}

/** "s=-0.53, y=[0.1, 2.3, ...]": the values of a draw, up to where the model stopped. */
function describeSites(sites: readonly SiteSummary[]): string {
  if (sites.length === 0) return "(no sites reached)";
  return sites
    .map((s) => `${s.name}=${formatValue(shortValues(s))}${s.values.length > 6 ? "..." : ""}`)
    .join(", ");
}

// ---- properties at unconstrained points ----

interface PointOptions {
  readonly numRuns: number;
  readonly seed: number;
  readonly radius: number;
  readonly maxCoordinates: number;
}

/** The point, and the constrained values it stands for. */
function describeAt(U: Potential, q: Float64Array): string {
  const unconstrained = describePoint(U.layout, q);
  try {
    const constrained = U.unravel(q);
    const text = Object.entries(constrained)
      .map(
        ([n, d]) =>
          `${n}=${formatValue(d.shape.length === 0 ? d.data[0] : Array.from(d.data.slice(0, 6)))}`,
      )
      .join(", ");
    return text === unconstrained
      ? `${unconstrained} (unconstrained and constrained alike)`
      : `${unconstrained} (unconstrained), that is ${text}`;
  } catch {
    return `${unconstrained} (unconstrained)`;
  }
}

/**
 * The first site whose log-probability at q is not finite, with every site's value (computed
 * without parameter validation, so that the numbers show), and the validation error, if any.
 */
function culprit(U: Potential, q: Float64Array): { site?: string; text: string } {
  let validation: { site?: string; message: string } | undefined;
  try {
    U.pointLogProbs(q);
  } catch (e) {
    validation = { site: (e as { site?: string }).site, message: errorMessage(e) };
  }
  try {
    const perSite = withoutTensorValidation(() => U.pointLogProbs(q));
    const bad = Object.entries(perSite).find(([, v]) => !Number.isFinite(v));
    const text = Object.entries(perSite)
      .map(([n, v]) => `${n}: ${formatNumber(v)}`)
      .join(", ");
    const because =
      validation === undefined ? "" : `; parameter validation says: ${validation.message}`;
    return {
      site: bad?.[0] ?? validation?.site,
      text: `per-site log-probabilities (Jacobians included): ${text}${because}`,
    };
  } catch (e) {
    return {
      site: validation?.site,
      text: `per-site log-probabilities unavailable: ${errorMessage(e)}`,
    };
  }
}

/** Fails the run with a PropertyFailure built from the shrunk outcome. */
function recordOutcome(
  name: string,
  U: Potential,
  outcome: ReturnType<typeof runProperty<UnconstrainedPoint>>,
  checks: CheckSummary[],
  failures: PropertyFailure[],
): void {
  const note = outcome.tooManySkips
    ? "the log density was -inf at almost every point; nothing to compare"
    : outcome.skipped > 0
      ? `${outcome.skipped} points skipped where the log density is not finite`
      : undefined;
  checks.push({ name, ok: outcome.ok, runs: outcome.runs, note });
  if (outcome.ok || outcome.counterexample === undefined) return;
  const error = outcome.error;
  failures.push({
    check: name,
    site: error instanceof Counterexample ? error.site : undefined,
    input: describeAt(U, outcome.counterexample.q),
    message: errorMessage(error),
    shrunkFrom:
      outcome.original === undefined ? undefined : describePoint(U.layout, outcome.original.q),
    numShrinks: outcome.numShrinks,
  });
}

function densityCheck(
  U: Potential,
  engine: EngineName,
  o: PointOptions,
  checks: CheckSummary[],
  failures: PropertyFailure[],
): void {
  const grad = new Float64Array(U.dim);
  const outcome = runProperty(
    arbitraryPoint(U, { radius: o.radius }),
    ({ q }) => {
      const energy = U.valueAndGrad(q, grad);
      if (Number.isNaN(energy) || energy === Number.NEGATIVE_INFINITY) {
        const { site, text } = culprit(U, q);
        throw new Counterexample(
          `the log density is ${-energy} in the ${engine} engine; ${text}`,
          site,
        );
      }
    },
    o,
  );
  recordOutcome(`log density is never NaN or +inf (${engine})`, U, outcome, checks, failures);
}

/** Which coordinates to difference: all, or an even spread of `max` of them. */
function coordinatesOf(dim: number, max: number): number[] {
  if (dim <= max) return Array.from({ length: dim }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.floor((i * dim) / max));
}

/** The site (and element) a coordinate of q belongs to: "eta[3]". */
function coordinateName(U: Potential, j: number): { site: string; text: string } {
  const s = U.layout.sites.find((x) => j >= x.offset && j < x.offset + x.size);
  if (s === undefined) return { site: `q[${j}]`, text: `q[${j}]` };
  return { site: s.name, text: s.size === 1 ? s.name : `${s.name}[${j - s.offset}]` };
}

function gradientCheck(
  U: Potential,
  engine: EngineName,
  rtol: number,
  o: PointOptions,
  checks: CheckSummary[],
  failures: PropertyFailure[],
): void {
  const grad = new Float64Array(U.dim);
  const energy = (q: Float64Array) => U.valueAndGrad(q, new Float64Array(U.dim));
  const coordinates = coordinatesOf(U.dim, o.maxCoordinates);
  const float32 = engine === "eager";
  const outcome = runProperty(
    arbitraryPoint(U, { radius: o.radius }),
    ({ q }) => {
      const value = U.valueAndGrad(q, grad);
      if (!Number.isFinite(value)) {
        fc.pre(false);
        return;
      }
      const bad = grad.findIndex((g) => !Number.isFinite(g));
      if (bad >= 0) {
        const c = coordinateName(U, bad);
        throw new Counterexample(
          `the gradient of the log density with respect to ${c.text} (unconstrained) is ${-grad[bad]} in the ${engine} engine, at a finite log density ${formatNumber(-value)}`,
          c.site,
        );
      }
      const { ok, worst } = compareGradient(energy, q, grad, {
        coordinates,
        rtol,
        relativeStep: float32 ? 1e-2 : 1e-4,
        precision: float32 ? 2 ** -23 : Number.EPSILON,
        atol: float32 ? 1e-4 : 1e-8,
      });
      if (!ok) {
        const c = coordinateName(U, worst.index);
        throw new Counterexample(
          `d(log density)/d${c.text} (unconstrained) is ${formatNumber(-worst.analytic)} by the ${engine} engine's gradient but ${formatNumber(-worst.numeric)} by central differences (relative error ${worst.relError.toExponential(2)} > ${formatTolerance(rtol)})`,
          c.site,
        );
      }
    },
    o,
  );
  const limited =
    coordinates.length < U.dim ? ` (${coordinates.length} of ${U.dim} coordinates)` : "";
  recordOutcome(
    `gradient is finite and matches central differences (${engine})${limited}`,
    U,
    outcome,
    checks,
    failures,
  );
}

function engineCheck(
  compiled: Potential,
  eager: Potential,
  rtol: number,
  o: PointOptions,
  checks: CheckSummary[],
  failures: PropertyFailure[],
): void {
  const gc = new Float64Array(compiled.dim);
  const ge = new Float64Array(eager.dim);
  const outcome = runProperty(
    arbitraryPoint(compiled, { radius: o.radius }),
    ({ q }) => {
      const uc = compiled.valueAndGrad(q, gc);
      const ue = eager.valueAndGrad(q, ge);
      if (!Number.isFinite(uc) && !Number.isFinite(ue)) {
        fc.pre(false);
        return;
      }
      if (!(Math.abs(uc - ue) <= rtol * Math.max(1, Math.abs(uc)))) {
        const { site, text } = culprit(eager, q);
        throw new Counterexample(
          `the log density is ${formatNumber(-uc)} in the compiled engine but ${formatNumber(-ue)} in the eager engine; eager ${text}`,
          site,
        );
      }
      let size = 1;
      for (const g of gc) size = Math.max(size, Math.abs(g));
      for (let j = 0; j < gc.length; j++) {
        if (!(Math.abs(gc[j] - ge[j]) <= rtol * size)) {
          const c = coordinateName(compiled, j);
          throw new Counterexample(
            `d(log density)/d${c.text} (unconstrained) is ${formatNumber(-gc[j])} in the compiled engine but ${formatNumber(-ge[j])} in the eager engine (tolerance ${formatNumber(rtol * size)})`,
            c.site,
          );
        }
      }
    },
    o,
  );
  recordOutcome(
    "compiled engine agrees with the eager engine",
    compiled,
    outcome,
    checks,
    failures,
  );
}
