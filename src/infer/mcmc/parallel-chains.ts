/**
 * Chains in worker threads, through a pool with at most one worker per core, kept warm between
 * runs in the same process (its idle workers let the process exit): each chain runs
 * on the compiled potential's artifact; the main thread only relays progress, aborts, results
 * and failures, which keep their tagged class.
 */
import { InitializationError, reviveTaggedError, WorkerError } from "../../errors.js";
import type { Potential } from "../potential.js";
import type { ChainProgress, ChainResult } from "./chain.js";
import { describePoint } from "./initial-position.js";
import { ChainWorkerPool, WorkerChainError, type WorkerChainJob } from "./worker-pool.js";

/** What `chainsInWorkers` needs per chain. */
export interface WorkerChainSpec {
  readonly job: WorkerChainJob;
  readonly onProgress: (progress: ChainProgress) => void;
  /** Called when the chain's worker has set it up (see `WorkerChainHooks.onStarted`). */
  readonly onStarted?: () => void;
}

/**
 * Runs chains in a pool of worker threads. Aborting `signal` stops every chain and resolves
 * with the draws they made; a chain that had not started (its worker still loading) is
 * undefined, and the run does not wait for its worker.
 */
export async function chainsInWorkers(
  target: Potential,
  chains: readonly WorkerChainSpec[],
  imports: readonly string[],
  signal: AbortSignal | undefined,
): Promise<Array<ChainResult | undefined>> {
  if (signal?.aborted) return chains.map(() => undefined);
  // Kept warm for the next run in this process. An abort while the pool starts (the workers'
  // bundle may be building) ends the run at once; the pool goes on starting for later runs.
  const starting = ChainWorkerPool.shared(await ChainWorkerPool.sizeFor(chains.length), imports);
  const pool = await untilAborted(starting, signal);
  if (pool === undefined) {
    starting.catch(() => {}); // a failure to start now concerns only a later run
    return chains.map(() => undefined);
  }
  return await Promise.all(
    chains.map((chain, c) =>
      pool
        .run(chain.job, { onProgress: chain.onProgress, onStarted: chain.onStarted, signal })
        .catch((error: Error) => {
          throw workerFailure(error, c, target);
        }),
    ),
  );
}

/** `promise`'s value, or undefined as soon as `signal` aborts (whichever comes first). */
function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T | undefined> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * The error a failed worker chain becomes in this thread: the worker's own tagged error when
 * it is one of the library's (an initialization failure gets this thread's per-site
 * log-probabilities), else a `WorkerError` whose cause is what the worker threw. A point that
 * is not finite in the worker but finite here means the worker computes the potential
 * differently (a custom op that fails only in a worker): that is a `WorkerError` too.
 */
function workerFailure(error: Error, chain: number, target: Potential): Error {
  const prefix = `MCMC: chain ${chain} failed in its worker thread`;
  if (!(error instanceof WorkerChainError)) {
    return new WorkerError({ message: `${prefix}: ${error.message}`, chain, cause: error });
  }
  const thrown = error.thrown;
  const revived =
    thrown.tag === undefined
      ? undefined
      : reviveTaggedError(thrown.tag, thrown.message, thrown.fields);
  if (revived instanceof InitializationError) {
    const gradient = new Float64Array(target.dim);
    const energy = target.valueAndGrad(Float64Array.from(revived.position), gradient);
    if (Number.isFinite(energy) && gradient.every(Number.isFinite)) {
      return new WorkerError({
        message: `${prefix}: ${revived.message}\nAt that point this thread computes a finite potential energy (${energy}) and gradient: the worker computes the potential differently. A custom op that fails only in a worker thread (its module not in workerImports, or state set up only in the main thread)?`,
        chain,
        cause: revived,
      });
    }
    return new InitializationError({
      ...revived,
      message: `${revived.message}\n${describePoint(target, revived.position)}`,
    });
  }
  if (revived !== undefined) return revived;
  const cause = Object.assign(new Error(thrown.message), {
    name: thrown.name,
    stack: thrown.stack,
  });
  return new WorkerError({
    message: `${prefix}: ${thrown.name}: ${thrown.message}`,
    chain,
    cause,
  });
}
