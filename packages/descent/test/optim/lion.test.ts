import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { LAMB } from '../../src/optim/lamb.js';
import { Lion } from '../../src/optim/lion.js';
import { StepLR } from '../../src/schedules/index.js';
import { expectCheckedBeforeStep, expectRejected } from './moments.js';
import { loadCases, replay } from './reference.js';

describe('Lion against the paper’s algorithm', () => {
  for (const c of loadCases('lion.json')) it(c.name, () => replay(c));
});

describe('Lion options', () => {
  it.each([
    [{ lr: -1 }, RangeError, /^Invalid learning rate \(lr\): -1$/],
    [{ lr: 'fast' }, TypeError, /^Invalid learning rate \(lr\): "fast" \(expected a number\)$/],
    [{ weightDecay: -0.1 }, RangeError, /^Invalid weight_decay value \(weightDecay\): -0.1$/],
    [{ lr: 0.1, weightDecay: 20 }, RangeError, /^Invalid weight_decay value \(weightDecay\): 20/],
    [
      { betas: [1, 0.99] },
      RangeError,
      /^Invalid beta parameter at index 0 \(betas\[0\]\): 1 \(expected in \[0, 1\)\)$/,
    ],
    [
      { betas: [0.9, -0.5] },
      RangeError,
      /^Invalid beta parameter at index 1 \(betas\[1\]\): -0.5 \(expected in \[0, 1\)\)$/,
    ],
    [{ betas: [0.9] }, TypeError, /^Invalid betas: \[0.9\] \(expected two numbers\)$/],
    [{ maximize: 0 }, TypeError, /^Invalid maximize: 0 \(expected true or false\)$/],
    [{ eps: 1e-8 }, TypeError, /^Unknown option eps for Lion\b/],
  ] as const)('rejects %o, as an option or in a group', (options, type, message) => {
    expectRejected(Lion, options, type, message);
  });

  it('checks options changed between steps before anything moves', () => {
    expectCheckedBeforeStep(Lion, { lr: 0.1 }, { betas: [0.9, 2] });
  });

  it('uses the paper’s defaults', () => {
    expect(new Lion([param([1, 2, 3])]).defaults).toEqual({
      lr: 1e-4,
      betas: [0.9, 0.99],
      weightDecay: 0,
      maximize: false,
      stateDtype: null,
      stochasticRounding: false,
      seed: 0,
      min8bitSize: 4096,
    });
  });

  it('steps every coordinate by ±lr, 0 where the blend is 0, and keeps the momentum', () => {
    const p = param([1, -2, 3, 0.5], { dtype: 'float64' });
    const opt = new Lion([p], { lr: 0.1, weightDecay: 0.5 });
    p.grad.set([4, -1e-9, 0, -3]);
    opt.step();
    // (1 − 0.1·0.5) θ − 0.1 sign(0.1 g): sign 0 for the zero gradient.
    expect([...p.data]).toEqual([0.95 - 0.1, -1.9 + 0.1, 3 * 0.95, 0.475 + 0.1]);
    expect(Object.keys(opt.state.get(p)!)).toEqual(['expAvg']);
    expect([...(opt.state.get(p)!.expAvg as Float64Array)]).toEqual([
      (1 - 0.99) * 4,
      (1 - 0.99) * -1e-9,
      0,
      (1 - 0.99) * -3,
    ]);
  });
});

describe('a scheduler', () => {
  it('drives Lion’s and LAMB’s lr: the step halves with it', () => {
    for (const make of [
      (ps: ReturnType<typeof param>[]) => new Lion(ps, { lr: 0.1 }),
      (ps: ReturnType<typeof param>[]) => new LAMB(ps, { lr: 0.1 }),
    ]) {
      const p = param([1, -2, 3], { dtype: 'float64' });
      const opt = make([p]);
      const scheduler = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
      const moves: number[] = [];
      for (let t = 0; t < 3; t++) {
        const before = p.data[0];
        p.grad.set([1, 1, 1]);
        opt.step();
        scheduler.step();
        moves.push(before - p.data[0]);
      }
      expect(opt.paramGroups[0].lr).toBe(0.1 / 8);
      // Lion moves by lr exactly; LAMB by lr · ‖θ‖/‖u‖ · u, whose θ changes a little per step.
      expect(moves[1] / moves[0]).toBeCloseTo(0.5, 1);
      expect(moves[2] / moves[1]).toBeCloseTo(0.5, 1);
    }
  });
});
