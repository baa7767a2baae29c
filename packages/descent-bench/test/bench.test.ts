import { afterAll, describe, expect, it } from 'vitest';
import { configureSimd, simdInfo } from '../../descent/src/kernels/wasm/index.js';
import { DEFAULT_THREADS, DEFAULT_THRESHOLD, pool } from '../../descent/src/kernels/wasm/pool.js';
import { prepareThreads, sampleDescent } from '../src/descent.js';
import { runBench } from '../src/main.js';
import { optimizers } from '../src/optimizers.js';
import { type BenchResult, caseFigures, formatReport, targets } from '../src/report.js';
import { QUICK } from '../src/timing.js';

/**
 * `npm run bench --quick` end to end, in-process: every section runs and reports, and its figures
 * are the times it measured turned into GB/s by hand here. How fast the machine is is not checked
 * (it is shared, and quick sizes measure nothing): this is not a timed test.
 */

/** GB/s by hand: bytes per element times elements, over the best time in seconds, over 1e9. */
const gbs = (bytesPerElement: number, elements: number, ms: number) =>
  (bytesPerElement * elements) / (ms / 1000) / 1e9;

/** The reference's GB/s from its times, and every case's row from its times. */
function expectFiguresFromTimes(result: BenchResult) {
  const b = result.bandwidth;
  // b = b*s + c: b and c read, b written, 4 bytes each.
  expect(b.bytes).toBe(12 * b.elements);
  expect(b.wasm1).toBeCloseTo(gbs(12, b.elements, b.wasm1Ms), 9);
  expect(b.wasmAll).toBeCloseTo(gbs(12, b.elements, b.wasmAllMs), 9);
  for (const c of result.cases) {
    const f = caseFigures(c, b);
    const spec = optimizers.find((s) => s.name === c.optimizer)!;
    expect(c.bytes).toBe(spec.bytes);
    const simd = gbs(c.bytes, c.size, c.descent.simd!.best);
    const single = gbs(c.bytes, c.size, c.descent['simd-1']!.best);
    expect(f.simdGBs, c.optimizer).toBeCloseTo(simd, 9);
    expect(f.singleGBs, c.optimizer).toBeCloseTo(single, 9);
    expect(f.simdShare).toBeCloseTo(simd / Math.max(b.wasmAll, b.cAll ?? 0), 9);
    expect(f.singleShare).toBeCloseTo(single / Math.max(b.wasm1, b.c1 ?? 0), 9);
    expect(f.simdOverTs).toBeCloseTo(c.descent.ts!.best / c.descent.simd!.best, 9);
  }
}

afterAll(() => {
  pool.setWorkersOnly(false);
  configureSimd({ threads: DEFAULT_THREADS, parallelThreshold: DEFAULT_THRESHOLD });
});

describe('the benchmark, in quick mode', () => {
  it('runs every section and reports it', async () => {
    const lines: string[] = [];
    const result = await runBench({ quick: true, log: (line) => lines.push(line) });

    expect(result.quick).toBe(true);
    expect(result.rounds).toBe(1);
    expect(result.simd).toBe(true);
    // All cores: as many threads as the pool runs by default (one on a machine of one core).
    expect(result.machine.threads).toBe(DEFAULT_THREADS);
    const b = result.bandwidth;
    expect(b.threads).toBe(DEFAULT_THREADS);
    for (const gbs of [b.wasm1, b.wasmAll]) expect(gbs).toBeGreaterThan(0);
    // Compiled and run only when a C compiler is there; when it is, both figures come back.
    expect(b.c1 === null).toBe(b.compiler === null);
    expect(b.cAll === null).toBe(b.compiler === null);
    // Adagrad's step in C, with -march=native and (on x86) with 128-bit vectors.
    const adagradInC = result.adagradInC;
    if (b.compiler !== null) {
      expect(adagradInC.native).toBeGreaterThan(0);
      if (process.arch === 'x64') expect(adagradInC.vector128).toBeGreaterThan(0);
    }

    expect(result.cases.map((c) => c.optimizer)).toEqual(optimizers.map((s) => s.name));
    for (const c of result.cases) {
      for (const mode of ['simd', 'simd-1', 'ts'] as const) {
        expect(c.descent[mode]?.best, `${c.optimizer} ${mode}`).toBeGreaterThan(0);
      }
      const spec = optimizers.find((s) => s.name === c.optimizer)!;
      if (result.machine.tfjs !== null && spec.tfjs !== undefined) {
        expect(c.tfjs.cpu?.best).toBeGreaterThan(0);
        expect(c.tfjs.wasm?.best).toBeGreaterThan(0);
      }
      if (result.machine.torch !== null && spec.torch !== undefined) {
        expect(c.torch.foreach?.best).toBeGreaterThan(0);
        expect(c.torch.single?.best).toBeGreaterThan(0);
      }
    }
    expectFiguresFromTimes(result);
    const many = result.manySmall;
    expect(many.descent.simd?.many.best).toBeGreaterThan(0);
    expect(many.descent.simd?.one.best).toBeGreaterThan(0);

    // Muon's orthogonalization at a size off the product's tiles: every implementation timed,
    // descent's 15 products per step all in WebAssembly, none shared on one thread.
    const muon = result.muon!;
    expect(muon.cases.map((c) => c.size)).toEqual([50]);
    for (const c of muon.cases) {
      expect(c.descent.simd?.best).toBeGreaterThan(0);
      expect(c.descent['simd-1']?.best).toBeGreaterThan(0);
      expect(c.products['simd-1']![1]).toBe(0);
      for (const mode of ['simd', 'simd-1'] as const) {
        expect(c.products[mode]![0] % 15).toBe(0);
        expect(c.products[mode]![0]).toBeGreaterThanOrEqual(15 * QUICK.minReps);
      }
      if (result.machine.tfjs !== null) expect(c.tfjs.wasm?.best).toBeGreaterThan(0);
      if (result.machine.torch !== null) {
        expect(c.torch.one?.best).toBeGreaterThan(0);
        expect(c.torch.all?.best).toBeGreaterThan(0);
      }
    }
    if (result.machine.tfjs !== null) expect(muon.tfjsThreads).toBeGreaterThanOrEqual(1);

    const report = formatReport(result);
    expect(report).toContain("Muon's orthogonalization");
    expect(report).toContain('| 50×50 ');
    for (const spec of optimizers) expect(report).toContain(`| ${spec.name} `);
    expect(report).toContain('WebAssembly SIMD');
    const reference = report.split('\n').find((line) => line.startsWith('| WebAssembly SIMD'))!;
    expect(reference.split('|').map((cell) => cell.trim())).toEqual([
      '',
      'WebAssembly SIMD',
      '1.05M',
      b.wasm1.toFixed(1),
      b.wasmAll.toFixed(1),
      '',
    ]);
    if (b.compiler !== null) expect(report).toContain("Adagrad's step in C on one thread");
    expect(report).toContain(`${many.count} x`);
    // Quick sizes have none of the targets' sizes but the many-small case.
    expect(targets(result).map((t) => t.target)).toEqual([
      `${many.count} x ${many.size} within 1.5x of 1 x ${many.total}`,
    ]);
    expect(lines.length).toBeGreaterThan(optimizers.length);
  });

  // Above the pool's threshold, on two threads whatever the machine (on one core they take turns).
  const size = 600_000;
  const chunks = Math.ceil(size / 2 ** 16);

  it('shares every step of the all-core cases between threads above the threshold', async () => {
    expect(size).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    configureSimd({ threads: 2 });
    const before = simdInfo().parallelSteps;
    const result = await runBench({
      quick: true,
      sizes: [size],
      tfjs: false,
      torch: false,
      log: () => {},
    });
    const shared = simdInfo().parallelSteps - before;

    expect(result.machine.threads).toBe(2);
    const b = result.bandwidth;
    // The quick reference runs over 2^20 elements: all its passes on every core are shared.
    expect(b.elements).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(b.sharing.wasmAll.steps).toBeGreaterThanOrEqual(QUICK.minReps);
    expect(b.sharing.wasmAll.shared).toBe(b.sharing.wasmAll.steps);
    expect(b.sharing.wasm1.shared).toBe(0);
    let expected = b.sharing.wasmAll.shared;
    for (const c of result.cases) {
      const s = c.sharing;
      expect(s.simd!.steps, c.optimizer).toBeGreaterThanOrEqual(QUICK.minReps);
      expect(s.simd!.shared, c.optimizer).toBe(s.simd!.steps);
      expect(s['simd-1']!.steps).toBeGreaterThanOrEqual(QUICK.minReps);
      expect(s['simd-1']!.shared, c.optimizer).toBe(0);
      expect(s.ts!.shared, c.optimizer).toBe(0);
      // Counted in calls: a step of several passes shares each of them.
      expected += s.simd!.shared;
    }
    // 20 x 50 elements, many small tensors or one, stay on one thread.
    expect(shared).toBe(expected);
    expectFiguresFromTimes(result);
  });

  it('hands the all-core step to the workers: with the caller out, they run every chunk', async () => {
    configureSimd({ threads: 2 });
    const adam = optimizers.find((s) => s.name === 'Adam')!;
    expect(await prepareThreads()).toBe(2);
    pool.setWorkersOnly(true);
    const before = simdInfo();
    const sampled = sampleDescent(adam, [size], 'simd', QUICK);
    pool.setWorkersOnly(false);
    const after = simdInfo();
    expect(sampled.sharing.shared).toBe(sampled.sharing.steps);
    expect(after.parallelSteps - before.parallelSteps).toBe(sampled.sharing.steps);
    expect(after.chunksStolen - before.chunksStolen).toBe(sampled.sharing.steps * chunks);
  });
});
