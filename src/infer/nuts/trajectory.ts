/**
 * Building a NUTS trajectory by repeated doubling (Hoffman & Gelman 2014, "The No-U-Turn
 * Sampler", JMLR 15, algorithm 3), in the multinomial form with the generalized criterion that
 * Stan uses (Betancourt 2017, appendix A; Stan's base_nuts.hpp):
 *
 * - each doubling adds a subtree of 2^depth leapfrog steps in a random direction, built
 *   recursively from two halves; each merge samples its proposal in proportion to the halves'
 *   weights (proposal.ts) and checks the no-U-turn criterion over the merged subtree and across
 *   its seam (termination.ts);
 * - the top level takes the new subtree's proposal by biased progressive sampling and checks the
 *   criterion over the whole trajectory and across the seam;
 * - a leapfrog step whose energy error H - H0 exceeds `maxDeltaEnergy` (or is NaN) is a
 *   divergence: its subtree is invalid, the trajectory stops, and nothing is thrown.
 *
 * A subtree that turns back or diverges is discarded whole. All buffers are allocated once per
 * builder: one set per recursion depth, since a node's buffers are never touched by its
 * children, and nothing is allocated per leapfrog step.
 */
import type { GradientTarget } from "../../potential-types.js";
import { leapfrog } from "./integrator.js";
import type { Metric } from "./metric.js";
import { copyPhasePoint, createPhasePoint, hamiltonian, type PhasePoint } from "./phase-point.js";
import {
  copyProposal,
  createProposal,
  logAddExp,
  type Proposal,
  takeNewSubtree,
  takeSecondHalf,
} from "./proposal.js";
import type { UniformStream } from "./random-stream.js";
import { noUTurn, noUTurnExtended } from "./termination.js";

/** What one trajectory produced. The `sample` point belongs to the builder: copy it out. */
export interface TrajectoryResult {
  readonly sample: Proposal;
  /** Number of completed doublings. */
  readonly treeDepth: number;
  /** Leapfrog steps taken, including those of a discarded last subtree. */
  readonly numSteps: number;
  /** Mean of min(1, exp(H0 - H)) over every leapfrog step: Stan's accept_stat. */
  readonly acceptProb: number;
  readonly diverging: boolean;
  /** H at the sample. */
  readonly energy: number;
}

/** Momenta, velocities and summed momenta of one recursion level. */
interface LevelBuffers {
  momentumFirstEnd: Float64Array;
  velocityFirstEnd: Float64Array;
  rhoFirst: Float64Array;
  momentumSecondBegin: Float64Array;
  velocitySecondBegin: Float64Array;
  rhoSecond: Float64Array;
  rhoMerged: Float64Array;
  proposalSecond: Proposal;
}

/**
 * One side of the trajectory: the part built forward in time from the start, or the part built
 * backward. "Near" is its end next to the other side (the seam), "far" its outer end, where the
 * next subtree in its direction begins.
 */
interface TrajectorySide {
  /** The phase-space point at the far end. */
  readonly endPoint: PhasePoint;
  /** Summed momentum over the side. */
  readonly rho: Float64Array;
  readonly nearMomentum: Float64Array;
  readonly nearVelocity: Float64Array;
  readonly farMomentum: Float64Array;
  readonly farVelocity: Float64Array;
}

function trajectorySide(dim: number): TrajectorySide {
  return {
    endPoint: createPhasePoint(dim),
    rho: new Float64Array(dim),
    nearMomentum: new Float64Array(dim),
    nearVelocity: new Float64Array(dim),
    farMomentum: new Float64Array(dim),
    farVelocity: new Float64Array(dim),
  };
}

/** A side of a trajectory that is just its start: both ends there, nothing summed yet. */
function startSide(side: TrajectorySide, start: PhasePoint): void {
  copyPhasePoint(start, side.endPoint);
  for (let i = 0; i < start.momentum.length; i++) {
    side.nearMomentum[i] = side.farMomentum[i] = start.momentum[i];
    side.nearVelocity[i] = side.farVelocity[i] = start.velocity[i];
  }
}

function levelBuffers(dim: number): LevelBuffers {
  return {
    momentumFirstEnd: new Float64Array(dim),
    velocityFirstEnd: new Float64Array(dim),
    rhoFirst: new Float64Array(dim),
    momentumSecondBegin: new Float64Array(dim),
    velocitySecondBegin: new Float64Array(dim),
    rhoSecond: new Float64Array(dim),
    rhoMerged: new Float64Array(dim),
    proposalSecond: createProposal(dim),
  };
}

/**
 * Builds NUTS trajectories for one target and dimension, reusing its buffers.
 *
 * @example
 * const builder = new TrajectoryBuilder(target, 10);
 * const result = builder.build(start, metric, 0.2, new UniformStream(key), 1000);
 */
export class TrajectoryBuilder {
  private readonly dim: number;
  private readonly levels: LevelBuffers[] = [];
  /** The point the leapfrog steps advance: the far end of the side being extended. */
  private current: PhasePoint;
  private readonly forward: TrajectorySide;
  private readonly backward: TrajectorySide;
  private readonly sample: Proposal;
  private readonly proposal: Proposal;
  private readonly rho: Float64Array;

  // Per-trajectory state shared by the recursion.
  private metric!: Metric;
  private stepSize = 0;
  private maxDeltaEnergy = 0; // set by build
  private initialEnergy = 0;
  private stream!: UniformStream;
  private numSteps = 0;
  private sumAcceptProb = 0;
  private diverging = false;
  /** Log weight of the subtree that `buildSubtree` last returned. */
  private subtreeLogWeight = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly target: GradientTarget,
    readonly maxTreeDepth: number,
  ) {
    const dim = target.dim;
    this.dim = dim;
    for (let depth = 0; depth < maxTreeDepth; depth++) this.levels.push(levelBuffers(dim));
    this.forward = trajectorySide(dim);
    this.backward = trajectorySide(dim);
    this.current = this.forward.endPoint;
    this.sample = createProposal(dim);
    this.proposal = createProposal(dim);
    this.rho = new Float64Array(dim);
  }

  /**
   * One NUTS trajectory from `start` (position, momentum, gradient, velocity and energies all
   * set). `start` is not modified.
   */
  build(
    start: PhasePoint,
    metric: Metric,
    stepSize: number,
    stream: UniformStream,
    maxDeltaEnergy: number,
  ): TrajectoryResult {
    this.metric = metric;
    this.stepSize = stepSize;
    this.stream = stream;
    this.maxDeltaEnergy = maxDeltaEnergy;
    this.numSteps = 0;
    this.sumAcceptProb = 0;
    this.diverging = false;
    this.initialEnergy = hamiltonian(start);

    const forward = this.forward;
    const backward = this.backward;
    startSide(forward, start);
    startSide(backward, start);
    copyProposal(start, this.sample);
    for (let i = 0; i < this.dim; i++) this.rho[i] = start.momentum[i];
    let logSumWeight = 0; // the start's weight exp(H0 - H0)
    let depth = 0;

    while (depth < this.maxTreeDepth) {
      const direction = stream.next() > 0.5 ? 1 : -1;
      const side = direction === 1 ? forward : backward;
      const other = direction === 1 ? backward : forward;
      // The whole trajectory so far becomes the other side; the new subtree is this side.
      for (let i = 0; i < this.dim; i++) {
        other.rho[i] = this.rho[i];
        other.nearMomentum[i] = side.farMomentum[i];
        other.nearVelocity[i] = side.farVelocity[i];
        side.rho[i] = 0;
      }
      // The new subtree grows from this side's far end, in place.
      this.current = side.endPoint;
      const valid = this.buildSubtree(
        depth,
        this.proposal,
        side.nearVelocity,
        side.farVelocity,
        side.rho,
        side.nearMomentum,
        side.farMomentum,
        direction,
      );
      if (!valid) break;

      depth++;
      const subtreeLogWeight = this.subtreeLogWeight;
      if (takeNewSubtree(subtreeLogWeight, logSumWeight, stream)) {
        copyProposal(this.proposal, this.sample);
      }
      logSumWeight = logAddExp(logSumWeight, subtreeLogWeight);

      for (let i = 0; i < this.dim; i++) this.rho[i] = backward.rho[i] + forward.rho[i];
      const persists =
        noUTurn(backward.farVelocity, forward.farVelocity, this.rho) &&
        noUTurnExtended(
          backward.farVelocity,
          forward.nearVelocity,
          backward.rho,
          forward.nearMomentum,
        ) &&
        noUTurnExtended(
          backward.nearVelocity,
          forward.farVelocity,
          forward.rho,
          backward.nearMomentum,
        );
      if (!persists) break;
    }

    return {
      sample: this.sample,
      treeDepth: depth,
      numSteps: this.numSteps,
      acceptProb: this.sumAcceptProb / this.numSteps,
      diverging: this.diverging,
      energy: this.sample.potentialEnergy + this.sample.kineticEnergy,
    };
  }

  /**
   * Builds a subtree of 2^depth steps from `this.current` in `direction`, leaving
   * `this.current` at its far end. Writes its proposal, the velocities and momenta at its
   * beginning and end, and adds its summed momentum to `rho`. Returns whether it is valid (no
   * divergence, no U-turn); its log weight is left in `this.subtreeLogWeight`.
   */
  private buildSubtree(
    depth: number,
    proposal: Proposal,
    velocityBegin: Float64Array,
    velocityEnd: Float64Array,
    rho: Float64Array,
    momentumBegin: Float64Array,
    momentumEnd: Float64Array,
    direction: 1 | -1,
  ): boolean {
    if (depth === 0) {
      const valid = this.leapfrogStep(direction);
      // A subtree of one point: its proposal and both of its ends are that point.
      const point = this.current;
      copyProposal(point, proposal);
      const { momentum, velocity } = point;
      for (let i = 0; i < this.dim; i++) {
        velocityBegin[i] = velocity[i];
        velocityEnd[i] = velocity[i];
        momentumBegin[i] = momentum[i];
        momentumEnd[i] = momentum[i];
        rho[i] += momentum[i];
      }
      return valid;
    }

    const level = this.levels[depth];
    const { rhoFirst, rhoSecond, rhoMerged } = level;
    for (let i = 0; i < this.dim; i++) {
      rhoFirst[i] = 0;
      rhoSecond[i] = 0;
    }
    const validFirst = this.buildSubtree(
      depth - 1,
      proposal,
      velocityBegin,
      level.velocityFirstEnd,
      rhoFirst,
      momentumBegin,
      level.momentumFirstEnd,
      direction,
    );
    if (!validFirst) return false;
    const logWeightFirst = this.subtreeLogWeight;

    const validSecond = this.buildSubtree(
      depth - 1,
      level.proposalSecond,
      level.velocitySecondBegin,
      velocityEnd,
      rhoSecond,
      level.momentumSecondBegin,
      momentumEnd,
      direction,
    );
    if (!validSecond) return false;
    const logWeightSecond = this.subtreeLogWeight;

    const logWeightMerged = logAddExp(logWeightFirst, logWeightSecond);
    this.subtreeLogWeight = logWeightMerged;
    if (takeSecondHalf(logWeightSecond, logWeightMerged, this.stream)) {
      copyProposal(level.proposalSecond, proposal);
    }

    for (let i = 0; i < this.dim; i++) {
      rhoMerged[i] = rhoFirst[i] + rhoSecond[i];
      rho[i] += rhoMerged[i];
    }
    return (
      noUTurn(velocityBegin, velocityEnd, rhoMerged) &&
      noUTurnExtended(
        velocityBegin,
        level.velocitySecondBegin,
        rhoFirst,
        level.momentumSecondBegin,
      ) &&
      noUTurnExtended(level.velocityFirstEnd, velocityEnd, rhoSecond, level.momentumFirstEnd)
    );
  }

  /**
   * One leapfrog step of `this.current` in `direction`: counts it, adds its acceptance
   * probability, flags a divergence, and leaves its log weight in `this.subtreeLogWeight`.
   * Returns whether the trajectory is still free of divergences.
   */
  private leapfrogStep(direction: 1 | -1): boolean {
    const point = this.current;
    leapfrog(this.target, this.metric, point, direction * this.stepSize);
    this.numSteps++;
    const energy = hamiltonian(point);
    const logWeight = this.initialEnergy - energy;
    if (!(energy - this.initialEnergy <= this.maxDeltaEnergy)) this.diverging = true;
    this.sumAcceptProb += logWeight > 0 ? 1 : Math.exp(logWeight);
    this.subtreeLogWeight = logWeight;
    return !this.diverging;
  }
}
