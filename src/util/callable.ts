/**
 * Callable classes: the convention by which everything a model constructs is a plain function
 * call, as the distribution families are (`Normal(0, 1)`). Wrappers, transforms and
 * reparameterizers are classes (they carry state and methods, and users test them with
 * `instanceof`); `callable` makes such a class callable without `new`, so that
 * `MixtureSameFamily(mixing, components)`, `AffineTransform(0, 2)` and `new AffineTransform(0, 2)`
 * give the same object and `instanceof AffineTransform` holds for both.
 *
 * How to define one (the class under a private name, the callable and its instance type under
 * the public one):
 *
 *     class AffineTransformClass extends Transform { ... }
 *     // the doc comment, with an @example that calls it without `new`
 *     export const AffineTransform = callable(AffineTransformClass);
 *     export type AffineTransform = AffineTransformClass;
 */

/** A class that can also be called without `new`, with the same arguments and result. */
export type Callable<C extends abstract new (...args: any) => any> = C &
  ((...args: ConstructorParameters<C>) => InstanceType<C>);

/**
 * The class `cls`, callable without `new`: `f(...args)` is `new cls(...args)`. Construction
 * with `new`, `instanceof`, static members and subclassing (`class X extends f`) work as on the
 * class itself.
 *
 * @example
 * class PointClass { constructor(readonly x: number) {} }
 * const Point = callable(PointClass);
 * Point(1) instanceof Point; // true
 * new Point(2).x; // 2
 */
export function callable<C extends new (...args: any[]) => any>(cls: C): Callable<C> {
  return new Proxy(cls, {
    apply: (target, _self, args) => new target(...args),
  }) as Callable<C>;
}
