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
import type { GradientTarget } from "../potential-types.js";
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
 * Momenta and velocities at both ends of the forward subtree (the part of the trajectory built
 * forward in time) and of the backward subtree: e.g. `momentumForwardBackward` is the momentum at
 * the backward end of the forward subtree.
 */
interface TrajectoryEnds {
  momentumForwardForward: Float64Array;
  velocityForwardForward: Float64Array;
  momentumForwardBackward: Float64Array;
  velocityForwardBackward: Float64Array;
  momentumBackwardForward: Float64Array;
  velocityBackwardForward: Float64Array;
  momentumBackwardBackward: Float64Array;
  velocityBackwardBackward: Float64Array;
}

function trajectoryEnds(dim: number): TrajectoryEnds {
  return {
    momentumForwardForward: new Float64Array(dim),
    velocityForwardForward: new Float64Array(dim),
    momentumForwardBackward: new Float64Array(dim),
    velocityForwardBackward: new Float64Array(dim),
    momentumBackwardForward: new Float64Array(dim),
    velocityBackwardForward: new Float64Array(dim),
    momentumBackwardBackward: new Float64Array(dim),
    velocityBackwardBackward: new Float64Array(dim),
  };
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
  private readonly current: PhasePoint;
  private readonly forwardEnd: PhasePoint;
  private readonly backwardEnd: PhasePoint;
  private readonly sample: Proposal;
  private readonly proposal: Proposal;
  private readonly ends: TrajectoryEnds;
  private readonly rho: Float64Array;
  private readonly rhoForward: Float64Array;
  private readonly rhoBackward: Float64Array;

  // Per-trajectory state shared by the recursion.
  private metric!: Metric;
  private stepSize = 0;
  private maxDeltaEnergy = 1000;
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
    this.current = createPhasePoint(dim);
    this.forwardEnd = createPhasePoint(dim);
    this.backwardEnd = createPhasePoint(dim);
    this.sample = createProposal(dim);
    this.proposal = createProposal(dim);
    this.ends = trajectoryEnds(dim);
    this.rho = new Float64Array(dim);
    this.rhoForward = new Float64Array(dim);
    this.rhoBackward = new Float64Array(dim);
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

    const e = this.ends;
    copyPhasePoint(start, this.forwardEnd);
    copyPhasePoint(start, this.backwardEnd);
    copyProposal(start, this.sample);
    for (let i = 0; i < this.dim; i++) {
      const p = start.momentum[i];
      const v = start.velocity[i];
      e.momentumForwardForward[i] = p;
      e.momentumForwardBackward[i] = p;
      e.momentumBackwardForward[i] = p;
      e.momentumBackwardBackward[i] = p;
      e.velocityForwardForward[i] = v;
      e.velocityForwardBackward[i] = v;
      e.velocityBackwardForward[i] = v;
      e.velocityBackwardBackward[i] = v;
    }
    this.rho.set(start.momentum);
    let logSumWeight = 0; // the start's weight exp(H0 - H0)
    let depth = 0;

    while (depth < this.maxTreeDepth) {
      this.rhoForward.fill(0);
      this.rhoBackward.fill(0);
      let valid: boolean;
      if (stream.next() > 0.5) {
        // Extend forward: the whole trajectory so far becomes the backward subtree.
        copyPhasePoint(this.forwardEnd, this.current);
        this.rhoBackward.set(this.rho);
        e.momentumBackwardForward.set(e.momentumForwardForward);
        e.velocityBackwardForward.set(e.velocityForwardForward);
        valid = this.buildSubtree(
          depth,
          this.proposal,
          e.velocityForwardBackward,
          e.velocityForwardForward,
          this.rhoForward,
          e.momentumForwardBackward,
          e.momentumForwardForward,
          1,
        );
        copyPhasePoint(this.current, this.forwardEnd);
      } else {
        // Extend backward: the whole trajectory so far becomes the forward subtree.
        copyPhasePoint(this.backwardEnd, this.current);
        this.rhoForward.set(this.rho);
        e.momentumForwardBackward.set(e.momentumBackwardBackward);
        e.velocityForwardBackward.set(e.velocityBackwardBackward);
        valid = this.buildSubtree(
          depth,
          this.proposal,
          e.velocityBackwardForward,
          e.velocityBackwardBackward,
          this.rhoBackward,
          e.momentumBackwardForward,
          e.momentumBackwardBackward,
          -1,
        );
        copyPhasePoint(this.current, this.backwardEnd);
      }
      if (!valid) break;

      depth++;
      const subtreeLogWeight = this.subtreeLogWeight;
      if (takeNewSubtree(subtreeLogWeight, logSumWeight, stream)) {
        copyProposal(this.proposal, this.sample);
      }
      logSumWeight = logAddExp(logSumWeight, subtreeLogWeight);

      for (let i = 0; i < this.dim; i++) this.rho[i] = this.rhoBackward[i] + this.rhoForward[i];
      const persists =
        noUTurn(e.velocityBackwardBackward, e.velocityForwardForward, this.rho) &&
        noUTurnExtended(
          e.velocityBackwardBackward,
          e.velocityForwardBackward,
          this.rhoBackward,
          e.momentumForwardBackward,
        ) &&
        noUTurnExtended(
          e.velocityBackwardForward,
          e.velocityForwardForward,
          this.rhoForward,
          e.momentumBackwardForward,
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
    if (depth === 0)
      return this.leaf(
        proposal,
        velocityBegin,
        velocityEnd,
        rho,
        momentumBegin,
        momentumEnd,
        direction,
      );

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

  /** One leapfrog step: a subtree of depth 0. */
  private leaf(
    proposal: Proposal,
    velocityBegin: Float64Array,
    velocityEnd: Float64Array,
    rho: Float64Array,
    momentumBegin: Float64Array,
    momentumEnd: Float64Array,
    direction: 1 | -1,
  ): boolean {
    const point = this.current;
    leapfrog(this.target, this.metric, point, direction * this.stepSize);
    this.numSteps++;
    const energy = hamiltonian(point);
    const logWeight = this.initialEnergy - energy;
    if (!(energy - this.initialEnergy <= this.maxDeltaEnergy)) this.diverging = true;
    this.sumAcceptProb += logWeight > 0 ? 1 : Math.exp(logWeight);
    this.subtreeLogWeight = logWeight;
    copyProposal(point, proposal);
    const { momentum, velocity } = point;
    for (let i = 0; i < this.dim; i++) {
      velocityBegin[i] = velocity[i];
      velocityEnd[i] = velocity[i];
      momentumBegin[i] = momentum[i];
      momentumEnd[i] = momentum[i];
      rho[i] += momentum[i];
    }
    return !this.diverging;
  }
}
