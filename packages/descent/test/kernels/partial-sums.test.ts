import { describe, expect, it } from 'vitest';
import {
  SUM_BLOCK,
  SUMS_PER_BLOCK,
  SumsWorkspace,
  sumsLength,
  total,
} from '../../src/kernels/partial-sums.js';
import { inArena } from '../../src/kernels/wasm/arena.js';
import { wasm } from '../../src/kernels/wasm/instance.js';

describe('block sums', () => {
  it('has the layout of the WebAssembly kernels (assembly/reduce.ts)', () => {
    expect(wasm!.constant('SUM_BLOCK')).toBe(SUM_BLOCK);
    expect(wasm!.constant('SUMS_PER_BLOCK')).toBe(SUMS_PER_BLOCK);
  });

  it('holds SUMS_PER_BLOCK numbers per started block', () => {
    expect(sumsLength(1)).toBe(SUMS_PER_BLOCK);
    expect(sumsLength(SUM_BLOCK)).toBe(SUMS_PER_BLOCK);
    expect(sumsLength(SUM_BLOCK + 1)).toBe(2 * SUMS_PER_BLOCK);
  });

  it('adds sum k of every block, in order', () => {
    const sums = Float64Array.from([1, 10, 2, 20, 3, 30]);
    expect(total(sums, 0)).toBe(6);
    expect(total(sums, 1)).toBe(60);
    // In order: 1e16 + 1 + 1 rounds each 1 away, where 1 + 1 + 1e16 keeps 2 of them.
    expect(total(Float64Array.from([1e16, 0, 1, 0, 1, 0]), 0)).toBe(1e16);
  });

  it('cuts views from one arena array, kept while large enough', () => {
    const work = new SumsWorkspace();
    const [a, b] = work.views([5, 3000]);
    expect([a.length, b.length]).toEqual([sumsLength(5), sumsLength(3000)]);
    expect(inArena(a) && inArena(b)).toBe(true);
    expect(b.byteOffset).toBe(a.byteOffset + a.byteLength);
    const [c] = work.views([10]);
    expect(c.byteOffset).toBe(a.byteOffset);
    const [d] = work.views([100_000]);
    expect(d.length).toBe(sumsLength(100_000));
  });
});
