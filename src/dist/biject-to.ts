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
 * Bounds may be tensors: the transform is built from the bounds the constraint holds.
 */
import { type Constraint, IndependentConstraint, Interval } from "./constraints.js";
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

type BijectionFactory = (constraint: Constraint) => Transform;
const registry = new Map<string, BijectionFactory>();

/** Registers the bijection for constraints of a name (later registrations replace earlier ones). */
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

function asInterval(c: Constraint, name: string): Interval {
  if (!(c instanceof Interval)) {
    throw new Error(`bijectTo: the constraint "${name}" must be an interval, got ${c.describe()}`);
  }
  return c;
}

registerBijection("real", () => identityTransform);
registerBijection("positive", () => expTransform);
registerBijection("nonnegative", () => expTransform);
registerBijection("unitInterval", () => sigmoidTransform);
registerBijection("greaterThan", (c) => {
  const { low } = asInterval(c, "greaterThan");
  return new ComposeTransform([expTransform, new AffineTransform(low, 1)], c);
});
registerBijection("lessThan", (c) => {
  const { high } = asInterval(c, "lessThan");
  return new ComposeTransform([expTransform, new AffineTransform(high, -1)], c);
});
registerBijection("interval", (c) => {
  const { low, high } = asInterval(c, "interval");
  return intervalTransform(low, high, c);
});
registerBijection("circular", (c) => {
  const { low, high } = asInterval(c, "circular");
  return intervalTransform(low, high, c);
});
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
