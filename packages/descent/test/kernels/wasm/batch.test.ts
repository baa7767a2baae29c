import { describe, expect, it } from 'vitest';
import { allocate, zeros } from '../../../src/core/param.js';
import { sumsLength } from '../../../src/kernels/partial-sums.js';
import {
  batch,
  closeRow,
  kernelId,
  openFactoredRow,
  openRow,
} from '../../../src/kernels/wasm/batch.js';
import { simdInfo } from '../../../src/kernels/wasm/index.js';

/**
 * The checks a row's arrays pass before WebAssembly may touch them: a refused row adds nothing
 * (its kernel's TypeScript loop then runs instead).
 */
describe("a factored parameter's rows (openFactoredRow)", () => {
  // A batch of two 3 × 4 matrices: 24 elements, 6 row factors, 8 column factors.
  const [m, n] = [3, 4];
  const p = allocate('float32', 24);
  const g = allocate('float32', 24);
  const rows = allocate('float32', 6);
  const cols = allocate('float32', 8);
  const roots = allocate('float32', 8);
  const sums = allocate('float64', sumsLength(24)) as Float64Array;
  const ROWS = kernelId('ADAFACTOR_ROWS');
  const FACTORED = kernelId('ADAFACTOR_FACTORED');

  /** Whether the row opened, and the rows the batch then ran. */
  const opened = (open: () => boolean) => {
    const before = simdInfo().rows;
    let result = false;
    batch(() => {
      result = open();
      // The factored kernels' scalars: m, n, w, 1/ε₁, ε₁, a zero step, no decay (a vector step
      // reads the first three as its own; p and g are zeros, so nothing moves either way).
      if (result) closeRow(0, m, n, 0.5, 1e-14, 1e-7, 0, 1);
    });
    return { result, rows: simdInfo().rows - before };
  };

  it('opens with factors of p.length / n and p.length / m numbers, summing or not', () => {
    expect(opened(() => openFactoredRow(ROWS, p, g, rows, cols, roots, m, n))).toEqual({
      result: true,
      rows: 1,
    });
    expect(opened(() => openFactoredRow(FACTORED, p, g, rows, cols, roots, m, n, sums))).toEqual({
      result: true,
      rows: 1,
    });
  });

  it('refuses factors of another length, another element type or outside the arena', () => {
    const refused = { result: false, rows: 0 };
    const long = allocate('float32', 9);
    expect(opened(() => openFactoredRow(ROWS, p, g, cols, cols, roots, m, n))).toEqual(refused);
    expect(opened(() => openFactoredRow(ROWS, p, g, rows, long, roots, m, n))).toEqual(refused);
    expect(opened(() => openFactoredRow(ROWS, p, g, rows, cols, long, m, n))).toEqual(refused);
    const double = allocate('float64', 8);
    expect(opened(() => openFactoredRow(ROWS, p, g, rows, double, roots, m, n))).toEqual(refused);
    const plain = zeros('float32', 8);
    expect(opened(() => openFactoredRow(ROWS, p, g, rows, cols, plain, m, n))).toEqual(refused);
    const short = allocate('float64', sumsLength(24) - 1) as Float64Array;
    expect(opened(() => openFactoredRow(FACTORED, p, g, rows, cols, roots, m, n, short))).toEqual(
      refused,
    );
  });

  it("leaves openRow's rule as it was: every array the parameter's length", () => {
    const STEP = kernelId('ADAFACTOR_STEP');
    expect(opened(() => openRow(STEP, p, g, rows))).toEqual({ result: false, rows: 0 });
    expect(opened(() => openRow(STEP, p, g, allocate('float32', 24)))).toEqual({
      result: true,
      rows: 1,
    });
  });
});
