import { describe, expect, it } from 'vitest';
import { runBench } from '../../bench/main.js';
import { optimizers } from '../../bench/optimizers.js';
import { formatReport, targets } from '../../bench/report.js';

/**
 * `npm run bench --quick` end to end, in-process: every section runs and reports. Timings are not
 * checked (the machine is shared and quick sizes measure nothing): this is not a timed test.
 */
describe('the benchmark, in quick mode', () => {
  it('runs every section and reports it', async () => {
    const lines: string[] = [];
    const result = await runBench({ quick: true, log: (line) => lines.push(line) });

    expect(result.quick).toBe(true);
    expect(result.rounds).toBe(1);
    expect(result.simd).toBe(true);
    const b = result.bandwidth;
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
    const many = result.manySmall;
    expect(many.descent.simd?.many.best).toBeGreaterThan(0);
    expect(many.descent.simd?.one.best).toBeGreaterThan(0);

    const report = formatReport(result);
    for (const spec of optimizers) expect(report).toContain(`| ${spec.name} `);
    expect(report).toContain('WebAssembly SIMD');
    if (b.compiler !== null) expect(report).toContain("Adagrad's step in C on one thread");
    expect(report).toContain(`${many.count} x`);
    // Quick sizes have none of the targets' sizes but the many-small case.
    expect(targets(result).map((t) => t.target)).toEqual([
      `${many.count} x ${many.size} within 1.5x of 1 x ${many.total}`,
    ]);
    expect(lines.length).toBeGreaterThan(optimizers.length);
  });
});
