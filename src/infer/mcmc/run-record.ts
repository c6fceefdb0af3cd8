/**
 * What one MCMC run produced, and its views: draws constrained and pooled over chains or
 * grouped by chain, the sampler statistics, the chains' last states. Chains stopped by an
 * abort can differ in length; views grouped by chain then cut every chain with draws to the
 * shortest, and say so once.
 */

import { siteRecord } from "../../util/records.js";
import { type Draws, stackDraws } from "../draws.js";
import type { Potential } from "../potential.js";
import type { ChainResult } from "./chain.js";

/**
 * A chain's state after a run: its last position and the parameters sampling used (for NUTS
 * and HMC: stepSize, inverseMassMatrix, denseMass), enough to continue it without new warmup.
 * `warmupComplete` is false for a chain stopped during warmup, whose parameters are not
 * adapted: `MCMC.run` refuses to continue from it.
 */
export type ChainState<P = unknown> = P & {
  readonly position: Float64Array;
  readonly warmupComplete?: boolean;
};

/** The chains of a run and its draws, computed when first asked for. */
export class RunRecord {
  private latentDraws: Record<string, Draws> | undefined;
  private deterministicDraws: Record<string, Draws> | undefined;
  private warned = false;

  /**
   * @param gibbsDraws per chain, the Gibbs sites' values at each kept draw (compound steps)
   * @param deterministicOf the deterministic sites given the latent draws (a run of the model)
   */
  constructor(
    readonly potential: Potential,
    readonly chains: readonly ChainResult[],
    readonly aborted: boolean,
    private readonly gibbsDraws: ReadonlyArray<ReadonlyArray<Record<string, Draws>>>,
    private readonly deterministicOf: (latent: Record<string, Draws>) => Record<string, Draws>,
  ) {}

  /** Kept draws over all chains. */
  get numDraws(): number {
    return this.chains.reduce((n, c) => n + c.numDraws, 0);
  }

  /**
   * Constrained latent draws, Gibbs sites included, pooled over chains. Runs the model once
   * per draw when a support depends on other parameters, so it is done once.
   */
  latent(): Record<string, Draws> {
    if (this.latentDraws !== undefined) return this.latentDraws;
    const { potential, chains } = this;
    const qs = new Float64Array(this.numDraws * potential.dim);
    let offset = 0;
    for (const c of chains) {
      qs.set(c.draws.subarray(0, c.numDraws * potential.dim), offset);
      offset += c.numDraws * potential.dim;
    }
    const gibbs = this.gibbsDraws.flat();
    this.latentDraws = {
      ...potential.unravelBatch(qs, this.numDraws),
      ...(gibbs.length === 0 ? {} : stackDraws(gibbs.length, (i) => gibbs[i])),
    };
    return this.latentDraws;
  }

  /** Deterministic sites per draw, pooled over chains. */
  deterministic(): Record<string, Draws> {
    if (this.numDraws === 0) return {};
    this.deterministicDraws ??= this.deterministicOf(this.latent());
    return this.deterministicDraws;
  }

  /** Sampler statistics per draw (each `info` field and potentialEnergy), pooled over chains. */
  statistics(): Record<string, Draws> {
    const out: Record<string, Draws> = {};
    for (const field of Object.keys(this.chains[0]?.stats ?? {})) {
      const data = new Float64Array(this.numDraws);
      let offset = 0;
      for (const c of this.chains) {
        data.set(c.stats[field].subarray(0, c.numDraws), offset);
        offset += c.numDraws;
      }
      out[field] = { shape: [data.length], data };
    }
    return out;
  }

  /**
   * The chains that views grouped by chain show (those with draws) and how many draws of each
   * (the fewest), said once when chains differ in length.
   */
  shownChains(): { shown: ChainResult[]; numDraws: number } {
    const counts = this.chains.map((c) => c.numDraws);
    const shown = this.chains.filter((c) => c.numDraws > 0);
    const numDraws = shown.length === 0 ? 0 : Math.min(...shown.map((c) => c.numDraws));
    if (counts.some((n) => n !== counts[0]) && !this.warned) {
      this.warned = true;
      console.warn(
        `MCMC: the run was stopped early and its chains have different numbers of draws (${counts.join(", ")}); views grouped by chain (summary, printSummary, toMcmcRun, getSamples({ groupByChain: true })) use the first ${numDraws} draws of each chain${shown.length < counts.length ? ", leaving out chains with none" : ""}`,
      );
    }
    return { shown, numDraws };
  }

  /** Pooled draws (chain after chain) as [chain, draw, ...], cut as `shownChains` says. */
  groupByChain(pooled: Record<string, Draws>): Record<string, Draws> {
    const { shown, numDraws } = this.shownChains();
    const out = siteRecord<Draws>();
    for (const [name, d] of Object.entries(pooled)) {
      const size = this.numDraws === 0 ? 0 : d.data.length / this.numDraws;
      const data = new Float64Array(shown.length * numDraws * size);
      let from = 0;
      let to = 0;
      for (const c of this.chains) {
        if (c.numDraws > 0) {
          data.set(d.data.subarray(from, from + numDraws * size), to);
          to += numDraws * size;
        }
        from += c.numDraws * size;
      }
      out[name] = { shape: [shown.length, numDraws, ...d.shape.slice(1)], data };
    }
    return out;
  }

  /** Each chain's last position and parameters. */
  lastStates<P>(): ChainState<P>[] {
    return this.chains.map(
      (c) =>
        ({
          ...(c.adapted as P),
          position: Float64Array.from(c.lastState.position),
          warmupComplete: c.warmup.complete,
        }) as ChainState<P>,
    );
  }
}
