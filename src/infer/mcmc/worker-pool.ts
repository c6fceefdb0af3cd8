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
  /** Called when the worker has set the chain up (library loaded, potential rebuilt). */
  readonly onStarted?: () => void;
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

/** The shared pools (`ChainWorkerPool.shared`), by their imports. */
const warmPools = new Map<string, ChainWorkerPool>();

/** Worker threads running chains, `size` at a time. */
export class ChainWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private closed = false;

  private constructor(
    private readonly imports: readonly string[],
    /** A shared pool: idle workers are unreferenced (they let the process exit). */
    private readonly keepWarm: boolean,
  ) {}

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
    const pool = new ChainWorkerPool(imports, false);
    await pool.grow(size);
    return pool;
  }

  /**
   * A pool kept warm between runs in this process (one per list of `imports`), with at least
   * `size` workers: the second and later runs pay no start-up. Its idle workers do not keep the
   * process alive; do not close it.
   *
   * @example
   * const pool = await ChainWorkerPool.shared(2, []);
   * const chain = await pool.run({ artifact, module, settings, plan, key });
   */
  static async shared(size: number, imports: readonly string[]): Promise<ChainWorkerPool> {
    const key = JSON.stringify(imports);
    let pool = warmPools.get(key);
    if (pool === undefined) {
      pool = new ChainWorkerPool(imports, true);
      warmPools.set(key, pool);
    }
    await pool.grow(size);
    return pool;
  }

  /** Starts workers until there are `size`. */
  private async grow(size: number): Promise<void> {
    if (this.workers.length >= size) return;
    const { Worker } = await import("node:worker_threads");
    const entry = await chainWorkerEntry(this.imports);
    const workerData: ChainWorkerData = { libraryRoot };
    while (this.workers.length < size) {
      const worker =
        entry.kind === "file"
          ? new Worker(entry.url, { workerData })
          : new Worker(entry.source, { eval: true, workerData });
      if (this.keepWarm) worker.unref();
      this.workers.push(worker);
      this.idle.push(worker);
    }
    this.dispatch();
  }

  /** Takes a worker out of the pool and stops it (lost to an abort before it started, or failed). */
  private discard(worker: Worker): void {
    const at = this.workers.indexOf(worker);
    if (at >= 0) this.workers.splice(at, 1);
    void worker.terminate();
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
      // Still loading: do not wait for it. The worker would run the chain once loaded, for
      // nobody: it leaves the pool.
      detach();
      this.discard(worker);
      resolve(undefined);
    };
    const onMessage = (message: ChainMessage) => {
      if (message.type === "started") {
        started = true;
        hooks.onStarted?.();
        return;
      }
      if (message.type === "progress") {
        hooks.onProgress?.(message.progress);
        return;
      }
      detach();
      if (this.keepWarm) worker.unref();
      this.idle.push(worker);
      this.dispatch();
      if (message.type === "done") resolve(message.result);
      else reject(new WorkerChainError(message.error));
    };
    const onError = (error: Error) => {
      detach();
      this.discard(worker);
      reject(error);
    };
    if (this.keepWarm) worker.ref();
    worker.on("message", onMessage);
    worker.once("error", onError);
    hooks.signal?.addEventListener("abort", abort);
    worker.postMessage(job);
  }

  /** Stops every worker; chains still queued are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    if (warmPools.get(JSON.stringify(this.imports)) === this) {
      warmPools.delete(JSON.stringify(this.imports));
    }
    for (const p of this.queue.splice(0)) p.reject(new Error("ChainWorkerPool: closed"));
    this.idle.splice(0);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
