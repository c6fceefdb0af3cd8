/**
 * `MCMC`: runs a sampler (NUTS, HMC, any `McmcSampler`) on a model for several chains and
 * collects the draws, sampler statistics and diagnostics. Options are decoded once, here; the
 * chains run through the generic chain loop (chain.ts), in this thread or in worker threads.
 * A run is an Effect (typed errors, interruption); `run` is its Promise facade, which rejects
 * with the tagged error classes themselves, and an AbortSignal or an interruption stops a run
 * while keeping every draw made.
 */
import { Effect, Schema } from "effect";
import { withoutTensorValidation } from "../../dist/validation.js";
import { ArgumentError, ModelError, RunInProgressError, runToPromise } from "../../errors.js";
import { foldIn, type Key, split, toKey } from "../../primitives/prng.js";
import { type McmcProgressBar, mcmcProgressBar } from "../../progress/mcmc-progress.js";
import { decodeOptions, integerAtLeast } from "../../util/options.js";
import { siteRecord } from "../../util/records.js";
import { formatSummary, type SummaryRow, summary } from "../diagnostics/index.js";
import type { Draws } from "../draws.js";
import type { McmcRun } from "../mcmc-run.js";
import { discoverModel, type Potential, potential } from "../potential.js";
import { Predictive } from "../predictive.js";
import {
  type ChainPlan,
  type ChainProgress,
  type ChainResult,
  ChainRun,
  driveChain,
} from "./chain.js";
import { mcmcDefaults } from "./defaults.js";
import { type DiscreteStrategy, discreteStrategy } from "./discrete-strategy.js";
import { type GibbsPlan, type GibbsSpec, gibbsChain, gibbsPlan, withGibbsUpdate } from "./gibbs.js";
import { describePoint, initialPosition } from "./initial-position.js";
import { chainsInWorkers } from "./parallel-chains.js";
import { type ChainState, RunRecord } from "./run-record.js";
import type { McmcSampler } from "./sampler.js";
import type { AnyChainSetup } from "./sampling-algorithm.js";

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
  numChains: Schema.optionalWith(integerAtLeast(1), { default: () => mcmcDefaults.numChains }),
  thinning: Schema.optionalWith(integerAtLeast(1), { default: () => mcmcDefaults.thinning }),
  chainMethod: Schema.optionalWith(Schema.Literal("sequential", "parallel"), {
    default: () => mcmcDefaults.chainMethod,
  }),
  onProgress: Schema.optional(Schema.Any),
  progressBar: Schema.optionalWith(Schema.Boolean, { default: () => mcmcDefaults.progressBar }),
  signal: Schema.optional(Schema.Any),
  workerImports: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
});

/** The options of `MCMC` with every default filled in. */
export type ResolvedMcmcOptions = Readonly<
  Required<Omit<McmcOptions, "onProgress" | "signal">> & Pick<McmcOptions, "onProgress" | "signal">
>;

/** Where a chain continues from: its last position and the parameters it ended with. */
interface Continuation<P> {
  readonly position: Float64Array;
  readonly parameters: P;
}

/** What the chains of one run share. */
interface RunContext<A, P> {
  readonly target: Potential;
  readonly args: A;
  readonly chainKeys: Key[];
  /** Per chain, where it continues from (postWarmupState); undefined for new chains. */
  readonly continuing: readonly Continuation<P>[] | undefined;
  readonly bar: McmcProgressBar;
  readonly signal: AbortSignal;
  /** The compound (Gibbs) part of the sampler, if any. */
  readonly gibbs: { readonly spec: GibbsSpec; readonly plan: GibbsPlan } | undefined;
}

/** What the chains of a run produced; `aborted` when they were stopped early. */
interface ChainsOutcome {
  readonly chains: ChainResult[];
  /** Per chain, the Gibbs sites' values at each kept draw (compound steps). */
  readonly gibbsDraws: Array<Array<Record<string, Draws>>>;
  aborted: boolean;
}

/**
 * Markov chain Monte Carlo over a model.
 *
 * @example
 * const mcmc = new MCMC(new NUTS(eightSchools), { numWarmup: 1000, numSamples: 1000, numChains: 4 });
 * await mcmc.run(PRNGKey(0), sigma, y);
 * mcmc.printSummary();
 * const { mu, theta } = mcmc.getSamples();
 */
export class MCMC<A extends unknown[], P = unknown> {
  readonly options: ResolvedMcmcOptions;
  /**
   * Set to continue from these states without a new warmup on the next `run` (NumPyro's
   * `post_warmup_state`); `lastState` after a run is the natural value.
   */
  postWarmupState: ChainState<P>[] | undefined;
  private record: RunRecord | undefined;
  /** When the last run began (epoch milliseconds), and its workers' start-up. */
  private runClock: { startedAt: number; workerStartSeconds?: number } | undefined;
  private running = false;

  constructor(
    readonly sampler: McmcSampler<A, P>,
    options: McmcOptions,
  ) {
    const decoded = decodeOptions("MCMC", McmcOptionsSchema, options);
    this.options = {
      ...decoded,
      workerImports: [...decoded.workerImports],
      onProgress: options.onProgress,
      signal: options.signal,
    };
  }

  /**
   * Runs the chains. Resolves when done or aborted (draws so far are kept); rejects with a
   * tagged error (`InitializationError`, `ModelError`, `WorkerError`, ...) when the model
   * cannot be initialized or evaluated.
   */
  run(key: Key | number, ...args: A): Promise<void> {
    return runToPromise(this.runEffect(key, ...args));
  }

  /** The run as an Effect; interrupting it keeps every draw made so far. */
  runEffect(key: Key | number, ...args: A): Effect.Effect<void, Error> {
    return Effect.suspend(() => {
      if (this.running) {
        return Effect.fail(
          new RunInProgressError({
            message:
              "MCMC.run: this MCMC object is already running; wait for that run (or abort it) before calling run() again, or use another MCMC object",
            api: "MCMC.run",
          }),
        );
      }
      this.running = true;
      return Effect.async<void, Error>((resume) => {
        // The user's signal and interruption both stop the chains through `stop`.
        const stop = new AbortController();
        const user = this.options.signal;
        const forward = () => stop.abort();
        if (user?.aborted) stop.abort();
        else user?.addEventListener("abort", forward);
        const pending = this.execute(toKey(key, "MCMC.run"), args, stop.signal).finally(() =>
          user?.removeEventListener("abort", forward),
        );
        pending.then(
          () => resume(Effect.void),
          (error: Error) => resume(Effect.fail(error)),
        );
        return Effect.promise(() => {
          stop.abort();
          return pending.catch(() => undefined);
        });
      }).pipe(
        Effect.ensuring(
          Effect.sync(() => {
            this.running = false;
          }),
        ),
      );
    });
  }

  // The whole run: one run of the model to discover it, its potential (one more run to trace
  // it), then the chains; sets `record`, keeping every draw when `signal` stops the chains.
  private async execute(rootKey: Key, args: A, signal: AbortSignal): Promise<void> {
    const clock: { startedAt: number; workerStartSeconds?: number } = { startedAt: epochNow() };
    const { numChains, numWarmup, numSamples } = this.options;
    const continuing = this.continuationOf(this.postWarmupState);
    const found = discoverModel(this.sampler.model, args);
    if (!found.hasLatent) {
      const name = this.sampler.model.name;
      throw new ModelError({
        message: `MCMC: the model${name ? ` "${name}"` : ""} has no latent sample site, so there is nothing to sample: every sample site is observed. To draw its deterministic sites or simulate data, use Predictive (new Predictive(model, { numSamples }).run(key, ...args))`,
      });
    }
    // The one choice point for discrete sites: summed out, or Gibbs updates.
    const strategy = discreteStrategy(this.sampler, args, found);
    const { model, discovery } = strategy;
    const spec = strategy.gibbs;
    const gibbs =
      spec === undefined
        ? undefined
        : {
            spec,
            plan: gibbsPlan(model, args, spec, foldIn(rootKey, 0x67), discovery.discreteLatent),
          };
    const target = potential(model, args, {
      engine: this.sampler.options.engine,
      fixed: gibbs?.plan.initial,
      discovery: gibbs === undefined ? discovery : undefined,
    });
    if (target.dim === 0) {
      throw new ModelError({
        message: `MCMC: ${this.sampler.name} needs a continuous latent site, and every latent site of this model (${gibbs?.plan.sites.map((s) => s.name).join(", ")}) is sampled by Gibbs updates`,
      });
    }
    const bar = mcmcProgressBar({
      chains: numChains,
      total: (continuing ? 0 : numWarmup) + numSamples,
      // Undefined lets the bar decide (a terminal, not CI); false turns it off.
      enabled: this.options.progressBar ? undefined : false,
    });
    const run: RunContext<A, P> = {
      target,
      args,
      chainKeys: split(rootKey, numChains),
      continuing,
      bar,
      signal,
      gibbs,
    };
    let outcome: ChainsOutcome = { chains: [], gibbsDraws: [], aborted: true };
    try {
      if (!signal.aborted) {
        const inWorkers = this.parallelPlan(target, gibbs !== undefined)
          ? await this.parallelChains(run, clock)
          : undefined;
        outcome = inWorkers ?? (await this.sequentialChains(run));
      }
    } finally {
      bar.stop();
    }
    this.record = new RunRecord(
      target,
      outcome.chains,
      outcome.aborted,
      outcome.gibbsDraws,
      (latent) => this.deterministicDraws(discovery.deterministic, args, latent, strategy),
    );
    this.postWarmupState = undefined;
    this.runClock = clock;
  }

  // Where each chain continues from (postWarmupState), checked.
  private continuationOf(states: ChainState<P>[] | undefined): Continuation<P>[] | undefined {
    if (states === undefined) return undefined;
    const { numChains } = this.options;
    if (states.length !== numChains) {
      throw new ArgumentError({
        message: `MCMC.run: postWarmupState has ${states.length} chains, but numChains is ${numChains}`,
        api: "MCMC.run",
        argument: "postWarmupState",
      });
    }
    return states.map((state, c) => {
      if (state.warmupComplete === false) {
        throw new ArgumentError({
          message: `MCMC.run: postWarmupState[${c}] was taken from a chain stopped during warmup, so its step size and metric are not adapted; run warmup again (leave postWarmupState unset)`,
          api: "MCMC.run",
          argument: "postWarmupState",
        });
      }
      const { position, warmupComplete: _, ...parameters } = state as Record<string, unknown>;
      return { position: position as Float64Array, parameters: parameters as P };
    });
  }

  // Where chain c starts and how long it runs: its continuation, or a new chain whose start
  // the sampler's init strategy chooses (a random point by default).
  private chainPlan(run: RunContext<A, P>, c: number): ChainPlan {
    const { numWarmup, numSamples, thinning } = this.options;
    const strategy = this.sampler.options.initStrategy;
    const continued = run.continuing?.[c];
    return {
      numWarmup: continued ? 0 : numWarmup,
      numSamples,
      thinning,
      saveWarmup: false,
      initialPosition:
        continued?.position ??
        initialPosition(strategy, this.sampler.model, run.args, run.target, run.chainKeys[c]),
      init: {
        radius: strategy.kind === "uniform" ? strategy.radius : mcmcDefaults.initRadius,
        maxAttempts: mcmcDefaults.initAttempts,
      },
    };
  }

  private progressOf(run: RunContext<A, P>, c: number): (p: ChainProgress) => void {
    const { onProgress, numChains } = this.options;
    return (p) => {
      run.bar.update(c, p);
      // Written out rather than spread: this runs every iteration, and a spread copy costs
      // more than a NUTS iteration on a small model.
      onProgress?.({
        phase: p.phase,
        iteration: p.iteration,
        numIterations: p.numIterations,
        stepSize: p.stepSize,
        numDivergences: p.numDivergences,
        chain: c,
        numChains,
      });
    };
  }

  // Chains one after another in this thread, each stopped (its draws kept) by `run.signal`.
  private async sequentialChains(run: RunContext<A, P>): Promise<ChainsOutcome> {
    const { target, gibbs } = run;
    const outcome: ChainsOutcome = { chains: [], gibbsDraws: [], aborted: false };
    for (let c = 0; c < run.chainKeys.length && !outcome.aborted; c++) {
      const plan = this.chainPlan(run, c);
      let setup: AnyChainSetup = this.sampler.chainSetup(target, plan);
      // A continuation: no warmup iterations, from the parameters the chain ended with.
      const continued = run.continuing?.[c];
      if (continued !== undefined) setup = { ...setup, parameters: continued.parameters };
      const kept: Array<Record<string, Draws>> = [];
      let onDraw: (() => void) | undefined;
      if (gibbs !== undefined) {
        const step = gibbsChain(gibbs.plan, gibbs.spec, target);
        setup = { ...setup, algorithm: withGibbsUpdate(setup.algorithm, step.update) };
        onDraw = () => kept.push(step.current());
      }
      const chain = new ChainRun(target, plan, setup, run.chainKeys[c], {
        onProgress: this.progressOf(run, c),
        onDraw,
        describeFailure: (q) => describePoint(target, q),
      });
      const result = await driveChain(chain, run.signal);
      outcome.chains.push(result);
      outcome.gibbsDraws.push(kept);
      outcome.aborted = result.aborted;
    }
    return outcome;
  }

  // Chains in worker threads; undefined when the workers cannot rebuild the potential (the
  // run then falls back to chains in this thread).
  private async parallelChains(
    run: RunContext<A, P>,
    clock: { workerStartSeconds?: number },
  ): Promise<ChainsOutcome | undefined> {
    const workersStartedAt = epochNow();
    const onStarted = () => {
      clock.workerStartSeconds ??= (epochNow() - workersStartedAt) / 1000;
    };
    const specs = run.chainKeys.map((key, c) => ({
      job: {
        artifact: run.target.artifact!,
        module: this.sampler.module!,
        settings: this.sampler.settings,
        plan: this.chainPlan(run, c),
        parameters: run.continuing?.[c].parameters,
        key,
      },
      onProgress: this.progressOf(run, c),
      onStarted,
    }));
    let results: Array<ChainResult | undefined>;
    try {
      results = await chainsInWorkers(run.target, specs, this.options.workerImports, run.signal);
    } catch (error) {
      // A worker that cannot rebuild the potential (a custom op defined in a module it did not
      // import): run the chains here instead, saying how to fix it.
      const cause = (error as { cause?: Error }).cause;
      if (!/is not defined here/.test(String(cause?.message))) throw error;
      console.warn(
        `MCMC: running chains sequentially: a worker could not rebuild the compiled potential (${cause?.message}); pass the module that defines the op in the workerImports option`,
      );
      return undefined;
    }
    const chains = results.filter((r): r is ChainResult => r !== undefined);
    const aborted = chains.length < specs.length || chains.some((r) => r.aborted);
    return { chains, gibbsDraws: [], aborted: aborted || run.signal.aborted };
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
    if (this.sampler.module === undefined) {
      console.warn(
        `MCMC: the ${this.sampler.name} sampler names no module for worker threads; chains run sequentially`,
      );
      return false;
    }
    return true;
  }

  // Deterministic sites per draw, computed by running the model on the latent draws.
  private deterministicDraws(
    names: readonly string[],
    args: A,
    latent: Record<string, Draws>,
    strategy: DiscreteStrategy<A>,
  ): Record<string, Draws> {
    if (names.length === 0) return {};
    // Observed sites keep their data: deterministic sites are functions of the model as fitted.
    const options = { posteriorSamples: latent, returnSites: [...names], resampleObserved: false };
    const model = strategy.model;
    // These runs are eager float32: a model finite only in float64 gives NaN parameters here,
    // which must not throw away the draws (parameters are not read back to validate them).
    return withoutTensorValidation(() => {
      // Summed-out discrete sites are drawn from their posterior given each draw, one draw at a
      // time (inferDiscrete has no batched form).
      if (strategy.enumerated) {
        return new Predictive(model, { ...options, inferDiscrete: true }).run(0, ...args);
      }
      try {
        // One batched run, checked against the per-draw runs (an error where it differs).
        return new Predictive(model, { ...options, parallel: true }).run(0, ...args);
      } catch {
        // Models that do not vectorize over draws: one run per draw.
        return new Predictive(model, { ...options, parallel: false }).run(0, ...args);
      }
    });
  }

  private requireRecord(api: string): RunRecord {
    if (this.record === undefined) throw new Error(`MCMC.${api}: call run() first`);
    return this.record;
  }

  /**
   * Posterior draws of every latent and deterministic site, constrained. The leading
   * dimension is the draws, or [chain, draw] with `groupByChain` (for a run stopped early,
   * the chains cut to a common length).
   */
  getSamples(options: { groupByChain?: boolean } = {}): Record<string, Draws> {
    const record = this.requireRecord("getSamples");
    const pooled = Object.assign(siteRecord<Draws>(), record.latent(), record.deterministic());
    return options.groupByChain ? record.groupByChain(pooled) : pooled;
  }

  /**
   * Sampler statistics per draw, one per `info` field of the sampler's kernel (for NUTS:
   * diverging, treeDepth, numSteps, stepSize, energy, acceptProb), and potentialEnergy (= -lp).
   */
  getExtraFields(options: { groupByChain?: boolean } = {}): Record<string, Draws> {
    const record = this.requireRecord("getExtraFields");
    const pooled = record.statistics();
    return options.groupByChain ? record.groupByChain(pooled) : pooled;
  }

  /** The chains' states after the run (assign to `postWarmupState` to continue). */
  get lastState(): ChainState<P>[] {
    return this.requireRecord("lastState").lastStates<P>();
  }

  /**
   * What each chain's warmup did, by chain: the iterations run, divergences, and its
   * adaptation's report (for NUTS and HMC: `adaptation`, `schedule`, `numMetricUpdates`,
   * `convergence`, which says after how many iterations the step size and metric settled, and
   * `pathfinder` when Pathfinder started the chain).
   *
   * @example
   * mcmc.warmupReports[0].convergence; // { stepSizeSettledAt, metricSettledAt, settledAt, ... }
   */
  get warmupReports(): Array<Record<string, any>> {
    return this.requireRecord("warmupReports").chains.map((chain) => {
      const { stats: _stats, draws: _draws, finalState: _finalState, ...report } = chain.warmup;
      return report;
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

  /**
   * Where the last run's time went: per chain, seconds of warmup (initialization included),
   * of sampling and of initialization alone (the initial point, and Pathfinder where it
   * initializes); for the run, `initSeconds` from `run()` to the first warmup iteration of the
   * first chain to start (discovering, tracing and compiling the model, starting workers,
   * initializing), and for chains in worker threads `workerStartSeconds`, from starting the
   * workers to the first one ready to run its chain (library loaded, potential rebuilt).
   *
   * @example
   * await mcmc.run(PRNGKey(0), sigma, y);
   * mcmc.timings.initSeconds; // time to the first iteration
   */
  get timings(): {
    warmupSeconds: number[];
    samplingSeconds: number[];
    chainInitSeconds: number[];
    initSeconds: number;
    workerStartSeconds?: number;
  } {
    const { chains } = this.requireRecord("timings");
    const clock = this.runClock;
    const firstIteration = Math.min(...chains.map((c) => c.firstIterationAt));
    return {
      warmupSeconds: chains.map((c) => c.warmupSeconds),
      samplingSeconds: chains.map((c) => c.samplingSeconds),
      chainInitSeconds: chains.map((c) => c.initSeconds),
      initSeconds: clock === undefined ? Number.NaN : (firstIteration - clock.startedAt) / 1000,
      ...(clock?.workerStartSeconds === undefined
        ? {}
        : { workerStartSeconds: clock.workerStartSeconds }),
    };
  }

  /** The potential the last run sampled (its engine, layout, ...). */
  get potential(): Potential {
    return this.requireRecord("potential").potential;
  }

  // The record of a run that kept at least one draw (views by chain need one).
  private requireDraws(api: string): RunRecord {
    const record = this.requireRecord(api);
    if (record.numDraws === 0) {
      throw new ArgumentError({
        message: `MCMC.${api}: the run was stopped before it kept any draw, so there is nothing to summarize or export`,
        api: `MCMC.${api}`,
        argument: "run",
      });
    }
    return record;
  }

  /** Diagnostics per scalar: mean, sd, median, 5%, 95%, bulk and tail ESS, R-hat. */
  summary(): Record<string, SummaryRow> {
    this.requireDraws("summary");
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
    const record = this.requireDraws("toMcmcRun");
    if (this.sampler.runMetadata === undefined) {
      throw new ArgumentError({
        message: `MCMC.toMcmcRun: the ${this.sampler.name} sampler describes no run metadata (CmdStan's format describes HMC-family runs); use getSamples and getExtraFields`,
        api: "MCMC.toMcmcRun",
        argument: "sampler",
      });
    }
    const fields = this.getExtraFields({ groupByChain: true });
    const { potentialEnergy, ...stats } = fields;
    const lp = { shape: potentialEnergy.shape, data: potentialEnergy.data.map((u) => -u) };
    const kept = record.shownChains().shown;
    return {
      samples: this.getSamples({ groupByChain: true }),
      extra: { lp, ...stats },
      metadata: {
        numWarmup: this.options.numWarmup,
        numSamples: this.options.numSamples,
        numChains: kept.length,
        thinning: this.options.thinning,
        model: this.sampler.model.name || undefined,
        ...this.sampler.runMetadata(kept.map((c) => c.adapted as P)),
        warmupSeconds: kept.map((c) => c.warmupSeconds),
        samplingSeconds: kept.map((c) => c.samplingSeconds),
      },
    };
  }

  /** Prints the summary table and the number of divergences. */
  printSummary(): void {
    console.log(formatSummary(this.summary(), { numDivergences: this.numDivergences }));
  }
}

/** Milliseconds since the epoch, sub-millisecond, comparable with worker threads' clocks. */
function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
