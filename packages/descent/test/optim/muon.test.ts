import { afterAll, describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { configureSimd, startThreads } from '../../src/kernels/wasm/index.js';
import { matmulStats } from '../../src/kernels/wasm/matmul.js';
import { DEFAULT_THREADS, DEFAULT_THRESHOLD, pool } from '../../src/kernels/wasm/pool.js';
import { Muon } from '../../src/optim/muon.js';
import { loadCases, type ReferenceCase, replay } from './reference.js';

/** Matrix products a case's steps take: three per Newton–Schulz iteration of each parameter. */
const products = (c: ReferenceCase) =>
  c.steps.length *
  c.groups.reduce((sum, g) => sum + g.params.length * 3 * Number(g.options.nsSteps ?? 5), 0);

afterAll(() => {
  pool.setWorkersOnly(false);
  configureSimd({ arena: true, threads: DEFAULT_THREADS, parallelThreshold: DEFAULT_THRESHOLD });
});

// Three ways, as test/kernels/wasm/replay.test.ts replays the elementwise optimizers: parameters
// in the arena (the products in WebAssembly), in ordinary arrays (the TypeScript loops), and in
// the arena with every product's rows left to a worker thread.
describe.each(loadCases('muon.json').map((c) => [c.name, c] as const))(
  'Muon against PyTorch 2.9’s algorithm: %s',
  (_, c) => {
    it('in the arena (WebAssembly products)', () => {
      configureSimd({ arena: true });
      const before = matmulStats.products;
      replay(c);
      expect(matmulStats.products - before).toBe(products(c));
    });

    it('in ordinary arrays (TypeScript products)', () => {
      configureSimd({ arena: false });
      const before = matmulStats.products;
      try {
        replay(c);
      } finally {
        configureSimd({ arena: true });
      }
      expect(matmulStats.products).toBe(before);
    });

    it('by a worker thread', async () => {
      configureSimd({ threads: 2 });
      expect(await startThreads()).toBe(1);
      configureSimd({ parallelThreshold: 0 });
      pool.setWorkersOnly(true);
      const before = matmulStats.shared;
      try {
        replay(c);
      } finally {
        pool.setWorkersOnly(false);
        configureSimd({ parallelThreshold: DEFAULT_THRESHOLD });
      }
      expect(matmulStats.shared - before).toBe(products(c));
    });
  },
);

describe('Muon options', () => {
  it.each([
    [{ lr: -1 }, RangeError, /^Invalid learning rate \(lr\): -1$/],
    [{ weightDecay: -0.1 }, RangeError, /^Invalid weight_decay value \(weightDecay\): -0.1$/],
    [{ lr: 0.1, weightDecay: 20 }, RangeError, /^Invalid weight_decay value \(weightDecay\): 20/],
    [{ momentum: 1.5 }, RangeError, /^Invalid momentum value \(momentum\): 1.5/],
    [{ nesterov: 1 }, TypeError, /^Invalid nesterov: 1 \(expected true or false\)$/],
    [{ nsCoefficients: [1, 2] }, TypeError, /^Invalid nsCoefficients: \[1,2\] \(expected three/],
    [{ nsCoefficients: [1, 'b', 2] }, TypeError, /^Invalid nsCoefficients\[1\]: "b"/],
    [{ eps: -1 }, RangeError, /^Invalid epsilon value \(eps\): -1$/],
    [{ nsSteps: 2.5 }, RangeError, /^Invalid nsSteps: 2.5 \(expected an integer in \[0, 99\]\)$/],
    [{ nsSteps: 100 }, RangeError, /^Invalid nsSteps: 100 \(expected an integer in \[0, 99\]\)$/],
    [{ adjustLrFn: 'rms' }, RangeError, /^Invalid adjustLrFn: "rms"/],
    [{ maximize: true }, TypeError, /^Unknown option maximize for Muon\b/],
  ] as const)('rejects %o, as an option or in a group', (options, type, message) => {
    const asOption = () => new Muon([param([1, 2], { shape: [1, 2] })], options as never);
    const inGroup = () =>
      new Muon([{ params: [param([1, 2], { shape: [1, 2] })], ...options }] as never);
    for (const make of [asOption, inGroup]) {
      expect(make).toThrow(type);
      expect(make).toThrow(message);
    }
  });

  it('uses PyTorch’s defaults', () => {
    expect(new Muon([param([1, 2], { shape: [2, 1] })]).defaults).toEqual({
      lr: 1e-3,
      weightDecay: 0.1,
      momentum: 0.95,
      nesterov: true,
      nsCoefficients: [3.4445, -4.775, 2.0315],
      eps: 1e-7,
      nsSteps: 5,
      adjustLrFn: null,
    });
  });

  it('takes only matrices, and says to put the others in an AdamW group', () => {
    const matrix = param([1, 2, 3, 4, 5, 6], { shape: [2, 3] });
    const message =
      /^Muon takes only matrices, and parameter "bias" has shape \[3\]: .*AdamW group$/;
    const bias = param([1, 2, 3], { name: 'bias' });
    expect(() => new Muon([matrix, bias])).toThrow(RangeError);
    expect(() => new Muon([matrix, bias])).toThrow(message);
    expect(() => new Muon([param([1, 2, 3, 4], { shape: [1, 2, 2] })])).toThrow(/shape \[1,2,2\]/);
    const opt = new Muon([matrix]);
    expect(() => opt.addParamGroup({ params: [bias] })).toThrow(message);
    expect(opt.paramGroups).toHaveLength(1);
    // A shape replaced after construction is refused before anything moves.
    (matrix as { shape: readonly number[] }).shape = [6];
    matrix.grad.fill(1);
    const before = [...matrix.data];
    expect(() => opt.step()).toThrow(/has shape \[6\]/);
    expect([...matrix.data]).toEqual(before);
    expect(opt.state.size).toBe(0);
  });
});

describe('Muon on a single row or column', () => {
  // A 1 × n matrix X = s·u with ‖u‖ = 1 has X Xᵀ = s², so each iteration maps s to
  // a·s + b·s³ + c·s⁵, from s = 1: the update is s_k·g/‖g‖ (momentum 0, no nesterov: B = g).
  for (const shape of [
    [1, 2],
    [2, 1],
  ] as const) {
    it(`steps a ${shape.join(' × ')} matrix by the scalar iteration along g/‖g‖, lr adjusted`, () => {
      const p = param([1, -2], { dtype: 'float64', shape: [...shape] });
      const opt = new Muon([p], { lr: 0.1, weightDecay: 0.5, momentum: 0, nesterov: false });
      p.grad.set([3, 4]);
      opt.step();
      let factor = 1;
      for (let k = 0; k < 5; k++)
        factor = 3.4445 * factor - 4.775 * factor ** 3 + 2.0315 * factor ** 5;
      const lr = shape[0] > shape[1] ? 0.1 * Math.SQRT2 : 0.1;
      const expected = [1 * 0.95 - (lr * factor * 3) / 5, -2 * 0.95 - (lr * factor * 4) / 5];
      expect(p.data[0]).toBeCloseTo(expected[0], 14);
      expect(p.data[1]).toBeCloseTo(expected[1], 14);
    });
  }
});
