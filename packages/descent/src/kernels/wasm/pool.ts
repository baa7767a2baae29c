import { release, reserve } from './arena.js';
import { nodeModules, type WorkerLike } from './host.js';
import { wasm } from './instance.js';
import { INT8_SCRATCH_BYTES } from './int8.js';

/**
 * Worker threads that share large steps with the calling thread (protocol in
 * assembly/threads.ts). Each worker instantiates the module over the same shared memory and
 * sleeps until a step needs it; workers are unref'd, so they never keep a process alive.
 *
 * Handing a step to a sleeping thread costs tens of microseconds, so only steps of at least
 * `threshold` elements are shared; the caller claims chunks like any worker, so a step never
 * waits for a worker that is slow to start or wake. Workers start on the first such step (Node
 * only: in browsers every step runs on the calling thread).
 */

// Reached once, when the pool module is evaluated, synchronously (no top-level await: see
// host.ts), so that starting workers mid-step needs no await.
const node = nodeModules();

// CommonJS, run by `new Worker(code, { eval: true })`: nothing to resolve from a file path.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { module, memory, scratch } = workerData;
const { exports } = new WebAssembly.Instance(module, { env: { memory } });
exports.useScratch(scratch);
parentPort.postMessage('ready');
try {
  exports.workerLoop();
} catch (error) {
  exports.workerFailed();
  throw error;
}
`;

/** Threads used by default: every core, up to 8 (memory bandwidth saturates well before). */
export const DEFAULT_THREADS = Math.min(node?.cores ?? 1, 8);
/** Elements below which a step stays on one thread. */
export const DEFAULT_THRESHOLD = 1 << 19;

/** The address of the control block's WORKERS_ONLY field (assembly/threads.ts). */
const WORKERS_ONLY = wasm?.constant('WORKERS_ONLY') ?? 0;

/** How long `ready` waits for workers to start before it resolves with those that did. */
const START_TIMEOUT_MS = 30_000;

class Pool {
  threads = DEFAULT_THREADS;
  threshold = DEFAULT_THRESHOLD;
  private workers: WorkerLike[] = [];
  /** Each worker's scratch in the arena, for int8 state (int8.ts). */
  private scratch = new Map<WorkerLike, number>();
  /** Workers that have instantiated the module and gone on to their loop (they said so). */
  private started = new Set<WorkerLike>();
  private broken = false;
  private onlyWorkers = false;

  /** Whether a step of `elements` should be shared; starts the workers on first need. */
  use(elements: number): boolean {
    if (elements < this.threshold || this.threads < 2 || this.broken) return false;
    if (this.workers.length !== this.threads - 1) this.resize();
    if (this.workers.length === 0) return false;
    // A step the calling thread leaves to the workers waits for them: one must be running.
    return !this.onlyWorkers || this.started.size > 0;
  }

  /**
   * For tests: with `on`, the calling thread claims no chunk of a shared step and waits while the
   * workers run them all, so a test knows that workers ran every chunk whatever the machine's
   * cores and load. Steps are shared only once a worker has started (see `ready`).
   */
  setWorkersOnly(on: boolean): void {
    this.onlyWorkers = on;
    if (wasm !== null) Atomics.store(new Uint32Array(wasm.memory.buffer, WORKERS_ONLY, 1), 0, +on);
  }

  /** Starts or stops workers so that `threads - 1` run beside the calling thread. */
  resize(): void {
    if (node === null || wasm === null) return;
    while (this.workers.length > Math.max(this.threads - 1, 0)) this.stop(this.workers.pop()!);
    while (this.workers.length < this.threads - 1) {
      // Between steps, so no worker is using a scratch being given back or handed out.
      const scratch = reserve(INT8_SCRATCH_BYTES);
      if (scratch < 0) return;
      const worker = new node.Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: wasm.module, memory: wasm.memory, scratch },
      });
      this.scratch.set(worker, scratch);
      const current = () => this.workers.includes(worker);
      worker.on('message', () => {
        if (current()) this.started.add(worker);
      });
      // A worker that cannot start claims no chunk, so steps go on without it; stop sharing.
      worker.on('error', () => {
        this.broken = true;
      });
      worker.on('exit', () => {
        if (current()) this.broken = true;
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  /**
   * Resolves with the number of running workers once all have started (or after 30 s: then with
   * those that have). Only the event loop learns that a worker started, so a program must await
   * this, not spin.
   */
  async ready(): Promise<number> {
    this.resize();
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!this.broken && this.started.size < this.workers.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return this.broken ? 0 : this.started.size;
  }

  private stop(worker: WorkerLike): void {
    this.started.delete(worker);
    void worker.terminate();
    release(this.scratch.get(worker)!);
    this.scratch.delete(worker);
  }

  running(): number {
    return this.broken ? 0 : this.workers.length;
  }

  /** A worker trapped mid-step: stop sharing steps, and report it. */
  failed(): never {
    this.broken = true;
    this.started.clear();
    // Their scratch is not given back: a worker may still be running a chunk as it stops.
    this.scratch.clear();
    for (const worker of this.workers.splice(0)) void worker.terminate();
    throw new Error('descent: a WebAssembly worker thread failed; the step is incomplete');
  }
}

export const pool = new Pool();
