/**
 * Multinomial sampling of the proposal along a NUTS trajectory (Betancourt 2017, appendix A.3;
 * Stan's base_nuts). Each point z of the trajectory has weight exp(H0 - H(z)). Inside a subtree
 * the sample of a merged pair of halves is drawn in proportion to the halves' weights (uniform
 * progressive sampling, which keeps the draw multinomial); at the top level the new subtree's
 * sample replaces the current one with probability min(1, w_new / w_old) (biased progressive
 * sampling, which favours points far from the start and still leaves the target invariant).
 */
import type { UniformStream } from "./random-stream.js";

/**
 * A candidate sample: what a transition returns (position, gradient, potential energy) and the
 * kinetic energy it had on the trajectory (for the reported energy). A phase-space point is one.
 */
export interface Proposal {
  readonly position: Float64Array;
  readonly gradient: Float64Array;
  potentialEnergy: number;
  kineticEnergy: number;
}

/**
 * An empty proposal of dimension `dim`.
 *
 * @example
 * const proposal = createProposal(3);
 */
export function createProposal(dim: number): Proposal {
  return {
    position: new Float64Array(dim),
    gradient: new Float64Array(dim),
    potentialEnergy: 0,
    kineticEnergy: 0,
  };
}

/** Copies a proposal (or the proposal part of a phase-space point) into `to`. */
export function copyProposal(from: Proposal, to: Proposal): void {
  const { position, gradient } = to;
  for (let i = 0; i < position.length; i++) {
    position[i] = from.position[i];
    gradient[i] = from.gradient[i];
  }
  to.potentialEnergy = from.potentialEnergy;
  to.kineticEnergy = from.kineticEnergy;
}

/** log(exp(a) + exp(b)) without overflow; -infinity is the neutral element. */
export function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  const max = a > b ? a : b;
  return max + Math.log(Math.exp(a - max) + Math.exp(b - max));
}

/**
 * Whether a merged subtree takes the sample of its second half (uniform progressive sampling):
 * probability w_second / (w_first + w_second), given the log weights of the second half and of
 * the merged subtree.
 *
 * @example
 * takeSecondHalf(Math.log(1), Math.log(4), new UniformStream(PRNGKey(0))); // true with prob 1/4
 */
export function takeSecondHalf(
  logWeightSecond: number,
  logWeightMerged: number,
  stream: UniformStream,
): boolean {
  if (logWeightSecond > logWeightMerged) return true;
  return stream.next() < Math.exp(logWeightSecond - logWeightMerged);
}

/**
 * Whether the trajectory's sample moves to the new subtree's sample (biased progressive
 * sampling): probability min(1, w_new / w_old), given the log weights of the new subtree and
 * of the trajectory before it.
 *
 * @example
 * takeNewSubtree(Math.log(3), Math.log(2), new UniformStream(PRNGKey(0))); // always true
 */
export function takeNewSubtree(
  logWeightNew: number,
  logWeightOld: number,
  stream: UniformStream,
): boolean {
  if (logWeightNew > logWeightOld) return true;
  return stream.next() < Math.exp(logWeightNew - logWeightOld);
}
