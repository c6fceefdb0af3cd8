/**
 * Per-iteration sampler statistics stored column-wise (one typed array per statistic), with
 * Stan's meaning: divergent__, treedepth__, n_leapfrog__, stepsize__, energy__, accept_stat__
 * and lp__ (here the potential energy, lp = -potentialEnergy up to the Jacobian convention of
 * the target).
 */
import type { HmcInfo, HmcState } from "./kernel.js";

/** Sampler statistics, one entry per recorded iteration. */
export interface SamplerStats {
  readonly diverging: Uint8Array;
  readonly treeDepth: Uint8Array;
  readonly numSteps: Uint32Array;
  readonly stepSize: Float64Array;
  readonly energy: Float64Array;
  readonly acceptProb: Float64Array;
  /** U at the draw (= -lp__). */
  readonly potentialEnergy: Float64Array;
}

/** Appends statistics (and optionally draws) row by row into preallocated columns. */
export class StatsRecorder {
  private rows = 0;
  private readonly columns: SamplerStats;
  private readonly draws: Float64Array | undefined;

  constructor(
    private readonly capacity: number,
    private readonly dim: number,
    keepDraws: boolean,
  ) {
    this.columns = {
      diverging: new Uint8Array(capacity),
      treeDepth: new Uint8Array(capacity),
      numSteps: new Uint32Array(capacity),
      stepSize: new Float64Array(capacity),
      energy: new Float64Array(capacity),
      acceptProb: new Float64Array(capacity),
      potentialEnergy: new Float64Array(capacity),
    };
    this.draws = keepDraws ? new Float64Array(capacity * dim) : undefined;
  }

  /** Rows recorded so far. */
  get length(): number {
    return this.rows;
  }

  /** Records one iteration. */
  record(state: HmcState, info: HmcInfo): void {
    if (this.rows >= this.capacity) throw new RangeError("StatsRecorder: capacity exceeded");
    const r = this.rows++;
    const c = this.columns;
    c.diverging[r] = info.diverging ? 1 : 0;
    c.treeDepth[r] = info.treeDepth;
    c.numSteps[r] = info.numSteps;
    c.stepSize[r] = info.stepSize;
    c.energy[r] = info.energy;
    c.acceptProb[r] = info.acceptProb;
    c.potentialEnergy[r] = state.potentialEnergy;
    this.draws?.set(state.position, r * this.dim);
  }

  /** Copies of the recorded rows. */
  stats(): SamplerStats {
    const n = this.rows;
    const c = this.columns;
    return {
      diverging: c.diverging.slice(0, n),
      treeDepth: c.treeDepth.slice(0, n),
      numSteps: c.numSteps.slice(0, n),
      stepSize: c.stepSize.slice(0, n),
      energy: c.energy.slice(0, n),
      acceptProb: c.acceptProb.slice(0, n),
      potentialEnergy: c.potentialEnergy.slice(0, n),
    };
  }

  /** A copy of the recorded draws (row-major, `dim` per row), if kept. */
  recordedDraws(): Float64Array | undefined {
    return this.draws?.slice(0, this.rows * this.dim);
  }
}
