import { CONTROL } from './memory';
import { run } from './table';

/**
 * Threads sharing one step. The main thread publishes a job (a step table cut into chunks of
 * elements), wakes the workers, and claims chunks itself like any of them; a worker that wakes
 * late finds fewer or no chunks left, so a step never waits for a thread that is not there.
 *
 * Control block fields (byte offsets from CONTROL):
 *   WAKE     bumped for every job; idle workers sleep on it
 *   READY    workers that have started
 *   DONE     chunks of the current job finished
 *   STOLEN   chunks finished by workers (statistics)
 *   FAILED   set when a worker trapped, so the main thread stops waiting for it
 *   NEXT     u64: the job's generation (high half) and its next unclaimed chunk (low half); a
 *            claim is a compare-and-swap on both, so a worker still holding an old job's fields
 *            can never claim a chunk of a newer one
 *   table, rows, total, chunk, chunks: the job
 *   WORKERS_ONLY  nonzero: the calling thread claims no chunk and waits for the workers to run
 *            them all. For tests, which then know that workers ran every chunk (written by
 *            src/kernels/wasm/pool.ts at the address this module exports)
 */
const WAKE: usize = CONTROL;
const READY: usize = CONTROL + 4;
const DONE: usize = CONTROL + 8;
const STOLEN: usize = CONTROL + 12;
const FAILED: usize = CONTROL + 16;
const NEXT: usize = CONTROL + 24;
const TABLE: usize = CONTROL + 32;
const ROWS: usize = CONTROL + 36;
const TOTAL: usize = CONTROL + 40;
const CHUNK: usize = CONTROL + 44;
const CHUNKS: usize = CONTROL + 48;
export const WORKERS_ONLY: usize = CONTROL + 52;

/** Low half of NEXT while no job can be claimed. */
const NO_JOB: u64 = 0xffffffff;

/** Claims and runs chunks of the current job until none is left. */
function work(worker: bool): void {
  const next = atomic.load<u64>(NEXT);
  if ((next & NO_JOB) == NO_JOB) return;
  const generation = next >> 32;
  const table = <usize>load<u32>(TABLE);
  const rows = load<u32>(ROWS);
  const total = load<u32>(TOTAL);
  const chunk = load<u32>(CHUNK);
  const chunks = load<u32>(CHUNKS);
  while (true) {
    const claim = atomic.load<u64>(NEXT);
    const c = <u32>claim;
    if (claim >> 32 != generation || c >= chunks) return;
    if (atomic.cmpxchg<u64>(NEXT, claim, claim + 1) != claim) continue;
    const lo = c * chunk;
    run(table, rows, lo, total - lo > chunk ? lo + chunk : total);
    if (worker) atomic.add<u32>(STOLEN, 1);
    if (atomic.add<u32>(DONE, 1) + 1 == chunks) atomic.notify(DONE, 1);
  }
}

/**
 * Steps a table on the calling thread and every worker that joins in, chunk by chunk; returns 0,
 * or 1 if a worker trapped (the step is then incomplete).
 */
export function runParallel(table: usize, rows: u32, total: u32, chunk: u32): u32 {
  const chunks = (total + chunk - 1) / chunk;
  const generation = (atomic.load<u64>(NEXT) >> 32) + 1;
  atomic.store<u64>(NEXT, (generation << 32) | NO_JOB);
  store<u32>(TABLE, <u32>table);
  store<u32>(ROWS, rows);
  store<u32>(TOTAL, total);
  store<u32>(CHUNK, chunk);
  store<u32>(CHUNKS, chunks);
  atomic.store<u32>(DONE, 0);
  atomic.store<u64>(NEXT, generation << 32);
  atomic.add<i32>(WAKE, 1);
  atomic.notify(WAKE);
  if (atomic.load<u32>(WORKERS_ONLY) == 0) work(false);
  // The other threads are finishing their last chunk: spin briefly, then sleep until notified.
  for (let spins = 0; ; spins++) {
    const done = atomic.load<u32>(DONE);
    if (done == chunks) break;
    if (atomic.load<u32>(FAILED) != 0) return 1;
    if (spins > 10000) atomic.wait<i32>(DONE, <i32>done, 1000000);
  }
  atomic.store<u64>(NEXT, (generation << 32) | NO_JOB);
  return 0;
}

/** A worker's life: run the chunks it can claim, sleep until the next job, repeat. */
export function workerLoop(): void {
  atomic.add<u32>(READY, 1);
  let wake = atomic.load<i32>(WAKE);
  while (true) {
    work(true);
    while (atomic.load<i32>(WAKE) == wake) atomic.wait<i32>(WAKE, wake, -1);
    wake = atomic.load<i32>(WAKE);
  }
}

/** Called by a worker's JavaScript when its loop trapped, so that a step waiting on it ends. */
export function workerFailed(): void {
  atomic.store<u32>(FAILED, 1);
  atomic.notify(DONE);
}

export function workersReady(): u32 {
  return atomic.load<u32>(READY);
}

export function chunksStolen(): u32 {
  return atomic.load<u32>(STOLEN);
}
