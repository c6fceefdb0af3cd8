/**
 * `potential`: a model and its data as a differentiable function of a flat unconstrained
 * vector, U(q) = -(log p(x(q), data) + log |det dx/dq|), the form every sampler uses.
 */

import type { CompiledArtifact } from "../compile/artifact.js";
import { compileObjective } from "../compile/compile-objective.js";
import { bijectTo } from "../dist/biject-to.js";
import { withoutTensorValidation } from "../dist/validation.js";
import { ArgumentError, ModelError } from "../errors.js";
import { seed } from "../handlers/seed.js";
import { substitute } from "../handlers/substitute.js";
import { type Trace, trace } from "../handlers/trace.js";
import type { SampleSite } from "../primitives/messages.js";
import { type Key, PRNGKey, toKey, uniform } from "../primitives/prng.js";
import type { Model } from "../primitives/runtime.js";
import { type ArrayLike, constant, flatten, readFloat64, shapeOf, tf, tidyValue } from "../tf.js";
import { formatShape, sizeOf } from "../util/shapes.js";
import { type Draws, stackDraws, toDraws } from "./draws.js";
import {
  contractionCost,
  enumerated,
  enumeratedLogJoint,
  enumeratedSiteGroup,
  enumerationSetup,
  isEnumerated,
} from "./enum/log-joint.js";
import { FlatLayout } from "./layout.js";
import { siteLogProb, traceLogDensity } from "./log-density.js";
import type { EngineName, GradientTarget } from "./potential-types.js";
import { traceAtUnconstrained } from "./unconstrained-trace.js";

export type { EngineName, GradientTarget } from "./potential-types.js";

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
   * others, like PyMC's `logp_dlogp_function(grad_vars=...)`. Discrete latent sites must be fixed.
   */
  fixed?: Record<string, ArrayLike>;
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

const warned = new Set<string>();

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
  const result = withoutTensorValidation(() =>
    compileObjective(
      withFixed ? (q, f) => tf.neg(logJoint(q, f)) : (q) => tf.neg(logJoint(q, tf.zeros([0]))),
      withFixed ? [[dim], [fixed.length]] : [[dim]],
      { name: "potential", at: withFixed ? [at, fixed] : [at], wrt: [0] },
    ),
  );
  if (!result.ok) {
    const message = `potential: using the eager engine; the compiled engine cannot serve this model: ${result.reason}`;
    if (!warned.has(message)) {
      warned.add(message);
      console.warn(message);
    }
    return undefined;
  }
  const compiled = result.compiled;
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
  return tidyValue(() => {
    const tr = withoutTensorValidation(() => trace(model).getTrace(...args));
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
  });
}

/** The unconstrained point of one prior draw: where the compiled engine traces and checks. */
function prototypePoint<A extends unknown[]>(
  layout: FlatLayout,
  model: Model<A, unknown>,
  args: A,
  key: Key | number,
): Float64Array {
  const q = pointOfRun(layout, seed(model, typeof key === "number" ? PRNGKey(key) : key), args);
  return q.every(Number.isFinite) ? q : new Float64Array(layout.dim);
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
  // The model with the fixed sites set from a flat tensor of their values.
  const withFixed = (f: tf.Tensor) => {
    if (fixedLayout.entries.length === 0) return model;
    const values: Record<string, tf.Tensor> = {};
    for (const e of fixedLayout.entries)
      values[e.name] = tf.reshape(tf.slice(f, [e.offset], [e.size]), e.shape);
    return substitute(model, values);
  };
  const currentModel = () => modelAtFixed(fixedLayout, fixedVector, model);
  const { layout, enumeration } = tidyValue(() => {
    const first = firstRun(currentModel(), args, options.key ?? 0);
    const setup = enumerationSetup("potential", currentModel(), args, {
      trace: first,
      maxPlateNesting: options.maxPlateNesting,
    });
    return {
      layout: FlatLayout.fromSites(latentSites(first, options.fixed ?? {})),
      enumeration: setup.sites.length > 0 ? setup : undefined,
    };
  });
  // Sites marked for enumeration are summed out: the model runs under the enumeration handler.
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
      return Object.fromEntries(layout.sites.map((s) => [s.name, toDraws(tr.get(s.name).value)]));
    });
  };

  const eager = eagerEngine(logJointWith, fixedVector);
  const compiled =
    (options.engine ?? "compiled") === "compiled" && layout.dim > 0
      ? compiledEngine(
          logJointWith,
          layout.dim,
          fixedVector,
          prototypePoint(layout, currentModel(), args, options.key ?? 0),
        )
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
        const out: Record<string, number> = {};
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
    setFixed: (values) => writeFixed(fixedLayout, fixedVector, values),
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
    return tf.reshape(constant(vector.slice(e.offset, e.offset + e.size)), e.shape);
  });
}

/** One seeded run of a model: its sites and their shapes. */
function firstRun<A extends any[]>(model: Model<A, unknown>, args: A, key: Key | number): Trace {
  // Only the sites and their shapes are needed here. Parameters are not read back: a model that
  // is finite in float64 can give NaN in this float32 run (a Cholesky factor of a nearly
  // singular kernel matrix), and the compiled engine, in float64, serves it well.
  return withoutTensorValidation(() =>
    trace(seed(model, typeof key === "number" ? PRNGKey(key) : key)).getTrace(...args),
  );
}

/** The continuous latent sample sites of a run; enumerated sites are summed out, not latent. */
function latentSites(tr: Trace, fixed: Record<string, ArrayLike>): SampleSite[] {
  const latent = tr
    .sampleSites()
    .filter((s) => !s.isObserved && fixed[s.name] === undefined && !isEnumerated(s));
  const discrete = latent.filter((s) => s.fn.isDiscrete);
  if (discrete.length > 0) {
    throw new ModelError({
      message:
        `potential: the latent site${discrete.length > 1 ? "s" : ""} ${discrete.map((s) => `"${s.name}"`).join(", ")} ` +
        `${discrete.length > 1 ? "are" : "is"} discrete; mark ${discrete.length > 1 ? "them" : "it"} with infer: { enumerate: "parallel" } (or configEnumerate) to sum ${discrete.length > 1 ? "them" : "it"} out, give ${discrete.length > 1 ? "them" : "it"} values with { fixed }, or sample ${discrete.length > 1 ? "them" : "it"} with a compound (Gibbs) step`,
      site: discrete[0].name,
    });
  }
  return latent;
}
