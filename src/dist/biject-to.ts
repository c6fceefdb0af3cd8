/**
 * `bijectTo(constraint)`: the transform from the unconstrained reals onto a constraint's set,
 * found in a registry keyed by the constraint's name.
 */
import { type Constraint, IndependentConstraint } from "./constraints.js";
import {
  expTransform,
  IndependentTransform,
  identityTransform,
  type Transform,
} from "./transforms.js";

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

registerBijection("real", () => identityTransform);
registerBijection("positive", () => expTransform);
