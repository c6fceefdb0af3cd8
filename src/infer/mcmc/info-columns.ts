/**
 * Per-iteration sampler statistics stored column-wise, one typed array per `info` field of
 * the kernel (booleans as 0/1 bytes), plus `potentialEnergy` (U at the draw, = -lp__), which
 * every kernel state has. Draws can be kept alongside, row-major.
 */
import type { InfoFields, InfoFieldType, KernelState } from "./sampling-algorithm.js";

/** One statistic per recorded iteration. */
export type InfoColumn = Float64Array | Uint8Array | Uint32Array;

/** Statistics by name, each one entry per recorded iteration; `potentialEnergy` always. */
export type InfoColumns = Readonly<Record<string, InfoColumn>> & {
  readonly potentialEnergy: Float64Array;
};

function column(type: InfoFieldType, capacity: number): InfoColumn {
  switch (type) {
    case "bool":
    case "uint8":
      return new Uint8Array(capacity);
    case "uint32":
      return new Uint32Array(capacity);
    case "float64":
      return new Float64Array(capacity);
  }
}

/** Appends statistics (and optionally draws) row by row into preallocated columns. */
export class InfoRecorder<I> {
  private rows = 0;
  private readonly names: readonly (keyof I & string)[];
  private readonly columns: Record<string, InfoColumn>;
  /** The columns in the order of `names`. */
  private readonly columnList: InfoColumn[];
  private readonly potentialEnergy: Float64Array;
  private readonly draws: Float64Array | undefined;

  constructor(
    fields: InfoFields<I>,
    capacity: number,
    private readonly dim: number,
    keepDraws: boolean,
  ) {
    this.names = Object.keys(fields) as (keyof I & string)[];
    this.columns = {};
    for (const name of this.names) this.columns[name] = column(fields[name], capacity);
    this.columnList = this.names.map((name) => this.columns[name]);
    this.potentialEnergy = new Float64Array(capacity);
    this.draws = keepDraws ? new Float64Array(capacity * dim) : undefined;
  }

  /** Rows recorded so far. */
  get length(): number {
    return this.rows;
  }

  /** Records one iteration. */
  record(state: KernelState, info: I): void {
    const r = this.rows++;
    const names = this.names;
    const columnList = this.columnList;
    for (let k = 0; k < names.length; k++) {
      const value = info[names[k]] as unknown;
      columnList[k][r] = typeof value === "boolean" ? (value ? 1 : 0) : (value as number);
    }
    this.potentialEnergy[r] = state.potentialEnergy;
    const draws = this.draws;
    if (draws !== undefined) {
      // A plain loop: for the small dimensions common here it beats TypedArray.prototype.set.
      const { position } = state;
      const offset = r * this.dim;
      for (let i = 0; i < this.dim; i++) draws[offset + i] = position[i];
    }
  }

  /** Copies of the recorded rows. */
  stats(): InfoColumns {
    const n = this.rows;
    const out: Record<string, InfoColumn> = {};
    for (const name of this.names) out[name] = this.columns[name].slice(0, n);
    return { ...out, potentialEnergy: this.potentialEnergy.slice(0, n) };
  }

  /** A copy of the recorded draws (row-major, `dim` per row), if kept. */
  recordedDraws(): Float64Array | undefined {
    return this.draws?.slice(0, this.rows * this.dim);
  }
}
