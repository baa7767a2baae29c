import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { RAdam } from '../../src/optim/radam.js';
import { expectCheckedBeforeStep, expectRejected, sharedOptionErrors } from './moments.js';
import { loadCases, replay } from './reference.js';

describe('RAdam against PyTorch', () => {
  for (const c of loadCases('radam.json')) it(c.name, () => replay(c));
});

describe('RAdam options', () => {
  it.each([
    ...sharedOptionErrors,
    [
      { decoupledWeightDecay: 'true' },
      TypeError,
      /^Invalid decoupledWeightDecay: "true" \(expected true or false\)$/,
    ],
  ] as const)('rejects %o, as an option or in a group', (options, type, message) => {
    expectRejected(RAdam, options, type, message);
  });

  it('checks options changed between steps before anything moves', () => {
    expectCheckedBeforeStep(RAdam, { lr: 0.1 }, { eps: -1 });
  });

  it('uses PyTorch 2.x defaults', () => {
    expect(new RAdam([param([1, 2, 3])]).defaults).toEqual({
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      decoupledWeightDecay: false,
      maximize: false,
      stateDtype: null,
      stochasticRounding: false,
      seed: 0,
      min8bitSize: 4096,
    });
  });

  it('steps as momentum SGD until ρ_t > 5 (step 6 here), then adaptively', () => {
    // Under a constant gradient g the momentum SGD step is lr·g; the adaptive step ignores |g|.
    const changes = (g: number) => {
      const a = param([0], { dtype: 'float64' });
      const opt = new RAdam([a], { lr: 0.01 });
      const out: number[] = [];
      for (let t = 0; t < 7; t++) {
        const before = a.data[0];
        a.grad.set([g]);
        opt.step();
        out.push(before - a.data[0]);
      }
      return out;
    };
    const small = changes(3);
    const large = changes(300);
    for (let t = 0; t < 5; t++) {
      expect(small[t]).toBeCloseTo(0.03, 14);
      expect(large[t]).toBeCloseTo(3, 12);
    }
    for (const t of [5, 6]) {
      expect(small[t]).toBeGreaterThan(0);
      expect(small[t]).toBeLessThan(0.01);
      expect(large[t]).toBeCloseTo(small[t], 8);
    }
  });
});
