import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { SGD } from '../../src/optim/sgd.js';
import { loadCases, replay } from './reference.js';

describe('SGD against PyTorch', () => {
  for (const c of loadCases('sgd.json')) it(c.name, () => replay(c));
});

describe('SGD options', () => {
  const p = () => [param([1, 2, 3])];
  it.each([
    [{ lr: -1 }, RangeError, /learning rate \(lr\): -1/],
    [{ momentum: -0.5 }, RangeError, /momentum.*-0.5/],
    [{ weightDecay: -1 }, RangeError, /weightDecay.*-1/],
    [{ nesterov: true }, RangeError, /Nesterov/],
    [{ nesterov: true, momentum: 0.9, dampening: 0.1 }, RangeError, /dampening: 0.1/],
    [{ lr: 'fast' }, TypeError, /lr.*"fast"/],
  ])('rejects %o', (options, type, message) => {
    expect(() => new SGD(p(), options as never)).toThrow(type);
    expect(() => new SGD(p(), options as never)).toThrow(message);
  });

  it('uses PyTorch defaults', () => {
    expect(new SGD(p()).defaults).toEqual({
      lr: 1e-3,
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
      stateDtype: null,
      stochasticRounding: false,
      seed: 0,
      min8bitSize: 4096,
    });
  });
});
