/**
 * `bijectTo(constraint)`: the transform from the unconstrained reals onto a constraint's set,
 * found in a registry keyed by the constraint's name (as NumPyro's `biject_to`).
 *
 * | constraint                          | transform                                   |
 * | ----------------------------------- | ------------------------------------------- |
 * | real                                | identity                                    |
 * | positive, nonnegative               | exp                                         |
 * | greaterThan(low)                    | exp, then low + y                           |
 * | lessThan(high)                      | exp, then high - y                          |
 * | interval(low, high), circular       | sigmoid, then low + (high - low) y          |
 * | unitInterval                        | sigmoid                                     |
 * | simplex                             | stick-breaking                              |
 * | ordered                             | ordered (Stan)                              |
 * | positiveOrdered                     | cumulative sum of exp (Stan)                |
 * | lowerCholesky, correlationCholesky  | Cholesky-factor transforms                  |
 * | positiveDefinite                    | lower Cholesky, then L L^T                  |
 *
 * Bounds may be tensors. Bounds made by `constant` (data) are frozen into the transform, so
 * that it outlives the tfjs scope it was built in (inference builds its layout once, inside
 * a `tidy`). Bounds computed from other parameters (`Uniform(0, tf.sub(1, alpha))`) stay the
 * tensors they are: such a transform is valid for that evaluation only, and
 * `constraint.isParameterDependent` tells inference to build it again from each trace.
 */
import { constant, float64Of, tf } from "../tf.js";
import { type Bound, type Constraint, IndependentConstraint, Interval } from "./constraints.js";
import {
  AffineTransform,
  ComposeTransform,
  expTransform,
  IndependentTransform,
  identityTransform,
  intervalTransform,
  sigmoidTransform,
  type Transform,
} from "./transforms.js";
import {
  CholeskyOuterProductTransform,
  CorrCholeskyTransform,
  LowerCholeskyTransform,
} from "./transforms-matrix.js";
import {
  OrderedTransform,
  PositiveOrderedTransform,
  StickBreakingTransform,
} from "./transforms-vector.js";

/** Builds the bijection onto one constraint (given the constraint, for its parameters). */
export type BijectionFactory = (constraint: Constraint) => Transform;
const registry = new Map<string, BijectionFactory>();

/**
 * Registers the bijection for constraints of a name (later registrations replace earlier ones).
 *
 * @example
 * const exp = bijectTo(positive);
 * registerBijection("positive", () => SoftplusTransform()); // softplus instead of exp
 * bijectTo(positive).forward(tf.scalar(0)); // log 2
 * registerBijection("positive", () => exp); // back to the default
 */
export function registerBijection(name: string, factory: BijectionFactory): void {
  registry.set(name, factory);
}

/**
 * The transform from unconstrained reals onto `constraint`.
 *
 * @example
 * const t = bijectTo(positive); // exp
 * t.forward(tf.scalar(0)); // 1
 */
export function bijectTo(constraint: Constraint): Transform {
  if (constraint instanceof IndependentConstraint) {
    return new IndependentTransform(bijectTo(constraint.base), constraint.reinterpreted);
  }
  const factory = registry.get(constraint.name);
  if (factory === undefined) {
    throw new Error(
      `bijectTo: no transform is registered for the constraint "${constraint.name}" (${constraint.describe()})`,
    );
  }
  return factory(constraint);
}

/** The bounds of an interval constraint, constants frozen (see the module comment). */
function asInterval(c: Constraint, name: string): { low: Bound; high: Bound } {
  if (!(c instanceof Interval)) {
    throw new Error(`bijectTo: the constraint "${name}" must be an interval, got ${c.describe()}`);
  }
  return { low: frozen(c.low), high: frozen(c.high) };
}

/**
 * The bijection onto an interval whose ends may be infinite: identity, exp shifted up from a
 * lower bound, exp reflected down from an upper bound, or sigmoid then affine.
 */
function intervalBijection(c: Constraint): Transform {
  const { low, high } = asInterval(c, c.name);
  const lowFinite = endKind(low, "low", c);
  const highFinite = endKind(high, "high", c);
  if (lowFinite && highFinite) return intervalTransform(low, high, c);
  if (lowFinite) return new ComposeTransform([expTransform, new AffineTransform(low, 1)], c);
  if (highFinite) return new ComposeTransform([expTransform, new AffineTransform(high, -1)], c);
  return identityTransform;
}

/** Whether an interval end is finite; computed tensor ends are taken as finite. */
function endKind(b: Bound, side: string, c: Constraint): boolean {
  if (!(b instanceof tf.Tensor)) return Number.isFinite(b);
  const exact = float64Of(b);
  if (exact === undefined) return true;
  const finite = exact.filter(Number.isFinite).length;
  if (finite === exact.length) return true;
  if (finite === 0) return false;
  throw new Error(
    `bijectTo: the ${side} bounds of ${c.describe()} mix finite and infinite values; use one distribution per kind of bound`,
  );
}

function frozen(b: Bound): Bound {
  if (!(b instanceof tf.Tensor)) return b;
  const exact = float64Of(b);
  if (exact === undefined || exact.length !== b.size) return b;
  if (b.size === 1) return exact[0];
  return tf.keep(tf.reshape(constant(exact), b.shape));
}

registerBijection("real", () => identityTransform);
registerBijection("positive", () => expTransform);
registerBijection("nonnegative", () => expTransform);
registerBijection("unitInterval", () => sigmoidTransform);
registerBijection("greaterThan", intervalBijection);
registerBijection("lessThan", intervalBijection);
registerBijection("interval", intervalBijection);
registerBijection("circular", intervalBijection);
registerBijection("simplex", () => new StickBreakingTransform());
registerBijection("ordered", () => new OrderedTransform());
registerBijection("positiveOrdered", () => new PositiveOrderedTransform());
registerBijection("lowerCholesky", () => new LowerCholeskyTransform());
registerBijection("correlationCholesky", () => new CorrCholeskyTransform());
registerBijection(
  "positiveDefinite",
  (c) =>
    new ComposeTransform([new LowerCholeskyTransform(), new CholeskyOuterProductTransform()], c),
);
