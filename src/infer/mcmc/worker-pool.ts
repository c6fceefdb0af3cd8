/**
 * A pool of worker threads that run single chains on a compiled potential's artifact
 * (src/infer/mcmc/chain-worker.ts). Each worker is kept alive across chains, so its start-up
 * (loading the library) is paid once per thread; a pool no larger than the number of cores
 * keeps the threads from competing for them. `MCMC` (chainMethod "parallel") and `sbc` use it.
 */
import type { Worker } from "node:worker_threads";
import type { ChainProgress, ChainResult } from "./chain.js";
import type { ChainJob, ChainMessage, ChainWorkerData, SerializedError } from "./chain-worker.js";
import { chainWorkerEntry, libraryRoot } from "./worker-entry.js";

/** A chain for a worker: everything but the imports, which belong to the pool. */
export type WorkerChainJob = Omit<ChainJob, "type" | "imports">;

/** A failure in a worker, as it was thrown there (see `serializeError`). */
export class WorkerChainError extends Error {
  constructor(readonly thrown: SerializedError) {
    super(thrown.message);
    this.name = "WorkerChainError";
  }
}

/** Progress and cancellation of one chain in the pool. */
export interface WorkerChainHooks {
  readonly onProgress?: (progress: ChainProgress) => void;
  /**
   * Stops the chain; the draws made so far come back. A chain whose worker has not started it
   * yet (still loading the library) resolves at once with undefined, without waiting for it.
   */
  readonly signal?: AbortSignal;
}

interface Pending {
  readonly job: ChainJob;
  readonly hooks: WorkerChainHooks;
  readonly resolve: (chain: ChainResult | undefined) => void;
  readonly reject: (error: Error) => void;
}

/** Worker threads running chains, `size` at a time. */
export class ChainWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private closed = false;

  private constructor(private readonly imports: readonly string[]) {}

  /**
   * Starts `size` workers; `imports` are modules each worker imports before a chain (where
   * the model's custom ops are defined).
   *
   * @example
   * const pool = await ChainWorkerPool.start(2, []);
   * const chain = await pool.run({ artifact, module, settings, plan, key });
   * await pool.close();
   */
  static async start(size: number, imports: readonly string[]): Promise<ChainWorkerPool> {
    const { Worker } = await import("node:worker_threads");
    const pool = new ChainWorkerPool(imports);
    const entry = await chainWorkerEntry(imports);
    const workerData: ChainWorkerData = { libraryRoot };
    for (let i = 0; i < size; i++) {
      const worker =
        entry.kind === "file"
          ? new Worker(entry.url, { workerData })
          : new Worker(entry.source, { eval: true, workerData });
      pool.workers.push(worker);
      pool.idle.push(worker);
    }
    return pool;
  }

  /** The number of workers to start for `chains` chains: one per chain, at most one per core. */
  static async sizeFor(chains: number): Promise<number> {
    const { availableParallelism } = await import("node:os");
    return Math.max(1, Math.min(chains, availableParallelism()));
  }

  /**
   * Runs one chain in the next free worker. Resolves with undefined when `hooks.signal` was
   * aborted before the chain started.
   */
  run(job: WorkerChainJob, hooks: WorkerChainHooks = {}): Promise<ChainResult | undefined> {
    if (this.closed) return Promise.reject(new Error("ChainWorkerPool: the pool is closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({
        job: { ...job, type: "start", imports: this.imports },
        hooks,
        resolve,
        reject,
      });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const next = this.queue.shift() as Pending;
      if (next.hooks.signal?.aborted) {
        next.resolve(undefined);
        continue;
      }
      this.startChain(this.idle.pop() as Worker, next);
    }
  }

  private startChain(worker: Worker, { job, hooks, resolve, reject }: Pending): void {
    let started = false;
    const detach = () => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      hooks.signal?.removeEventListener("abort", abort);
    };
    const abort = () => {
      if (started) {
        worker.postMessage({ type: "abort" });
        return;
      }
      // Still loading: do not wait for it. The worker is lost to the pool (terminated at close).
      detach();
      resolve(undefined);
    };
    const onMessage = (message: ChainMessage) => {
      if (message.type === "started") {
        started = true;
        return;
      }
      if (message.type === "progress") {
        hooks.onProgress?.(message.progress);
        return;
      }
      detach();
      this.idle.push(worker);
      this.dispatch();
      if (message.type === "done") resolve(message.result);
      else reject(new WorkerChainError(message.error));
    };
    const onError = (error: Error) => {
      detach();
      reject(error);
    };
    worker.on("message", onMessage);
    worker.once("error", onError);
    hooks.signal?.addEventListener("abort", abort);
    worker.postMessage(job);
  }

  /** Stops every worker; chains still queued are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error("ChainWorkerPool: closed"));
    this.idle.splice(0);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
