import { describe, expect, it } from 'vitest';
import { type Param, param } from '../../../src/core/param.js';
import { freeArray, inArena, simdInfo } from '../../../src/kernels/wasm/index.js';
import * as optim from '../../../src/optim/index.js';
import type { Optimizer } from '../../../src/optim/optimizer.js';

/**
 * The arena gives back what is dropped: ten thousand parameters and optimizers, of every kind,
 * made, stepped or not (so with their state or without), some with a gradient from outside the
 * arena (its copy in the arena), some reloaded from a state dict, some freed at once, and then
 * dropped, return the arena to the bytes it held before once the garbage collector has run and
 * the FinalizationRegistry has released their blocks; and the WebAssembly memory, which never
 * shrinks, stops growing after the first thousand, since later ones reuse the freed blocks.
 * (In this project because it needs `gc()`: node --expose-gc.)
 */

const gc = (globalThis as { gc?: () => void }).gc;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const used = () => simdInfo().arenaBytes;
const memory = () => simdInfo().memoryBytes;

/**
 * Collects until the arena holds `target` bytes (or, without one, until it holds still over
 * three collections), or 40 tries: FinalizationRegistry callbacks run in a task some time after
 * the collection that found their arrays, and some arrays (a staged gradient, held by a WeakMap
 * keyed by its parameter) take a second collection.
 */
async function collectTo(target?: number): Promise<number> {
  if (gc === undefined) throw new Error('the memory test needs node --expose-gc');
  let still = 0;
  for (let i = 0; i < 40 && used() !== target && still < 3; i++) {
    const before = used();
    gc();
    await sleep(5);
    still = target === undefined && used() === before ? still + 1 : 0;
  }
  return used();
}

type Make = (params: Param[]) => Optimizer<object>;
const hessian = (ps: Param[]) => {
  const n = ps.reduce((k, p) => k + p.data.length, 0);
  return Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 2 : 0));
};
const kinds: [string, Make][] = [
  ['SGD', (ps) => new optim.SGD(ps, { lr: 0.01, momentum: 0.9 })],
  ['Adam', (ps) => new optim.Adam(ps, { amsgrad: true })],
  ['AdamW', (ps) => new optim.AdamW(ps)],
  ['RMSprop', (ps) => new optim.RMSprop(ps, { centered: true, momentum: 0.5 })],
  ['Adagrad', (ps) => new optim.Adagrad(ps)],
  ['Adadelta', (ps) => new optim.Adadelta(ps)],
  ['Adamax', (ps) => new optim.Adamax(ps)],
  ['NAdam', (ps) => new optim.NAdam(ps)],
  ['RAdam', (ps) => new optim.RAdam(ps)],
  ['Rprop', (ps) => new optim.Rprop(ps)],
  ['ASGD', (ps) => new optim.ASGD(ps)],
  ['Yogi', (ps) => new optim.Yogi(ps)],
  ['LBFGS', (ps) => new optim.LBFGS(ps, { maxIter: 2 })],
  ['Newton', (ps) => new optim.Newton(ps, { hessian })],
];

/** The i-th of the ten thousand: its kind, size, element type and fate follow from i. */
function makeAndDrop(i: number): void {
  const [name, make] = kinds[i % kinds.length];
  const n = name === 'Newton' ? 3 : [1, 17, 300, 4096][(i >> 4) % 4];
  const dtype = i % 3 === 0 ? 'float64' : 'float32';
  const ps = [
    param(
      Float64Array.from({ length: n }, (_, k) => Math.cos(k + i)),
      { dtype },
    ),
  ];
  if (i % 5 === 0) ps.push(param(n, { dtype }));
  const optimizer = make(ps);
  const fill = () => {
    for (const p of ps) p.grad?.fill(0.25);
    return 1;
  };
  if (i % 7 === 3) ps[0].grad = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  if (i % 2 === 0) {
    fill();
    optimizer.step(fill);
    optimizer.step(fill);
  }
  if (i % 11 === 0) {
    const copy = make(ps);
    copy.loadStateDict(JSON.parse(JSON.stringify(optimizer.stateDict())));
  }
  if (i % 13 === 0) {
    for (const state of optimizer.state.values()) {
      for (const value of Object.values(state)) {
        if (value instanceof Float32Array || value instanceof Float64Array) freeArray(value);
      }
    }
    freeArray(ps[0].data);
  }
}

describe('the arena', () => {
  it('returns to its size after ten thousand optimizers and parameters are dropped', async () => {
    expect(inArena(param(1).data)).toBe(true);
    // A first round sizes what lasts (the step table) before the baseline is taken.
    for (let i = 0; i < kinds.length * 8; i++) makeAndDrop(i);
    const start = await collectTo();
    const memoryAfter: number[] = [];
    let peak = 0;
    for (let round = 0; round < 10; round++) {
      for (let i = round * 1000; i < (round + 1) * 1000; i++) makeAndDrop(i);
      // Nothing is released before the loop yields: the whole round is still in the arena.
      peak = Math.max(peak, used() - start);
      expect(await collectTo(start), `round ${round}`).toBe(start);
      memoryAfter.push(memory());
    }
    expect(peak).toBeGreaterThan(1e6);
    // The memory grew for the first round and at most once more (fragmentation), then held.
    const growths = memoryAfter.slice(1).filter((bytes, k) => bytes > memoryAfter[k]).length;
    expect(growths, `memory after each round: ${memoryAfter.join(', ')}`).toBeLessThanOrEqual(1);
  });

  it('keeps the blocks of what is still reachable, and gives them back when it is not', async () => {
    const start = await collectTo();
    // Made by a function of its own: an async function's suspended frame may hold its locals.
    const kept = (() => {
      const optimizers: Optimizer<object>[] = [];
      for (let i = 0; i < 200; i++) {
        const p = param(300);
        p.grad!.fill(1);
        const optimizer = new optim.Adam([p]);
        optimizer.step();
        optimizers.push(optimizer);
      }
      return optimizers;
    })();
    // 200 parameters and gradients of 300 float32 (1,200 bytes each, 1,216 in 64-byte blocks)
    // and their two Adam moments: 800 blocks of 1,216 bytes.
    expect((await collectTo()) - start).toBe(800 * 1216);
    expect(kept).toHaveLength(200);
    kept.length = 0;
    expect(await collectTo(start)).toBe(start);
  });
});
