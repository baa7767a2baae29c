import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { Adam } from '../../src/optim/adam.js';
import { AdamW } from '../../src/optim/adamw.js';
import { expectCheckedBeforeStep, expectRejected, sharedOptionErrors } from './moments.js';
import { loadCases, replay } from './reference.js';

describe('AdamW against PyTorch', () => {
  for (const c of loadCases('adamw.json')) it(c.name, () => replay(c));
});

describe('AdamW options', () => {
  it.each([
    ...sharedOptionErrors,
    [{ amsgrad: 1 }, TypeError, /^Invalid amsgrad: 1 \(expected true or false\)$/],
    [
      { decoupledWeightDecay: false },
      RangeError,
      /^Invalid decoupledWeightDecay: false \(AdamW always decouples weight decay; use Adam\)$/,
    ],
    [
      { decoupledWeightDecay: 'no' },
      TypeError,
      /^Invalid decoupledWeightDecay: "no" \(expected true or false\)$/,
    ],
  ] as const)('rejects %o, as an option or in a group', (options, type, message) => {
    expectRejected(AdamW, options, type, message);
  });

  it('checks options changed between steps before anything moves', () => {
    expectCheckedBeforeStep(AdamW, { lr: 0.1 }, { decoupledWeightDecay: false });
  });

  it('uses PyTorch 2.x defaults', () => {
    expect(new AdamW([param([1, 2, 3])]).defaults).toEqual({
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 1e-2,
      amsgrad: false,
      maximize: false,
      decoupledWeightDecay: true,
      stateDtype: null,
      stochasticRounding: false,
      seed: 0,
      min8bitSize: 4096,
    });
  });

  it('is Adam with decoupled weight decay, to the bit', () => {
    const options = { lr: 0.05, weightDecay: 0.1, amsgrad: true };
    const a = param([1, -2, 0.5]);
    const b = param([1, -2, 0.5]);
    const adamw = new AdamW([a], options);
    const adam = new Adam([b], { ...options, decoupledWeightDecay: true });
    expect(adamw).toBeInstanceOf(Adam);
    for (let t = 0; t < 5; t++) {
      for (const p of [a, b]) p.grad.set([Math.sin(t), Math.cos(t), t - 2]);
      adamw.step();
      adam.step();
    }
    expect([...a.data]).toEqual([...b.data]);
    expect(a.data).not.toEqual(new Float32Array([1, -2, 0.5]));
  });
});
