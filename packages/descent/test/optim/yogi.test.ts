import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { Yogi } from '../../src/optim/yogi.js';
import { expectCheckedBeforeStep, expectRejected, sharedOptionErrors } from './moments.js';
import { loadCases, replay } from './reference.js';

describe('Yogi against Dive into Deep Learning (12.10)', () => {
  for (const c of loadCases('yogi.json')) it(c.name, () => replay(c));
});

describe('Yogi options', () => {
  it.each(sharedOptionErrors)(
    'rejects %o, as an option or in a group',
    (options, type, message) => {
      expectRejected(Yogi, options, type, message);
    },
  );

  it('checks options changed between steps before anything moves', () => {
    expectCheckedBeforeStep(Yogi, { lr: 0.1 }, { maximize: 'yes' });
  });

  it("uses the book's defaults", () => {
    expect(new Yogi([param([1, 2, 3])]).defaults).toEqual({
      lr: 0.01,
      betas: [0.9, 0.999],
      eps: 1e-3,
      weightDecay: 0,
      maximize: false,
      stateDtype: null,
      stochasticRounding: false,
      seed: 0,
      min8bitSize: 4096,
    });
  });

  it('moves s by (1 − β₂) g² towards g², and leaves it when the gradient vanishes', () => {
    const a = param([1, -2], { dtype: 'float64' });
    const opt = new Yogi([a], { betas: [0.9, 0.5] });
    a.grad.set([2, -4]);
    opt.step();
    const state = opt.state.get(a)!;
    expect(Object.keys(state)).toEqual(['step', 'expAvg', 'expAvgSq']);
    expect([...(state.expAvgSq as Float64Array)]).toEqual([2, 8]);
    a.grad.set([0, 1]);
    opt.step();
    // g² below s: s falls by (1 − β₂) g², not by Adam's fraction of s.
    expect([...(state.expAvgSq as Float64Array)]).toEqual([2, 7.5]);
    expect(state.step).toBe(2);
  });
});
