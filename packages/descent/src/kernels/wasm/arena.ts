import type { StateArray } from '../../core/param.js';
import { PAGE_BYTES, wasm } from './instance.js';

/**
 * The arena: parameters, gradients and optimizer state allocated in the WebAssembly memory, so
 * the kernels step them in place, without copying.
 *
 * Blocks are 64-byte aligned (a cache line) and found first-fit in a free list kept in address
 * order, with neighbours merged. Memory grows on demand and never shrinks; because it is shared
 * memory, views made before a growth stay valid. An array's block returns to the free list when
 * the garbage collector reclaims the array (so a view derived from it, such as a `subarray`,
 * does not keep the block alive: keep the array itself), or at once with `freeArray`.
 *
 * Past the 4 GiB of 32-bit WebAssembly memory (or when the arena is switched off, or WebAssembly
 * SIMD is missing) allocations return null and callers use ordinary typed arrays instead, which
 * the TypeScript kernels step, more slowly.
 */

const ALIGN = 64;

let enabled = true;
let top = wasm?.constant('ARENA_BASE') ?? 0;
/**
 * Bytes at and above `clean` have never been handed out, so they are still the zeros the memory
 * grew with. Below it a block may hold what an earlier owner wrote, even one the bump pointer
 * hands out again (a block freed at the top returns to it), and must be zeroed.
 */
let clean = top;
let buffer = wasm?.memory.buffer;
/** Every buffer object the memory has had: a view made before a growth holds an older one. */
const buffers = new WeakSet<ArrayBufferLike>(buffer === undefined ? [] : [buffer]);
/** Live blocks: start → bytes. */
const live = new Map<number, number>();
/** Free blocks below `top`, in address order. */
const freeStarts: number[] = [];
const freeSizes: number[] = [];

const collected = new FinalizationRegistry<number>((start) => release(start));
/**
 * Arrays given to `freeArray`. Shared memory cannot be detached, so such an array still reads and
 * writes its old block, which a new array may own by now: `wasFreed` lets the optimizers refuse
 * it before a step rather than write into another parameter.
 */
const freed = new WeakSet<StateArray>();

/** Switches param() and optimizer state between the arena (the default) and ordinary arrays. */
export function setArenaEnabled(on: boolean): void {
  enabled = on;
}

export function arenaEnabled(): boolean {
  return enabled && wasm !== null;
}

/** True when the kernels can address `array` directly. */
export function inArena(array: StateArray): boolean {
  return buffers.has(array.buffer);
}

const views = {
  float32: Float32Array,
  float64: Float64Array,
  bfloat16: Uint16Array,
  uint8: Uint8Array,
} as const;
type View = typeof views;

/**
 * A zero-filled array in the arena (a float array, or bfloat16 bits or int8 codes of optimizer
 * state), or null when the arena is off, unavailable or full. The block is released when the
 * array is garbage-collected.
 */
export function arenaZeros<D extends keyof View>(
  dtype: D,
  length: number,
): InstanceType<View[D]> | null {
  if (!enabled || wasm === null || length === 0) return null;
  const View = views[dtype] as unknown as new (
    buffer: ArrayBufferLike,
    start: number,
    length: number,
  ) => InstanceType<View[D]>;
  const start = reserve(length * views[dtype].BYTES_PER_ELEMENT);
  if (start < 0) return null;
  const array = new View(buffer!, start, length);
  collected.register(array, start, array);
  return array;
}

/**
 * Returns an arena array's block at once rather than when the array is collected; true if it was
 * one. The array (and every view of it) must not be used afterwards: its memory will be reused.
 * An optimizer refuses to step a freed array (a parameter's data or gradient, or its state) with
 * a TypeError naming it.
 */
export function freeArray(array: StateArray): boolean {
  if (!inArena(array) || live.get(array.byteOffset) === undefined) return false;
  if (!collected.unregister(array)) return false;
  release(array.byteOffset);
  freed.add(array);
  return true;
}

/** True for an array whose block `freeArray` returned: nothing may step it any more. */
export function wasFreed(array: StateArray): boolean {
  return freed.has(array);
}

/** Bytes held by live blocks, and the size of the memory. */
export function arenaUsage(): { usedBytes: number; memoryBytes: number } {
  let usedBytes = 0;
  for (const bytes of live.values()) usedBytes += bytes;
  return { usedBytes, memoryBytes: buffer?.byteLength ?? 0 };
}

/** A zeroed block of at least `bytes`, its start address, or -1 when memory is exhausted. */
export function reserve(bytes: number): number {
  const size = Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN;
  for (let i = 0; i < freeStarts.length; i++) {
    if (freeSizes[i] < size) continue;
    const start = freeStarts[i];
    if (freeSizes[i] === size) {
      freeStarts.splice(i, 1);
      freeSizes.splice(i, 1);
    } else {
      freeStarts[i] += size;
      freeSizes[i] -= size;
    }
    new Uint8Array(buffer!, start, size).fill(0);
    live.set(start, size);
    return start;
  }
  const end = top + size;
  if (end > buffer!.byteLength && !grow(end)) return -1;
  const start = top;
  top = end;
  if (start < clean) new Uint8Array(buffer!, start, Math.min(end, clean) - start).fill(0);
  clean = Math.max(clean, end);
  live.set(start, size);
  return start;
}

/** Puts a block back in the free list, merging it with free neighbours. */
export function release(start: number): void {
  let size = live.get(start);
  if (size === undefined) return;
  live.delete(start);
  let lo = 0;
  let hi = freeStarts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (freeStarts[mid] < start) lo = mid + 1;
    else hi = mid;
  }
  let begin = start;
  if (lo < freeStarts.length && freeStarts[lo] === start + size) {
    size += freeSizes[lo];
    freeStarts.splice(lo, 1);
    freeSizes.splice(lo, 1);
  }
  if (lo > 0 && freeStarts[lo - 1] + freeSizes[lo - 1] === begin) {
    lo--;
    begin = freeStarts[lo];
    size += freeSizes[lo];
    freeStarts.splice(lo, 1);
    freeSizes.splice(lo, 1);
  }
  if (begin + size === top) {
    top = begin; // the end of the arena: give it back to the bump pointer
  } else {
    freeStarts.splice(lo, 0, begin);
    freeSizes.splice(lo, 0, size);
  }
}

function grow(end: number): boolean {
  const memory = wasm!.memory;
  if (end > wasm!.maximumBytes) return false;
  // Geometric growth keeps the number of growths logarithmic in the arena's size.
  const current = buffer!.byteLength;
  const wanted = Math.min(Math.max(end, current * 1.25), wasm!.maximumBytes);
  try {
    memory.grow(Math.ceil((wanted - current) / PAGE_BYTES));
  } catch {
    return false;
  }
  buffer = memory.buffer;
  buffers.add(buffer);
  return true;
}
