/**
 * The leapfrog (velocity Verlet) integrator for Hamiltonian dynamics: a half step of momentum,
 * a full step of position, a half step of momentum. It is symplectic and time-reversible, and
 * its energy error is O(stepSize^2) over a fixed integration time (Leimkuhler & Reich 2004,
 * "Simulating Hamiltonian Dynamics"; Neal 2011, "MCMC using Hamiltonian dynamics").
 *
 * One step costs one gradient evaluation and one product with the inverse mass matrix: since
 * the velocity is linear in the momentum, a momentum update p -= h dU/dq is mirrored by
 * v -= h M^{-1} dU/dq, and M^{-1} dU/dq is computed once per new gradient and cached in the
 * point (for a dense metric this halves the matrix-vector products). Nothing is allocated.
 */
import type { GradientTarget } from "../../potential-types.js";
import type { Metric } from "./metric.js";
import type { PhasePoint } from "./phase-point.js";

/**
 * Sets the velocity M^{-1} p, the preconditioned gradient M^{-1} dU/dq and the kinetic energy
 * of `point` from its momentum and gradient (after setting or changing either by hand).
 *
 * @example
 * point.momentum.set([0.3, -1.2]);
 * refreshPoint(metric, point); // velocity and kinetic energy of the new momentum
 */
export function refreshPoint(metric: Metric, point: PhasePoint): void {
  metric.multiplyInverseMass(point.momentum, point.velocity);
  metric.multiplyInverseMass(point.gradient, point.preconditionedGradient);
  let twiceKinetic = 0;
  for (let i = 0; i < point.momentum.length; i++) {
    twiceKinetic += point.momentum[i] * point.velocity[i];
  }
  point.kineticEnergy = twiceKinetic / 2;
}

/**
 * Advances `point` in place by one leapfrog step of `stepSize` (negative to integrate backward
 * in time), refreshing its gradient, velocity and energies. Non-finite values are kept, never
 * thrown: the caller reads them as a divergence.
 *
 * @example
 * const point = createPhasePoint(2); // q = 0
 * point.momentum[0] = 1;
 * point.potentialEnergy = target.valueAndGrad(point.position, point.gradient);
 * refreshPoint(metric, point);
 * leapfrog(target, metric, point, 0.1);
 */
export function leapfrog(
  target: GradientTarget,
  metric: Metric,
  point: PhasePoint,
  stepSize: number,
): void {
  const { position, momentum, gradient, velocity, preconditionedGradient } = point;
  const dim = position.length;
  const halfStep = stepSize / 2;
  for (let i = 0; i < dim; i++) {
    momentum[i] -= halfStep * gradient[i];
    velocity[i] -= halfStep * preconditionedGradient[i];
    position[i] += stepSize * velocity[i];
  }
  point.potentialEnergy = target.valueAndGrad(position, gradient);
  metric.multiplyInverseMass(gradient, preconditionedGradient);
  let twiceKinetic = 0;
  for (let i = 0; i < dim; i++) {
    momentum[i] -= halfStep * gradient[i];
    velocity[i] -= halfStep * preconditionedGradient[i];
    twiceKinetic += momentum[i] * velocity[i];
  }
  point.kineticEnergy = twiceKinetic / 2;
}
