/**
 * `potential`: a model and its data as a differentiable function of a flat unconstrained
 * vector, U(q) = -(log p(x(q), data) + log |det dx/dq|), the form every sampler uses.
 */

import type { CompiledArtifact } from "../compile/artifact.js";
import { compileObjective } from "../compile/compile-objective.js";
import { compileOrFallBack } from "../compile/engine-selection.js";
import { bijectTo } from "../dist/biject-to.js";
import { withoutTensorValidation } from "../dist/validation.js";
import { ArgumentError, ModelError } from "../errors.js";
import { seed } from "../handlers/seed.js";
import { drawsIntegers } from "../handlers/site-value.js";
import { substitute } from "../handlers/substitute.js";
import { type Trace, trace } from "../handlers/trace.js";
import type { EngineName, GradientTarget } from "../potential-types.js";
import { type Key, PRNGKey, toKey, uniform } from "../primitives/prng.js";
import type { Model } from "../primitives/runtime.js";
import { withFirstStepOnly } from "../primitives/scan-tracer.js";
import { type ArrayLike, constant, flatten, readFloat64, shapeOf, tf, tidyValue } from "../tf.js";
import { ownValue, siteRecord, siteRecordOf } from "../util/records.js";
import { formatShape, sizeOf } from "../util/shapes.js";
import { type Draws, stackDraws, toDraws } from "./draws.js";
import {
  contractionCost,
  type EnumerationSetup,
  enumerated,
  enumeratedLogJoint,
  enumeratedSiteGroup,
  enumerationSetup,
  isEnumerated,
} from "./enum/log-joint.js";
import { FlatLayout } from "./layout.js";
import { siteLogProb, traceLogDensity } from "./log-density.js";
import { traceAtUnconstrained } from "./unconstrained-trace.js";

export type { EngineName, GradientTarget } from "../potential-types.js";

/** Options of `potential`. */
export interface PotentialOptions {
  /**
   * Which engine computes value and gradient: "compiled" (default; float64 JavaScript traced
   * from the model, falling back to "eager" with one warning when the model cannot be traced)
   * or "eager" (tfjs, float32).
   */
  engine?: EngineName;
  /** Key (or seed) for the run that discovers the model's latent sites (default 0). */
  key?: Key | number;
  /**
   * The number of batch dims the model uses, for the dims of enumerated sites (default: found
   * by the first run).
   */
  maxPlateNesting?: number;
  /**
   * Latent sites held at fixed values: the potential is the conditional density of the
   * others, like PyMC's `logp_dlogp_function(grad_vars=...)`. Discrete latent sites must be
   * fixed, unless they are marked for enumeration (summed out).
   */
  fixed?: Record<string, ArrayLike>;
  /**
   * What `discoverModel` found in a run of this model with the same `key` (and no fixed
   * sites): saves the run that finds the latent sites and the point to trace at.
   */
  discovery?: ModelDiscovery;
}

/**
 * What one seeded run of a model says about it: its continuous latent sites, the unconstrained
 * point of that run, the names of its discrete latent and deterministic sites, and how its
 * sites marked for enumeration are summed out.
 */
export interface ModelDiscovery {
  /** The continuous latent sites (those not fixed) in the flat unconstrained vector. */
  readonly layout: FlatLayout;
  /** The unconstrained point of the run (zeros where it is not finite): where to trace. */
  readonly point: Float64Array;
  /** The discrete latent sites not fixed nor marked for enumeration: they need values. */
  readonly discreteLatent: readonly string[];
  /** The latent sites marked `infer: { enumerate: "parallel" }` (not fixed): summed out. */
  readonly enumerated: readonly string[];
  /** Their dims and unenumerated shapes, when there are any. */
  readonly enumeration?: EnumerationSetup;
  /** The fixed sites (given with `{ fixed }`) that are discrete: their values must be whole. */
  readonly discreteFixed: readonly string[];
  readonly deterministic: readonly string[];
  /** Whether the run had any latent sample site (continuous or discrete). */
  readonly hasLatent: boolean;
}

/** A model as a potential energy over its flat unconstrained latent vector. */
export interface Potential extends GradientTarget {
  /** The engine that actually serves value and gradient. */
  readonly engine: EngineName;
  /** Which slice of q holds which site. */
  readonly layout: FlatLayout;
  /** U(q) and its gradient (into `grad`). U is the negative log density, Jacobians included. */
  valueAndGrad(q: Float64Array, grad: Float64Array): number;
  /** log p at q, Jacobians included (= -U). */
  logDensity(q: Float64Array): number;
  /** Constrained site values at q. */
  unravel(q: Float64Array): Record<string, Draws>;
  /** Constrained site values of `n` points stored row-major in `qs`, each `[n, ...site shape]`. */
  unravelBatch(qs: Float64Array, n: number): Record<string, Draws>;
  /** q from constrained site values. */
  ravel(values: Record<string, ArrayLike>): Float64Array;
  /** A uniform(-2, 2) point in the unconstrained space (Stan's and NumPyro's default start). */
  initialPoint(key: Key | number): Float64Array;
  /** Per-site log-probabilities at q, each latent site with its Jacobian (PyMC's `point_logps`). */
  pointLogProbs(q: Float64Array): Record<string, number>;
  /** log p(q) as a tfjs function of a flat tensor: what engines differentiate. */
  readonly logJoint: (q: tf.Tensor) => tf.Scalar;
  /** The compiled value-and-gradient as plain data (for worker threads), when compiled without fixed sites. */
  readonly artifact?: CompiledArtifact;
  /**
   * Changes the values of fixed sites (given with `fixed`) without building the potential
   * again, like PyMC's `set_extra_values`: compound steps update discrete sites this way.
   */
  setFixed(values: Record<string, ArrayLike>): void;
}

/** Value and gradient of U(q) = -log p(q | fixed), from one engine. */
interface Engine {
  valueAndGrad(q: Float64Array, grad: Float64Array): number;
  value(q: Float64Array): number;
  artifact?: CompiledArtifact;
}

/**
 * log p(q | f) as a tfjs function of two flat tensors: the unconstrained latent values q and
 * the fixed sites' values f (empty when nothing is fixed).
 */
type LogJoint = (q: tf.Tensor, fixed: tf.Tensor) => tf.Scalar;

/** tfjs's own gradient, in float32. */
function eagerEngine(logJoint: LogJoint, fixed: Float64Array): Engine {
  const valueAndGradOf = (f: tf.Tensor) => tf.valueAndGrad((q: tf.Tensor) => logJoint(q, f));
  return {
    valueAndGrad: (q, grad) =>
      tidyValue(() =>
        withoutTensorValidation(() => {
          const { value, grad: g } = valueAndGradOf(constant(fixed))(constant(q));
          const gradient = g.dataSync();
          for (let i = 0; i < grad.length; i++) grad[i] = -gradient[i];
          return -value.dataSync()[0];
        }),
      ),
    value: (q) =>
      tidyValue(() =>
        withoutTensorValidation(() => -logJoint(constant(q), constant(fixed)).dataSync()[0]),
      ),
  };
}

/**
 * The same tfjs code traced once and emitted as float64 JavaScript (DESIGN.md section 4), or
 * undefined with one warning naming the cause when it cannot be traced. The fixed values are
 * a second input, read at every call, so they can change without tracing again.
 */
function compiledEngine(
  logJoint: LogJoint,
  dim: number,
  fixed: Float64Array,
  at: Float64Array,
): Engine | undefined {
  const withFixed = fixed.length > 0;
  const choice = compileOrFallBack("potential", "model", () =>
    withoutTensorValidation(() =>
      compileObjective(
        withFixed ? (q, f) => tf.neg(logJoint(q, f)) : (q) => tf.neg(logJoint(q, tf.zeros([0]))),
        withFixed ? [[dim], [fixed.length]] : [[dim]],
        { name: "potential", at: withFixed ? [at, fixed] : [at], wrt: [0] },
      ),
    ),
  );
  if (choice.engine === "eager") return undefined;
  const compiled = choice.compiled;
  const inputs: Float64Array[] = withFixed
    ? [new Float64Array(dim), fixed]
    : [new Float64Array(dim)];
  const grads: Float64Array[] = [new Float64Array(dim)];
  return {
    valueAndGrad: (q, grad) => {
      inputs[0] = q;
      grads[0] = grad;
      return compiled.valueAndGrad(inputs, grads);
    },
    value: (q) => {
      inputs[0] = q;
      return compiled.value(inputs);
    },
    artifact: withFixed ? undefined : compiled.artifact,
  };
}

/**
 * The unconstrained point of a run of `model` (seeded, or with values substituted): each
 * latent site's value through the inverse of the transform onto its support at that run.
 */
function pointOfRun<A extends unknown[]>(
  layout: FlatLayout,
  model: Model<A, unknown>,
  args: A,
): Float64Array {
  return tidyValue(() =>
    pointOfTrace(
      layout,
      withoutTensorValidation(() => trace(model).getTrace(...args)),
    ),
  );
}

/** The unconstrained point of a trace's latent sites (call inside a tfjs scope). */
function pointOfTrace(layout: FlatLayout, tr: Trace): Float64Array {
  const point = new Float64Array(layout.dim);
  for (const s of layout.sites) {
    const site = tr.get(s.name);
    if (site.type !== "sample") continue;
    const transform = s.dependent ? bijectTo(site.fn.support) : s.transform;
    const x = readFloat64(site.value);
    point.set(
      transform.inverseF64(x, s.shape) ?? readFloat64(transform.inverse(site.value)),
      s.offset,
    );
  }
  return point;
}

/**
 * Runs `model` once, seeded with `key` (default 0), and keeps what building its potential and
 * sampling it need: the continuous latent sites not in `fixed` and their unconstrained point
 * (where the compiled engine traces and checks; zeros where the draw is not finite), and the
 * names of the discrete latent and deterministic sites.
 *
 * @example
 * const found = discoverModel(eightSchools, [sigma, y]);
 * found.layout.dim; // 10
 * found.deterministic; // ["theta"]
 */
export function discoverModel<A extends unknown[]>(
  model: Model<A, unknown>,
  args: A,
  options: { key?: Key | number; fixed?: Record<string, ArrayLike>; maxPlateNesting?: number } = {},
): ModelDiscovery {
  const key = options.key ?? 0;
  const fixed = options.fixed ?? {};
  return tidyValue(() => {
    // Only sites, shapes and values are needed here. Parameters are not read back: a model that
    // is finite in float64 can give NaN in this float32 run (a Cholesky factor of a nearly
    // singular kernel matrix), and the compiled engine, in float64, serves it well.
    // Scans run their first step only and repeat it: a point in the support, found without a
    // run over every step.
    const tr = withoutTensorValidation(() =>
      withFirstStepOnly(() =>
        trace(seed(model, typeof key === "number" ? PRNGKey(key) : key)).getTrace(...args),
      ),
    );
    const latent = tr
      .sampleSites()
      .filter((s) => !s.isObserved && ownValue(fixed, s.name) === undefined);
    const layout = FlatLayout.fromSites(latent.filter((s) => !s.fn.isDiscrete));
    const point = pointOfTrace(layout, tr);
    const enumerated = latent.filter(isEnumerated).map((s) => s.name);
    return {
      layout,
      point: point.every(Number.isFinite) ? point : new Float64Array(layout.dim),
      discreteLatent: latent.filter((s) => s.fn.isDiscrete && !isEnumerated(s)).map((s) => s.name),
      enumerated,
      enumeration:
        enumerated.length === 0
          ? undefined
          : enumerationSetup("potential", model, args, {
              trace: tr,
              maxPlateNesting: options.maxPlateNesting,
            }),
      discreteFixed: tr
        .sampleSites()
        .filter((s) => ownValue(fixed, s.name) !== undefined && s.fn.isDiscrete)
        .map((s) => s.name),
      deterministic: [...tr.values()].filter((s) => s.type === "deterministic").map((s) => s.name),
      hasLatent: latent.length > 0,
    };
  });
}

/**
 * Builds the potential energy of a model with its arguments.
 *
 * @example
 * const U = potential(eightSchools, [sigma, y]);
 * const grad = new Float64Array(U.dim);
 * const energy = U.valueAndGrad(U.initialPoint(0), grad);
 */
export function potential<A extends any[]>(
  model: Model<A, unknown>,
  args: A,
  options: PotentialOptions = {},
): Potential {
  const fixedLayout = layoutOfValues(options.fixed ?? {});
  const fixedVector = new Float64Array(fixedLayout.size);
  writeFixed(fixedLayout, fixedVector, options.fixed ?? {});
  // The model with the fixed sites set from a flat tensor of their values; discrete sites get
  // int32 values, as their draws are (whole numbers: checked when the values are written).
  const withFixed = (f: tf.Tensor) => {
    if (fixedLayout.entries.length === 0) return model;
    const values = new Map<string, tf.Tensor>();
    for (const e of fixedLayout.entries)
      values.set(e.name, tf.reshape(tf.slice(f, [e.offset], [e.size]), e.shape));
    return substitute(model, (msg) => {
      const value = values.get(msg.name);
      return value !== undefined && drawsIntegers(msg) ? tf.cast(value, "int32") : value;
    });
  };
  const currentModel = () => modelAtFixed(fixedLayout, fixedVector, model);
  const found =
    options.discovery ??
    discoverModel(currentModel(), args, {
      key: options.key,
      fixed: options.fixed,
      maxPlateNesting: options.maxPlateNesting,
    });
  if (found.discreteLatent.length > 0) throw discreteLatentError(found.discreteLatent);
  const layout = found.layout;
  const discreteFixed = found.discreteFixed;
  // Sites marked for enumeration are summed out: the model runs under the enumeration handler,
  // and the contraction is planned here, so that a structure it cannot sum out is an error now.
  const enumeration = found.enumeration;
  if (enumeration !== undefined) {
    contractionCost("potential", currentModel(), args, enumeration, toKey(options.key ?? 0));
  }
  const withEnumeration = (f: tf.Tensor) =>
    enumeration === undefined ? withFixed(f) : enumerated(withFixed(f), enumeration);
  const atPoint = (q: tf.Tensor, f: tf.Tensor) =>
    traceAtUnconstrained(withEnumeration(f), args, layout, q);
  const densityOf = (tr: Trace) =>
    enumeration === undefined
      ? traceLogDensity(tr)
      : enumeratedLogJoint("potential", tr, enumeration);
  const logJointWith: LogJoint = (q, f) => {
    const { trace: tr, logDetJacobians } = atPoint(q, f);
    return tf.addN([densityOf(tr), ...Object.values(logDetJacobians)]) as tf.Scalar;
  };
  const logJoint = (q: tf.Tensor): tf.Scalar => logJointWith(q, constant(fixedVector));
  // Sites whose support depends on other parameters are constrained by running the model.
  const dependent = layout.sites.some((s) => s.dependent);
  const unravel = (q: Float64Array) => {
    if (!dependent) return layout.unravel(q);
    return tidyValue(() => {
      const tr = atPoint(constant(q), constant(fixedVector)).trace;
      return siteRecordOf(layout.sites.map((s) => [s.name, toDraws(tr.get(s.name).value)]));
    });
  };

  const eager = eagerEngine(logJointWith, fixedVector);
  const compiled =
    (options.engine ?? "compiled") === "compiled" && layout.dim > 0
      ? compiledEngine(logJointWith, layout.dim, fixedVector, found.point)
      : undefined;
  const serving = compiled ?? eager;

  return {
    dim: layout.dim,
    engine: compiled === undefined ? "eager" : "compiled",
    layout,
    valueAndGrad: serving.valueAndGrad,
    logDensity: (q) => -serving.value(q),
    artifact: compiled?.artifact,
    unravel,
    unravelBatch: (qs, n) =>
      dependent
        ? stackDraws(n, (i) => unravel(qs.subarray(i * layout.dim, (i + 1) * layout.dim)))
        : layout.unravelBatch(qs, n),
    ravel: (values) =>
      dependent
        ? pointOfRun(
            layout,
            enumeration === undefined
              ? substitute(currentModel(), values)
              : enumerated(substitute(currentModel(), values), enumeration),
            args,
          )
        : layout.ravel(values),
    initialPoint: (key) => uniform(toKey(key, "initialPoint"), layout.dim, -2, 2),
    pointLogProbs: (q) =>
      tidyValue(() => {
        const out = siteRecord<number>();
        const { trace: tr, logDetJacobians } = atPoint(constant(q), constant(fixedVector));
        const summedOut =
          enumeration === undefined ? [] : enumeratedSiteGroup("potential", tr, enumeration);
        for (const site of tr.sampleSites()) {
          if (summedOut.includes(site.name)) continue;
          const jacobian = logDetJacobians[site.name] ?? tf.scalar(0);
          out[site.name] = tf.add(tf.sum(siteLogProb(site)), jacobian).dataSync()[0];
        }
        if (summedOut.length > 0) {
          // The sites that depend on enumerated ones only have a log density together.
          const total = densityOf(tr).dataSync()[0];
          const rest = tr
            .sampleSites()
            .filter((s) => !summedOut.includes(s.name))
            .reduce((acc, s) => acc + tf.sum(siteLogProb(s)).dataSync()[0], 0);
          out[`enumerated(${summedOut.join(", ")})`] = total - rest;
        }
        return out;
      }),
    setFixed: (values) => {
      for (const name of discreteFixed) {
        const value = values[name];
        if (value !== undefined)
          requireWhole(
            name,
            value instanceof tf.Tensor ? readFloat64(value) : flatten(value).values,
          );
      }
      writeFixed(fixedLayout, fixedVector, values);
    },
    logJoint,
  };
}

/** Where each fixed site's values sit in the flat vector of fixed values. */
interface FixedLayout {
  readonly entries: ReadonlyArray<{ name: string; shape: number[]; offset: number; size: number }>;
  readonly size: number;
}

function layoutOfValues(values: Record<string, ArrayLike>): FixedLayout {
  let offset = 0;
  const entries = Object.entries(values).map(([name, v]) => {
    const shape = shapeOf(v);
    const size = sizeOf(shape);
    const entry = { name, shape, offset, size };
    offset += size;
    return entry;
  });
  return { entries, size: offset };
}

function writeFixed(
  layout: FixedLayout,
  vector: Float64Array,
  values: Record<string, ArrayLike>,
): void {
  for (const [name, value] of Object.entries(values)) {
    const entry = layout.entries.find((e) => e.name === name);
    if (entry === undefined) {
      throw new ArgumentError({
        message: `potential.setFixed: "${name}" is not a fixed site of this potential (fixed: ${layout.entries.map((e) => e.name).join(", ") || "none"})`,
        api: "potential.setFixed",
        argument: name,
      });
    }
    const data = value instanceof tf.Tensor ? readFloat64(value) : flatten(value).values;
    if (data.length !== entry.size) {
      throw new ArgumentError({
        message: `potential.setFixed: "${name}" needs ${entry.size} values (shape ${formatShape(entry.shape)}), got ${data.length}`,
        api: "potential.setFixed",
        argument: name,
      });
    }
    vector.set(data, entry.offset);
  }
}

// The model with the fixed sites at the values now in `vector` (read at each run).
function modelAtFixed<A extends unknown[]>(
  layout: FixedLayout,
  vector: Float64Array,
  model: Model<A, unknown>,
): Model<A, unknown> {
  if (layout.entries.length === 0) return model;
  const byName = new Map(layout.entries.map((e) => [e.name, e]));
  return substitute(model, (msg) => {
    const e = byName.get(msg.name);
    if (e === undefined) return undefined;
    const values = vector.slice(e.offset, e.offset + e.size);
    if (drawsIntegers(msg)) requireWhole(msg.name, values);
    return tf.reshape(constant(values), e.shape);
  });
}

/**
 * Values of a fixed discrete site must be whole numbers: they are cast to int32 (as the site's
 * draws are) in the traced log density.
 */
function requireWhole(name: string, values: Float64Array): void {
  const bad = values.find((v) => !Number.isInteger(v));
  if (bad !== undefined) {
    throw new ArgumentError({
      message: `potential: the fixed site "${name}" is discrete; its values must be whole numbers, got ${bad}`,
      api: "potential",
      argument: name,
    });
  }
}

/** The error for discrete latent sites that are neither fixed nor marked for enumeration. */
function discreteLatentError(discrete: readonly string[]): ModelError {
  const many = discrete.length > 1;
  return new ModelError({
    message:
      `potential: the latent site${many ? "s" : ""} ${discrete.map((s) => `"${s}"`).join(", ")} ` +
      `${many ? "are" : "is"} discrete; mark ${many ? "them" : "it"} with infer: { enumerate: "parallel" } (or configEnumerate) to sum ${many ? "them" : "it"} out, give ${many ? "them" : "it"} values with { fixed }, or sample ${many ? "them" : "it"} with a compound (Gibbs) step`,
    site: discrete[0],
  });
}
