import { describe, expect, it } from 'vitest';
import { type Param, param } from '../../src/core/param.js';
import { SGD } from '../../src/optim/sgd.js';

const withGrad = (values: number[], grad: number[], name?: string) => {
  const p = param(values, { dtype: 'float64', name });
  p.grad.set(grad);
  return p;
};

describe('Optimizer base', () => {
  it('fills missing group options from the constructor', () => {
    const a = param(2);
    const b = param(2);
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
    expect(opt.paramGroups[0].lr).toBe(0.1);
    expect(opt.paramGroups[1].lr).toBe(0.5);
    expect(opt.paramGroups[1].momentum).toBe(0.9);
  });

  it('steps each group with its own, changeable, hyperparameters', () => {
    const a = withGrad([1], [1]);
    const b = withGrad([1], [1]);
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    opt.step();
    opt.paramGroups[0].lr = 0.2;
    opt.step();
    expect(a.data[0]).toBeCloseTo(1 - 0.1 - 0.2, 15);
    expect(b.data[0]).toBeCloseTo(0, 15);
  });

  it('skips parameters whose grad is null and accepts a replaced grad', () => {
    const a: Param = withGrad([1], [1]);
    const b = withGrad([1], [1]);
    const opt = new SGD([a, b], { lr: 0.1 });
    a.grad = null;
    b.grad = new Float64Array([2]);
    opt.step();
    expect(a.data[0]).toBe(1);
    expect(b.data[0]).toBeCloseTo(0.8, 15);
  });

  it('zeroGrad sets gradients to null by default, or to zeros', () => {
    const a = withGrad([1], [3]);
    const opt = new SGD([a]);
    opt.zeroGrad(false);
    expect([...a.grad]).toEqual([0]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });

  it('addParamGroup adds a group and refuses a parameter it already has', () => {
    const a = param(1);
    const opt = new SGD([a], { lr: 0.1 });
    opt.addParamGroup({ params: [param(1)], lr: 0.3 });
    expect(opt.paramGroups[1].lr).toBe(0.3);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(/more than one parameter group/);
    expect(opt.paramGroups).toHaveLength(2);
  });

  it('refuses an empty parameter list and things that are not parameters', () => {
    expect(() => new SGD([])).toThrow(/empty parameter list/);
    expect(() => new SGD([{ data: [1, 2], grad: null } as never])).toThrow(
      /Invalid parameter at index 0/,
    );
  });

  it('refuses prototype-reaching keys in a group', () => {
    const group = JSON.parse('{"__proto__": {"polluted": true}}');
    group.params = [param(1)];
    expect(() => new SGD([group])).toThrow(/__proto__/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('checks every gradient before any parameter changes', () => {
    const a = withGrad([1], [1], 'a');
    const b = withGrad([1, 2], [1, 1], 'b');
    const opt = new SGD([a, b], { lr: 0.1, momentum: 0.9 });
    b.grad = new Float64Array(3);
    expect(() => opt.step()).toThrow(RangeError);
    expect(() => opt.step()).toThrow(/parameter "b": length 3, expected 2/);
    b.grad = new Float32Array(2);
    expect(() => opt.step()).toThrow(TypeError);
    expect(() => opt.step()).toThrow(/expected a Float64Array, got Float32Array/);
    expect(a.data[0]).toBe(1);
    expect(opt.state.size).toBe(0);
  });

  it('checks options changed between steps before any parameter changes', () => {
    const a = withGrad([1], [1]);
    const b = withGrad([1], [1]);
    const opt = new SGD([{ params: [a] }, { params: [b] }], { lr: 0.1 });
    opt.paramGroups[1].lr = -1;
    expect(() => opt.step()).toThrow(/Invalid learning rate \(lr\): -1/);
    expect(a.data[0]).toBe(1);
  });

  it('calls the closure and returns its loss', () => {
    const a = withGrad([1], [0]);
    const opt = new SGD([a], { lr: 0.5 });
    const loss = opt.step(() => {
      a.grad.set([2 * a.data[0]]);
      return a.data[0] ** 2;
    });
    expect(loss).toBe(1);
    expect(a.data[0]).toBe(0);
  });
});
