import type { DType, FloatArray } from '../../../src/core/param.js';
import { tolerance } from '../reference.js';
import { type ChildProgram, runChild } from './build.js';
import type { Scenario, ThreadConfig } from './plan.js';
import { digest, Execution, type Lib, type RunResult, type RunSpec } from './runner.js';

/**
 * Executes a scenario of the differential suite and checks its properties:
 *
 * 1. Each run, executed straight in this process (its *first execution*), agrees after every
 *    step with the same run on the TypeScript reference kernels (`configureSimd({ simd: false })`,
 *    arena on or off) to the documented tolerance (test/optim/reference.ts: float64 1e-10,
 *    float32 1e-5, relative), and bit for bit, state included, in the tensors that both step in
 *    TypeScript (ordinary arrays, and L-BFGS).
 * 2. Every later execution of a run, interleaved with the others, after garbage collections,
 *    timeouts, thread reconfigurations and checkpoint reloads, has the first execution's bits
 *    after every step, and its final state (`stateDict()`) has the same bits.
 * 3. The run executed straight in a fresh `node` process, under another thread configuration,
 *    has the same bits after every step and the same final state.
 */

/** Counters over all scenarios, so the suite can show what it reached. */
export const reached = {
  scenarios: 0,
  executions: 0,
  steps: 0,
  reloads: 0,
  gcs: 0,
  children: 0,
  rows: 0,
  parallelSteps: 0,
  childParallelSteps: 0,
  /** Milliseconds in first executions (with the reference), collections, waiting for children. */
  msFirst: 0,
  msGc: 0,
  msChildren: 0,
};

const gc = (globalThis as { gc?: () => void }).gc;

export async function collect(): Promise<void> {
  if (gc === undefined) throw new Error('the differential suite needs node --expose-gc');
  const t0 = performance.now();
  gc();
  // FinalizationRegistry callbacks (the arena's releases) run in a task after the collection.
  await sleep(5);
  reached.gcs++;
  reached.msGc += performance.now() - t0;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const storageLetter = { arena: 'a', plain: 'p', plainGrad: 'g' } as const;

/** A run in one line: tensors as length, f or d (float32, float64), a, p or g (storage). */
function describeRun(spec: RunSpec): string {
  const shapes = spec.groups.map((g) =>
    g.tensors
      .map((t) => `${t.n}${t.dtype === 'float64' ? 'd' : 'f'}${storageLetter[t.storage]}`)
      .join(','),
  );
  return `${spec.optimizer} ${JSON.stringify(spec.options)} groups [${shapes.join(' | ')}] steps ${spec.steps} seed ${spec.seed}`;
}

/** Which tensors' digests differ between two steps. */
function differing(a: string[], b: string[]): string {
  const out: number[] = [];
  for (let k = 0; k < Math.max(a.length, b.length); k++) if (a[k] !== b[k]) out.push(k);
  return `tensors ${out.join(', ')} of ${b.length}`;
}

export function expectSameSteps(actual: string[][], expected: string[][], what: string): void {
  for (let t = 0; t < actual.length; t++) {
    if (t >= expected.length) throw new Error(`${what}: step ${t + 1} was never expected`);
    if (actual[t].join() !== expected[t].join()) {
      throw new Error(
        `${what}: bits differ after step ${t + 1}, ${differing(actual[t], expected[t])}`,
      );
    }
  }
}

function rms(values: FloatArray): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return Math.sqrt(sum / Math.max(values.length, 1));
}

/**
 * Largest violation of |a − e| <= tol · max(|e|, rms(e), floor), as reference.ts's worstError,
 * and the element where it is. `floor` is the rms of the tensor's initial values: an element
 * passing near zero keeps the rounding error of the values it came from, which rms(e) stands for
 * in a large tensor, but not in a tensor of one element.
 */
function worstError(
  actual: FloatArray,
  expected: FloatArray,
  tol: number,
  floor: number,
): [number, number] {
  const scale0 = Math.max(rms(expected), floor);
  let worst = 0;
  let where = -1;
  for (let i = 0; i < expected.length; i++) {
    const scale = Math.max(Math.abs(expected[i]), scale0, Number.MIN_VALUE);
    const err = Math.abs(actual[i] - expected[i]) / scale / tol;
    if (!(err <= worst)) [worst, where] = [err, i];
  }
  return [worst, where];
}

/** A state's entries at one element, for messages. */
function stateAt(state: Record<string, unknown> | undefined, i: number): string {
  if (state === undefined) return 'none';
  const entries = Object.entries(state).map(([key, value]) => {
    const v = ArrayBuffer.isView(value) ? (value as FloatArray)[i] : value;
    return `${key} ${String(v)}`;
  });
  return entries.join(', ');
}

/** Runs `body` on the TypeScript kernels, the arena on or off for what it allocates. */
function onReference<T>(lib: Lib, arena: boolean, body: () => T): T {
  lib.configureSimd({ simd: false, arena });
  try {
    return body();
  } finally {
    lib.configureSimd({ simd: true, arena: true });
  }
}

/**
 * The optimizers whose steps make no rows of a step table: L-BFGS, without a WebAssembly kernel,
 * and Muon, whose products keep a table of their own (src/kernels/wasm/matmul.ts).
 */
const typescriptOnly = new Set(['LBFGS', 'Muon']);

/**
 * The first execution of a run, straight, in lockstep with the same run on the TypeScript
 * reference kernels: checks property 1 and returns the bits every other execution must have.
 */
export function firstExecution(lib: Lib, spec: RunSpec, referenceArena: boolean): RunResult {
  const main = new Execution(lib, spec);
  const reference = new Execution(lib, spec);
  const tensors = spec.groups.flatMap((g) => g.tensors);
  const rows = lib.simdInfo().rows;
  // A tensor in ordinary arrays is stepped by the TypeScript kernel here too, as is every tensor
  // of L-BFGS: those must agree bit for bit, state included.
  main.start();
  const floors = main.params.map((p) => rms(p.data));
  const typescript = tensors.map((t) => t.storage === 'plain' || spec.optimizer === 'LBFGS');
  while (!main.done) {
    main.step();
    onReference(lib, referenceArena, () => reference.step());
    main.params.forEach((p, k) => {
      if (!typescript[k]) return;
      const expected = reference.params[k];
      const here = main.optimizer!.state.get(p) ?? {};
      const there = reference.optimizer!.state.get(expected) ?? {};
      const arrays = Object.keys(here).filter((key) => ArrayBuffer.isView(here[key]));
      for (const [key, a, b] of [
        ['the parameter', p.data, expected.data] as const,
        ...arrays.map((key) => [key, here[key] as FloatArray, there[key] as FloatArray] as const),
      ]) {
        if (b === undefined || digest(a) !== digest(b)) {
          const i = b === undefined ? 0 : a.findIndex((x, j) => !Object.is(x, b[j]));
          throw new Error(
            `${describeRun(spec)}: after step ${main.t}, tensor ${k} (${tensors[k].n} ${tensors[k].dtype} ${tensors[k].storage}), stepped in TypeScript on both sides, differs from the reference in ${key} at element ${i}: ${a[i]} against ${b?.[i]} (state ${stateAt(here, i)} against ${stateAt(there, i)})`,
          );
        }
      }
    });
    // `wide` gradients may be ill-conditioned: compared bit for bit only (runner.ts).
    if (spec.values === 'wide') continue;
    main.params.forEach((p, k) => {
      const dtype: DType = tensors[k].dtype;
      const expected = reference.params[k];
      const [worst, i] = worstError(p.data, expected.data, tolerance[dtype], floors[k]);
      if (!(worst <= 1)) {
        const here = stateAt(main.optimizer!.state.get(p), i);
        const there = stateAt(reference.optimizer!.state.get(expected), i);
        throw new Error(
          `${describeRun(spec)}: after step ${main.t}, tensor ${k} (${tensors[k].n} ${dtype}) is ${worst.toPrecision(3)} tolerances from the TypeScript reference at element ${i}: ${p.data[i]} (state ${here}) against ${expected.data[i]} (state ${there})`,
        );
      }
    });
  }
  const wasmRows = lib.simdInfo().rows - rows;
  // Arena tensors go through WebAssembly: a run of them that made no row would prove nothing.
  // (Skipped gradients and a held-back group may leave none.)
  const rowsDue = !typescriptOnly.has(spec.optimizer) && !spec.skips && !spec.late;
  if (rowsDue && tensors.some((t) => t.storage === 'arena') && wasmRows === 0) {
    throw new Error(`${describeRun(spec)}: no step ran in WebAssembly`);
  }
  reached.rows += wasmRows;
  const result = { steps: main.steps, state: main.stateDigest() };
  main.drop();
  reference.drop();
  return result;
}

function configure(lib: Lib, config: ThreadConfig): void {
  lib.configureSimd({ threads: config.threads, parallelThreshold: config.parallelThreshold });
}

/** Checks properties 1–3 on a scenario; throws an Error naming the run, step and tensors. */
export async function checkScenario(
  lib: Lib,
  program: ChildProgram,
  scenario: Scenario,
  limit: <T>(task: () => Promise<T>) => Promise<T>,
): Promise<void> {
  const { runs } = scenario;
  const info = lib.simdInfo();
  const saved = { threads: info.threads, parallelThreshold: info.parallelThreshold };
  const parallelBefore = info.parallelSteps;
  // The fresh processes run while this one works (stdin carries the run, stdout the bits).
  const children = runs.map((spec, r) =>
    limit(() => runChild(program, { spec, ...scenario.child[r] })),
  );
  for (const child of children) child.catch(() => {});
  try {
    configure(lib, scenario.start);
    const t0 = performance.now();
    const first = runs.map((spec, r) => firstExecution(lib, spec, scenario.referenceArena[r]));
    reached.msFirst += performance.now() - t0;
    await collect();

    const executions = scenario.executions.map((r) => new Execution(lib, runs[r]));
    const label = (e: number) =>
      `execution ${e} (run ${scenario.executions[e]}: ${describeRun(executions[e].spec)})`;
    executions.forEach((execution, e) => {
      const expected = first[scenario.executions[e]];
      execution.onStep = (t, digests) => {
        if (digests.join() !== expected.steps[t].join()) {
          throw new Error(
            `${label(e)}: bits differ from its first execution after step ${t + 1}, ${differing(digests, expected.steps[t])}`,
          );
        }
        reached.steps++;
      };
    });
    const dropped = new Set<number>();
    for (const op of scenario.ops) {
      switch (op.op) {
        case 'step':
          if (!dropped.has(op.execution) && !executions[op.execution].done) {
            executions[op.execution].step();
          }
          break;
        case 'drop':
          executions[op.execution].drop();
          dropped.add(op.execution);
          break;
        case 'reload':
          if (!dropped.has(op.execution) && executions[op.execution].started) {
            executions[op.execution].reload(op.json);
            reached.reloads++;
          }
          break;
        case 'gc':
          await collect();
          break;
        case 'sleep':
          await sleep(op.ms);
          break;
        case 'threads':
          configure(lib, op);
          break;
      }
    }
    // The rest of each execution, one after another, collecting garbage between them.
    for (const [e, execution] of executions.entries()) {
      if (dropped.has(e)) continue;
      while (!execution.done) execution.step();
      const state = execution.stateDigest();
      if (state !== first[scenario.executions[e]].state) {
        throw new Error(`${label(e)}: its final state differs from its first execution's`);
      }
      execution.drop();
      reached.executions++;
      if (e % 2 === 1) await collect();
    }

    for (const [r, child] of children.entries()) {
      const t1 = performance.now();
      const response = await child;
      reached.msChildren += performance.now() - t1;
      reached.children++;
      reached.childParallelSteps += response.info.parallelSteps;
      const what = `run ${r} (${describeRun(runs[r])}) in a fresh process ${JSON.stringify(scenario.child[r])}`;
      if (response.steps.length !== first[r].steps.length) {
        throw new Error(`${what}: ${response.steps.length} steps`);
      }
      expectSameSteps(response.steps, first[r].steps, what);
      if (response.state !== first[r].state) throw new Error(`${what}: its final state differs`);
    }
    reached.scenarios++;
  } finally {
    reached.parallelSteps += lib.simdInfo().parallelSteps - parallelBefore;
    configure(lib, saved);
    lib.configureSimd({ simd: true, arena: true });
    await Promise.allSettled(children);
  }
}
