/**
 * `MCMC`: runs a sampler (NUTS, HMC) on a model for several chains and collects the draws,
 * sampler statistics and diagnostics. Orchestration is an Effect (typed errors, interruption);
 * `run` is its Promise facade, and an AbortSignal stops a run while keeping every draw made.
 */
import { Effect, Schema } from "effect";
import { withoutTensorValidation } from "../../dist/validation.js";
import { seed } from "../../handlers/seed.js";
import { trace } from "../../handlers/trace.js";
import type { McmcRun } from "../../io/samples.js";
import { foldIn, type Key, split, toKey } from "../../primitives/prng.js";
import { type McmcProgressBar, mcmcProgressBar } from "../../progress/mcmc-progress.js";
import { tidyValue } from "../../tf.js";
import { decodeOptions, integerAtLeast } from "../../util/options.js";
import { formatSummary, type SummaryRow, summary } from "../diagnostics/index.js";
import { type Draws, stackDraws } from "../draws.js";
import type { ChainOptions } from "../nuts/chain-options.js";
import {
  type ChainProgress,
  type ChainResult,
  type ChainRun,
  continuationOptions,
  type SamplerStats,
  startChain,
} from "../nuts/index.js";
import { yieldToEventLoop } from "../nuts/runner.js";
import { type Potential, potential } from "../potential.js";
import { Predictive } from "../predictive.js";
import { type DiscreteStrategy, discreteStrategy } from "./discrete-strategy.js";
import { gibbsChain, gibbsPlan } from "./gibbs.js";
import { describePoint, initialPosition } from "./init-strategies.js";
import type { SamplerKernel } from "./kernels.js";
import { chainsInWorkers, type WorkerChain } from "./parallel-chains.js";

/** A progress report of one chain. */
export interface McmcProgress extends ChainProgress {
  readonly chain: number;
  readonly numChains: number;
}

/** Options of `MCMC`. */
export interface McmcOptions {
  numWarmup: number;
  numSamples: number;
  /** Number of chains (default 1). */
  numChains?: number;
  /** Keep every `thinning`-th draw (default 1). */
  thinning?: number;
  /**
   * "sequential" runs chains one after another; "parallel" runs them in Node worker threads
   * when the potential is compiled, and sequentially (with a warning) outside Node
   * (default "sequential").
   */
  chainMethod?: "sequential" | "parallel";
  /** Called after every iteration of every chain. */
  onProgress?: (progress: McmcProgress) => void;
  /** Show a progress bar per chain on a terminal (default true; silent off a TTY and under CI). */
  progressBar?: boolean;
  /** Stops the run between iterations; every draw made so far is kept. */
  signal?: AbortSignal;
  /**
   * Modules (URLs or paths) that worker threads import before running a chain, so that the
   * custom ops a compiled potential calls are defined there (chainMethod "parallel").
   */
  workerImports?: string[];
}

const McmcOptionsSchema = Schema.Struct({
  numWarmup: integerAtLeast(0),
  numSamples: integerAtLeast(1),
  numChains: Schema.optional(integerAtLeast(1)),
  thinning: Schema.optional(integerAtLeast(1)),
  chainMethod: Schema.optional(Schema.Literal("sequential", "parallel")),
  onProgress: Schema.optional(Schema.Any),
  progressBar: Schema.optional(Schema.Boolean),
  signal: Schema.optional(Schema.Any),
  workerImports: Schema.optional(Schema.Array(Schema.String)),
});

/** A chain's state after a run: enough to continue it without new warmup. */
export interface ChainState {
  readonly position: Float64Array;
  readonly stepSize: number;
  readonly inverseMassMatrix: Float64Array;
  readonly denseMass: boolean;
}

/** What one `run` produced. */
interface RunRecord {
  readonly potential: Potential;
  readonly chains: ChainResult[];
  readonly deterministic: Record<string, Draws>;
  /**
   * Constrained latent draws, Gibbs sites included, computed on first use (a pass over the
   * draws; see latentDraws).
   */
  readonly latent: () => Record<string, Draws>;
  readonly warmupSeconds: number[];
  readonly samplingSeconds: number[];
  readonly aborted: boolean;
}

const EXTRA_FIELDS = [
  "diverging",
  "treeDepth",
  "numSteps",
  "stepSize",
  "energy",
  "acceptProb",
  "potentialEnergy",
] as const;

/**
 * Markov chain Monte Carlo over a model.
 *
 * @example
 * const mcmc = new MCMC(new NUTS(eightSchools), { numWarmup: 1000, numSamples: 1000, numChains: 4 });
 * await mcmc.run(PRNGKey(0), sigma, y);
 * mcmc.printSummary();
 * const { mu, theta } = mcmc.getSamples();
 */
export class MCMC<A extends unknown[]> {
  readonly options: Required<
    Pick<
      McmcOptions,
      | "numWarmup"
      | "numSamples"
      | "numChains"
      | "thinning"
      | "chainMethod"
      | "progressBar"
      | "workerImports"
    >
  > &
    Pick<McmcOptions, "onProgress" | "signal">;
  /**
   * Set to continue from these states without a new warmup on the next `run` (NumPyro's
   * `post_warmup_state`); `lastState` after a run is the natural value.
   */
  postWarmupState: ChainState[] | undefined;
  private record: RunRecord | undefined;

  constructor(
    readonly sampler: SamplerKernel<A>,
    options: McmcOptions,
  ) {
    const decoded = decodeOptions("MCMC", McmcOptionsSchema, options);
    this.options = {
      numChains: 1,
      thinning: 1,
      chainMethod: "sequential",
      progressBar: true,
      ...decoded,
      workerImports: [...(decoded.workerImports ?? [])],
      onProgress: options.onProgress,
      signal: options.signal,
    };
  }

  /**
   * Runs the chains. Resolves when done or aborted (draws so far are kept); rejects with a
   * typed error when the model cannot be initialized or evaluated.
   */
  run(key: Key | number, ...args: A): Promise<void> {
    return Effect.runPromise(this.runEffect(key, ...args));
  }

  /** The run as an Effect; interrupting it keeps every draw made so far. */
  runEffect(key: Key | number, ...args: A): Effect.Effect<void, Error> {
    return Effect.suspend(() => {
      const rootKey = toKey(key, "MCMC.run");
      // The one choice point for discrete sites: summed out, or Gibbs updates.
      const strategy = discreteStrategy(this.sampler, args);
      const gibbs = strategy.gibbs;
      const plan =
        gibbs === undefined
          ? undefined
          : gibbsPlan(this.sampler.model, args, gibbs, foldIn(rootKey, 0x67));
      const target = potential(strategy.model, args, {
        engine: this.sampler.options.engine,
        fixed: plan?.initial,
      });
      // Per chain, the Gibbs sites' values at each kept draw.
      const gibbsDraws: Array<Array<Record<string, Draws>>> = [];
      const { numChains } = this.options;
      const chainKeys = split(rootKey, numChains);
      const chains: ChainResult[] = [];
      const warmupSeconds: number[] = [];
      const samplingSeconds: number[] = [];
      const continuing = this.postWarmupState;
      if (continuing !== undefined && continuing.length !== numChains) {
        return Effect.fail(
          new Error(
            `MCMC.run: postWarmupState has ${continuing.length} chains, but numChains is ${numChains}`,
          ),
        );
      }
      const bar = mcmcProgressBar({
        chains: numChains,
        total: (continuing ? 0 : this.options.numWarmup) + this.options.numSamples,
        // Undefined lets the bar decide (a terminal, not CI); false turns it off.
        enabled: this.options.progressBar ? undefined : false,
      });
      const finish = (aborted: boolean) =>
        Effect.sync(() => {
          bar.stop();
          let latent: Record<string, Draws> | undefined;
          // Gibbs sites' draws (compound steps) join the continuous ones.
          const latentOnce = () =>
            (latent ??= { ...this.latentDraws(target, chains), ...stackGibbsDraws(gibbsDraws) });
          this.record = {
            potential: target,
            chains,
            deterministic:
              aborted && chains.length === 0
                ? {}
                : this.deterministicDraws(chains, args, latentOnce, strategy),
            latent: latentOnce,
            warmupSeconds,
            samplingSeconds,
            aborted,
          };
          this.postWarmupState = undefined;
        });
      // The chain in progress (or, in parallel, each worker's chain), so that an interruption
      // can keep its draws.
      const current: { run?: ChainRun } = {};
      const holders: Array<{ chain?: WorkerChain }> = [];
      const sequential = Effect.gen(this, function* () {
        for (let c = 0; c < numChains; c++) {
          const options = this.chainOptions(target, args, chainKeys[c], continuing?.[c]);
          const timing = { warmup: 0, sampling: 0 };
          gibbsDraws[c] = [];
          const compound =
            plan === undefined || gibbs === undefined
              ? undefined
              : { step: gibbsChain(plan, gibbs, target), kept: gibbsDraws[c] };
          const result = yield* this.chainEffect(
            compound,
            target,
            options,
            chainKeys[c],
            c,
            timing,
            current,
            bar,
          );
          current.run = undefined;
          chains.push(result);
          warmupSeconds.push(timing.warmup);
          samplingSeconds.push(timing.sampling);
          if (result.aborted) return true;
        }
        return false;
      });
      const parallel = Effect.gen(this, function* () {
        const { onProgress, signal } = this.options;
        const specs = chainKeys.map((chainKey, c) => {
          const { init, ...rest } = this.chainOptions(target, args, chainKey, continuing?.[c]);
          return {
            // Functions do not cross threads: the worker reports the failing point instead.
            options: { ...rest, init: { radius: init?.radius, maxAttempts: init?.maxAttempts } },
            key: chainKey,
            onProgress: (p: ChainProgress) => {
              bar.update(c, p);
              onProgress?.({ ...p, chain: c, numChains });
            },
          };
        });
        const results = yield* chainsInWorkers(
          target,
          specs,
          this.options.workerImports,
          signal,
          holders,
        );
        for (const r of results) {
          chains.push(r.result);
          warmupSeconds.push(r.warmupSeconds);
          samplingSeconds.push(r.samplingSeconds);
        }
        return results.some((r) => r.result.aborted) || results.length < numChains;
      });
      const runChains = this.parallelPlan(target, plan !== undefined)
        ? parallel.pipe(Effect.catchAll((e) => this.fallBack(e, sequential)))
        : sequential;
      return runChains.pipe(
        Effect.flatMap((aborted) => finish(aborted)),
        Effect.onInterrupt(() =>
          Effect.suspend(() => {
            if (current.run !== undefined) chains.push(current.run.result());
            for (const h of holders) {
              if (h.chain === undefined) continue;
              chains.push(h.chain.result);
              warmupSeconds.push(h.chain.warmupSeconds);
              samplingSeconds.push(h.chain.samplingSeconds);
            }
            return finish(true);
          }),
        ),
      );
    });
  }

  // Whether chains can run in worker threads: they need the compiled potential's artifact.
  private parallelPlan(target: Potential, compound: boolean): boolean {
    if (this.options.chainMethod !== "parallel" || this.options.numChains === 1) return false;
    if (typeof process === "undefined" || process.versions?.node === undefined) {
      console.warn(
        'MCMC: chainMethod "parallel" runs chains in Node worker threads; outside Node (a browser) chains run sequentially. Run the whole sampler in a Web Worker to keep a page responsive',
      );
      return false;
    }
    if (compound) {
      console.warn("MCMC: compound (Gibbs) steps run in this thread; chains run sequentially");
      return false;
    }
    if (target.artifact === undefined) {
      console.warn(
        'MCMC: chainMethod "parallel" needs the compiled engine (worker threads receive the compiled potential); this model runs on the eager engine, so chains run sequentially',
      );
      return false;
    }
    return true;
  }

  // A worker that cannot rebuild the potential (a custom op defined in a module it did not
  // import) makes the run fall back to sequential chains, with a warning saying how to fix it.
  private fallBack(
    error: Error,
    sequential: Effect.Effect<boolean, Error>,
  ): Effect.Effect<boolean, Error> {
    if (!/custom op/.test(error.message)) return Effect.fail(error);
    console.warn(
      `MCMC: running chains sequentially: a worker could not rebuild the compiled potential (${error.message}); pass the module that defines the op in the workerImports option`,
    );
    return sequential;
  }

  private chainOptions(
    target: Potential,
    args: A,
    key: Key,
    continueFrom: ChainState | undefined,
  ): ChainOptions {
    const o = this.sampler.options;
    const base: ChainOptions = {
      numWarmup: this.options.numWarmup,
      numSamples: this.options.numSamples,
      thinning: this.options.thinning,
      kernel: this.sampler.kind,
      trajectoryLength: o.trajectoryLength,
      targetAcceptProb: o.targetAcceptProb,
      maxTreeDepth: o.maxTreeDepth,
      denseMass: o.denseMass,
      stepSize: o.stepSize,
      adaptStepSize: o.adaptStepSize,
      adaptMassMatrix: o.adaptMassMatrix,
      init: {
        radius: o.initStrategy.kind === "uniform" ? o.initStrategy.radius : undefined,
        describeFailure: (q) => describePoint(target, q),
      },
    };
    const defined = Object.fromEntries(
      Object.entries(base).filter(([, v]) => v !== undefined),
    ) as ChainOptions;
    if (continueFrom !== undefined) {
      return {
        ...defined,
        numWarmup: 0,
        initialPosition: continueFrom.position,
        stepSize: continueFrom.stepSize,
        inverseMassMatrix: continueFrom.inverseMassMatrix,
        denseMass: continueFrom.denseMass,
      };
    }
    const start = initialPosition(o.initStrategy, this.sampler.model, args, target, key);
    return start === undefined ? defined : { ...defined, initialPosition: start };
  }

  // One chain, stepped inside an Effect that yields to the scheduler (and the event loop)
  // about every 50 ms, so that interruption and AbortSignals take effect between iterations.
  private chainEffect(
    compound:
      | { step: ReturnType<typeof gibbsChain>; kept: Array<Record<string, Draws>> }
      | undefined,
    target: Potential,
    options: ChainOptions,
    key: Key,
    chain: number,
    timing: { warmup: number; sampling: number },
    current: { run?: ChainRun },
    bar: McmcProgressBar,
  ) {
    const { onProgress, signal, numChains } = this.options;
    return Effect.gen(function* () {
      let phaseStart = performance.now();
      let phase: "warmup" | "sampling" = options.numWarmup > 0 ? "warmup" : "sampling";
      const thinning = options.thinning ?? 1;
      const run = startChain(target, options, key, {
        signal,
        beforeTransition: compound?.step.update,
        onProgress: (p) => {
          const i = p.iteration - 1;
          if (
            compound !== undefined &&
            i >= options.numWarmup &&
            (i - options.numWarmup) % thinning === 0
          ) {
            compound.kept.push(compound.step.current());
          }
          if (p.phase !== phase) {
            timing.warmup = (performance.now() - phaseStart) / 1000;
            phaseStart = performance.now();
            phase = p.phase;
          }
          bar.update(chain, p);
          onProgress?.({ ...p, chain, numChains });
        },
      });
      current.run = run;
      let lastYield = performance.now();
      while (!run.done && !signal?.aborted) {
        run.step();
        if (performance.now() - lastYield > 50) {
          yield* Effect.promise(yieldToEventLoop);
          lastYield = performance.now();
        }
      }
      const elapsed = (performance.now() - phaseStart) / 1000;
      if (phase === "warmup") timing.warmup = elapsed;
      else timing.sampling = elapsed;
      return run.result();
    });
  }

  // Deterministic sites per draw, computed by running the model on the latent draws.
  private deterministicDraws(
    chains: ChainResult[],
    args: A,
    latent: () => Record<string, Draws>,
    strategy: DiscreteStrategy<A>,
  ): Record<string, Draws> {
    const total = chains.reduce((n, c) => n + c.numDraws, 0);
    if (total === 0) return {};
    const names = deterministicNames(this.sampler.model, args);
    if (names.length === 0) return {};
    // Summed-out discrete sites are drawn from their posterior given each draw.
    const options = {
      posteriorSamples: latent(),
      returnSites: names,
      inferDiscrete: strategy.enumerated,
    };
    // These runs are eager float32: a model finite only in float64 gives NaN parameters here,
    // which must not throw away the draws (parameters are not read back to validate them).
    return withoutTensorValidation(() => {
      try {
        return new Predictive(strategy.model, options).run(0, ...args);
      } catch {
        // Models that do not vectorize over draws: one run per draw.
        return new Predictive(strategy.model, { ...options, parallel: false }).run(0, ...args);
      }
    });
  }

  // Constrained values of every draw: runs the model once per draw when a support depends on
  // other parameters, so it is done once per run (RunRecord.latent).
  private latentDraws(target: Potential, chains: ChainResult[]): Record<string, Draws> {
    const total = chains.reduce((n, c) => n + c.numDraws, 0);
    const qs = new Float64Array(total * target.dim);
    let offset = 0;
    for (const c of chains) {
      qs.set(c.draws.subarray(0, c.numDraws * target.dim), offset);
      offset += c.numDraws * target.dim;
    }
    return target.unravelBatch(qs, total);
  }

  private requireRecord(api: string): RunRecord {
    if (this.record === undefined) throw new Error(`MCMC.${api}: call run() first`);
    return this.record;
  }

  /**
   * Posterior draws of every latent and deterministic site, constrained. The leading
   * dimension is the draws, or [chain, draw] with `groupByChain` (chains of equal length).
   */
  getSamples(options: { groupByChain?: boolean } = {}): Record<string, Draws> {
    const record = this.requireRecord("getSamples");
    const pooled = {
      ...record.latent(),
      ...record.deterministic,
    };
    return options.groupByChain ? groupByChain(pooled, record.chains) : pooled;
  }

  /**
   * Sampler statistics per draw: diverging, treeDepth, numSteps, stepSize, energy,
   * acceptProb and potentialEnergy (= -lp).
   */
  getExtraFields(options: { groupByChain?: boolean } = {}): Record<string, Draws> {
    const record = this.requireRecord("getExtraFields");
    const out: Record<string, Draws> = {};
    for (const field of EXTRA_FIELDS) {
      const parts = record.chains.map((c) =>
        Float64Array.from((c.stats as SamplerStats)[field].subarray(0, c.numDraws)),
      );
      const data = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
      let offset = 0;
      for (const p of parts) {
        data.set(p, offset);
        offset += p.length;
      }
      out[field] = { shape: [data.length], data };
    }
    return options.groupByChain ? groupByChain(out, record.chains) : out;
  }

  /** The chains' states after the run (assign to `postWarmupState` to continue). */
  get lastState(): ChainState[] {
    return this.requireRecord("lastState").chains.map((c) => {
      const o = continuationOptions(c);
      return {
        position: o.initialPosition,
        stepSize: o.stepSize,
        inverseMassMatrix: o.inverseMassMatrix,
        denseMass: o.denseMass,
      };
    });
  }

  /** Post-warmup divergent transitions, over all chains. */
  get numDivergences(): number {
    return this.requireRecord("numDivergences").chains.reduce((n, c) => n + c.numDivergences, 0);
  }

  /** Whether the last run was stopped early. */
  get aborted(): boolean {
    return this.requireRecord("aborted").aborted;
  }

  /** Seconds spent in warmup and sampling, per chain. */
  get timings(): { warmupSeconds: number[]; samplingSeconds: number[] } {
    const r = this.requireRecord("timings");
    return { warmupSeconds: r.warmupSeconds, samplingSeconds: r.samplingSeconds };
  }

  /** The potential the last run sampled (its engine, layout, ...). */
  get potential(): Potential {
    return this.requireRecord("potential").potential;
  }

  /** Diagnostics per scalar: mean, sd, median, 5%, 95%, bulk and tail ESS, R-hat. */
  summary(): Record<string, SummaryRow> {
    return summary(this.getSamples({ groupByChain: true }));
  }

  /**
   * The run in the form the exporters take (CmdStan CSV, JSON, plots): samples and sampler
   * statistics grouped by chain, and the run's settings, adaptation and timings.
   *
   * @example
   * await toCmdStanCSV(mcmc.toMcmcRun(), "out/eight_schools.csv");
   */
  toMcmcRun(): McmcRun {
    const record = this.requireRecord("toMcmcRun");
    const fields = this.getExtraFields({ groupByChain: true });
    const { potentialEnergy, ...stats } = fields;
    const lp = { shape: potentialEnergy.shape, data: potentialEnergy.data.map((u) => -u) };
    const state = this.lastState;
    const o = this.sampler.options;
    return {
      samples: this.getSamples({ groupByChain: true }),
      extra: { lp, ...stats },
      metadata: {
        numWarmup: this.options.numWarmup,
        numSamples: this.options.numSamples,
        numChains: record.chains.length,
        thinning: this.options.thinning,
        model: this.sampler.model.name || undefined,
        algorithm: this.sampler.kind === "nuts" ? "NUTS" : "HMC",
        maxTreeDepth: this.sampler.kind === "nuts" ? (o.maxTreeDepth ?? 10) : undefined,
        targetAcceptProb: o.targetAcceptProb ?? 0.8,
        metric: o.denseMass ? "dense_e" : "diag_e",
        stepSize: state.map((s) => s.stepSize),
        inverseMetric: state.map((s) => Array.from(s.inverseMassMatrix)),
        warmupSeconds: record.warmupSeconds,
        samplingSeconds: record.samplingSeconds,
      },
    };
  }

  /** Prints the summary table and the number of divergences. */
  printSummary(): void {
    console.log(formatSummary(this.summary(), { numDivergences: this.numDivergences }));
  }
}

function groupByChain(pooled: Record<string, Draws>, chains: ChainResult[]): Record<string, Draws> {
  const counts = chains.map((c) => c.numDraws);
  if (counts.some((n) => n !== counts[0])) {
    throw new Error(
      `MCMC: chains have different numbers of draws (${counts.join(", ")}); use groupByChain: false`,
    );
  }
  const out: Record<string, Draws> = {};
  for (const [name, d] of Object.entries(pooled))
    out[name] = { shape: [chains.length, counts[0] ?? 0, ...d.shape.slice(1)], data: d.data };
  return out;
}

function deterministicNames<A extends unknown[]>(
  model: SamplerKernel<A>["model"],
  args: A,
): string[] {
  return tidyValue(() =>
    [...withoutTensorValidation(() => trace(seed(model, 0)).getTrace(...args)).values()]
      .filter((s) => s.type === "deterministic")
      .map((s) => s.name),
  );
}

// Per-chain lists of per-draw Gibbs values as Draws pooled over chains, leading dim the draws.
function stackGibbsDraws(perChain: Array<Array<Record<string, Draws>>>): Record<string, Draws> {
  const all = perChain.flat();
  return all.length === 0 ? {} : stackDraws(all.length, (i) => all[i]);
}
