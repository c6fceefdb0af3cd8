/**
 * A point in phase space (position q, momentum p) with what the integrator caches there: the
 * gradient of the potential, the velocity M^{-1} p, the preconditioned gradient M^{-1} dU/dq
 * and both energies. The Hamiltonian is
 * H(q, p) = U(q) + K(p) (Betancourt 2017, section 3).
 */

/** A mutable phase-space point with cached derived quantities. */
export interface PhasePoint {
  readonly position: Float64Array;
  readonly momentum: Float64Array;
  /** dU/dq at `position`. */
  readonly gradient: Float64Array;
  /** M^{-1} p at `momentum`. */
  readonly velocity: Float64Array;
  /** M^{-1} dU/dq at `position`. */
  readonly preconditionedGradient: Float64Array;
  potentialEnergy: number;
  kineticEnergy: number;
}

/**
 * A zero point of dimension `dim`.
 *
 * @example
 * const point = createPhasePoint(3);
 */
export function createPhasePoint(dim: number): PhasePoint {
  return {
    position: new Float64Array(dim),
    momentum: new Float64Array(dim),
    gradient: new Float64Array(dim),
    velocity: new Float64Array(dim),
    preconditionedGradient: new Float64Array(dim),
    potentialEnergy: 0,
    kineticEnergy: 0,
  };
}

/** Copies every field of `from` into `to`. */
export function copyPhasePoint(from: PhasePoint, to: PhasePoint): void {
  // One plain loop: for the small dimensions NUTS often meets it beats five TypedArray.set calls.
  const { position, momentum, gradient, velocity, preconditionedGradient } = to;
  for (let i = 0; i < position.length; i++) {
    position[i] = from.position[i];
    momentum[i] = from.momentum[i];
    gradient[i] = from.gradient[i];
    velocity[i] = from.velocity[i];
    preconditionedGradient[i] = from.preconditionedGradient[i];
  }
  to.potentialEnergy = from.potentialEnergy;
  to.kineticEnergy = from.kineticEnergy;
}

/** The Hamiltonian H = U + K, with NaN read as +infinity (an impossible point). */
export function hamiltonian(point: PhasePoint): number {
  const h = point.potentialEnergy + point.kineticEnergy;
  return Number.isNaN(h) ? Number.POSITIVE_INFINITY : h;
}
