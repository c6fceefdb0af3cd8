/**
 * The leapfrog (velocity Verlet) integrator for Hamiltonian dynamics: a half step of momentum,
 * a full step of position, a half step of momentum. It is symplectic and time-reversible, and
 * its energy error is O(stepSize^2) over a fixed integration time (Leimkuhler & Reich 2004,
 * "Simulating Hamiltonian Dynamics"; Neal 2011, "MCMC using Hamiltonian dynamics").
 *
 * One step costs one gradient evaluation: the gradient at the start is the one cached in the
 * point. Nothing is allocated.
 */
import type { GradientTarget } from "../potential-types.js";
import type { Metric } from "./metric.js";
import type { PhasePoint } from "./phase-point.js";

/**
 * Advances `point` in place by one leapfrog step of `stepSize` (negative to integrate backward
 * in time), refreshing its gradient, velocity and energies. Non-finite values are kept, never
 * thrown: the caller reads them as a divergence.
 *
 * @example
 * const point = createPhasePoint(1); // q = 0, p = 0
 * point.momentum[0] = 1;
 * point.potentialEnergy = target.valueAndGrad(point.position, point.gradient);
 * leapfrog(target, diagonalMetric(Float64Array.of(1)), point, 0.1);
 */
export function leapfrog(
  target: GradientTarget,
  metric: Metric,
  point: PhasePoint,
  stepSize: number,
): void {
  const { position, momentum, gradient, velocity } = point;
  const dim = position.length;
  const halfStep = stepSize / 2;
  for (let i = 0; i < dim; i++) momentum[i] -= halfStep * gradient[i];
  metric.velocity(momentum, velocity);
  for (let i = 0; i < dim; i++) position[i] += stepSize * velocity[i];
  point.potentialEnergy = target.valueAndGrad(position, gradient);
  for (let i = 0; i < dim; i++) momentum[i] -= halfStep * gradient[i];
  metric.velocity(momentum, velocity);
  let twiceKinetic = 0;
  for (let i = 0; i < dim; i++) twiceKinetic += momentum[i] * velocity[i];
  point.kineticEnergy = twiceKinetic / 2;
}
