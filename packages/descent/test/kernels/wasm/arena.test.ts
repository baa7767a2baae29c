import { afterEach, describe, expect, it } from 'vitest';
import { allocate, param } from '../../../src/core/param.js';
import { arenaZeros } from '../../../src/kernels/wasm/arena.js';
import { configureSimd, freeArray, inArena, simdInfo } from '../../../src/kernels/wasm/index.js';
import { SGD } from '../../../src/optim/sgd.js';

afterEach(() => configureSimd({ arena: true, simd: true }));

describe('the WebAssembly arena', () => {
  it('is available on this Node', () => {
    expect(simdInfo().available).toBe(true);
    expect(simdInfo().maximumBytes).toBe(2 ** 32);
  });

  it('holds the data and gradient param() makes, zero-filled and apart', () => {
    const p = param([1, 2, 3], { dtype: 'float64' });
    expect(inArena(p.data)).toBe(true);
    expect(inArena(p.grad)).toBe(true);
    expect([...p.grad]).toEqual([0, 0, 0]);
    p.grad.fill(5);
    expect([...p.data]).toEqual([1, 2, 3]);
    expect(p.data.byteOffset % 64).toBe(0);
    expect(p.grad.byteOffset % 64).toBe(0);
  });

  it('keeps views valid when the memory grows', () => {
    const p = param([0.5, -1.5]);
    const before = simdInfo().memoryBytes;
    const big = allocate('float32', 4 * 1024 * 1024); // 16 MiB: the memory must grow
    expect(simdInfo().memoryBytes).toBeGreaterThan(before);
    expect([...p.data]).toEqual([0.5, -1.5]);
    // The kernel writes through the memory; the old view still sees it.
    p.grad.set([1, 1]);
    new SGD([p], { lr: 0.25 }).step();
    expect([...p.data]).toEqual([0.25, -1.75]);
    expect(freeArray(big)).toBe(true);
  });

  it('reuses a freed block, zero-filled', () => {
    const a = arenaZeros('float32', 1000)!;
    a.fill(7);
    const start = a.byteOffset;
    expect(freeArray(a)).toBe(true);
    expect(freeArray(a)).toBe(false);
    const b = arenaZeros('float32', 1000)!;
    expect(b.byteOffset).toBe(start);
    expect(b.every((x) => x === 0)).toBe(true);
    expect(freeArray(b.subarray(0, 10))).toBe(false);
    expect(freeArray(new Float32Array(3))).toBe(false);
  });

  it('can be switched off: param() then makes ordinary arrays, stepped in TypeScript', () => {
    configureSimd({ arena: false });
    const p = param([1, 2]);
    expect(inArena(p.data)).toBe(false);
    expect(p.data.buffer).toBeInstanceOf(ArrayBuffer);
    const rows = simdInfo().rows;
    p.grad.set([1, 1]);
    new SGD([p], { lr: 0.5 }).step();
    expect([...p.data]).toEqual([0.5, 1.5]);
    expect(simdInfo().rows).toBe(rows);
  });

  it('can run every step in TypeScript, arena or not', () => {
    configureSimd({ simd: false });
    const p = param([1, 2]);
    expect(inArena(p.data)).toBe(true);
    const rows = simdInfo().rows;
    p.grad.set([1, 1]);
    new SGD([p], { lr: 0.5 }).step();
    expect([...p.data]).toEqual([0.5, 1.5]);
    expect(simdInfo().rows).toBe(rows);
    expect(simdInfo().simd).toBe(false);
  });

  it('steps parameters made as plain objects, in TypeScript', () => {
    const p = { data: new Float32Array([1, 2]), grad: new Float32Array([2, 2]) };
    const rows = simdInfo().rows;
    new SGD([p], { lr: 0.25 }).step();
    expect([...p.data]).toEqual([0.5, 1.5]);
    expect(simdInfo().rows).toBe(rows);
  });

  it('puts optimizer state, made or restored, in the arena', () => {
    const p = param([1, 2]);
    p.grad.set([1, 1]);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    opt.step();
    expect(inArena(opt.state.get(p)!.momentumBuffer as Float32Array)).toBe(true);
    const restored = new SGD([p], { lr: 0.1, momentum: 0.9 });
    restored.loadStateDict(JSON.parse(JSON.stringify(opt.stateDict())));
    const buffer = restored.state.get(p)!.momentumBuffer as Float32Array;
    expect(inArena(buffer)).toBe(true);
    expect([...buffer]).toEqual([...(opt.state.get(p)!.momentumBuffer as Float32Array)]);
  });

  it('falls back to ordinary arrays past the 4 GiB of WebAssembly memory', () => {
    // Untouched pages cost address space only, so filling the 4 GiB is cheap.
    const gib = 2 ** 28; // float32 elements in 1 GiB
    const blocks = [1, 2, 3].map(() => allocate('float32', gib));
    expect(blocks.every(inArena)).toBe(true);
    const beyond = param(gib);
    expect(inArena(beyond.data)).toBe(false);
    expect(beyond.data.length).toBe(gib);
    for (const block of blocks) freeArray(block);
    expect(inArena(param(gib).data)).toBe(true);
  });

  it.each([
    [{ threads: 0 }, RangeError, /threads: 0/],
    [{ threads: 1.5 }, RangeError, /threads: 1.5/],
    [{ parallelThreshold: -1 }, RangeError, /parallelThreshold: -1/],
    [{ arena: 'yes' }, TypeError, /arena: "yes"/],
    [{ simd: 1 }, TypeError, /simd: 1/],
  ])('configureSimd rejects %o and changes nothing', (options, type, message) => {
    const before = simdInfo();
    expect(() => configureSimd({ arena: false, ...options } as never)).toThrow(type);
    expect(() => configureSimd(options as never)).toThrow(message);
    expect(simdInfo().arena).toBe(before.arena);
    expect(simdInfo().threads).toBe(before.threads);
  });
});

describe('blocks handed out again', () => {
  it('are zero when the bump pointer takes back a block freed at the top', () => {
    // The cause of identical runs differing after a collection: the top block went back to the
    // bump pointer, which took its memory for never used.
    const below = arenaZeros('float32', 64)!;
    const top = arenaZeros('float32', 1000)!;
    top.fill(7);
    const start = top.byteOffset;
    expect(freeArray(top)).toBe(true);
    const again = arenaZeros('float32', 1000)!;
    expect(again.byteOffset).toBe(start);
    expect(again.every((x) => x === 0)).toBe(true);
    freeArray(again);
    freeArray(below);
  });
});
