import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';

describe('param', () => {
  it('makes zeros of a length, float32 by default, with a zero gradient', () => {
    const p = param(3, { name: 'w' });
    expect(p.data).toBeInstanceOf(Float32Array);
    expect([...p.data]).toEqual([0, 0, 0]);
    expect(p.grad).toBeInstanceOf(Float32Array);
    expect(p.grad.length).toBe(3);
    expect(p.name).toBe('w');
  });

  it('copies a plain array in the requested dtype', () => {
    const values = [1.5, -2, 1e-300];
    const p = param(values, { dtype: 'float64' });
    expect(p.data).toBeInstanceOf(Float64Array);
    expect([...p.data]).toEqual(values);
  });

  it('copies a typed array and keeps its element type', () => {
    const source = new Float64Array([1, 2]);
    const p = param(source);
    expect(p.data).toBeInstanceOf(Float64Array);
    p.data[0] = 7;
    expect(source[0]).toBe(1);
  });

  it('rounds to float32 when asked', () => {
    expect(param([0.1]).data[0]).toBe(Math.fround(0.1));
  });

  it.each([
    [-1, RangeError, /length: -1/],
    [1.5, RangeError, /length: 1.5/],
    ['abc', TypeError, /init/],
    [[1, 'x'], TypeError, /index 1: x/],
  ])('rejects %o', (init, type, message) => {
    expect(() => param(init as never)).toThrow(type);
    expect(() => param(init as never)).toThrow(message);
  });

  it('keeps a shape, row-major, [length] by default', () => {
    expect(param(3).shape).toEqual([3]);
    expect(param([1, 2, 3, 4, 5, 6], { shape: [2, 3] }).shape).toEqual([2, 3]);
    expect(param(new Float64Array(24), { shape: [2, 3, 4] }).shape).toEqual([2, 3, 4]);
    expect(param([5], { shape: [] }).shape).toEqual([]);
    expect(param(0).shape).toEqual([0]);
    // A copy, frozen: the caller's array may change, the parameter's shape does not.
    const dims = [3, 2];
    const p = param(6, { shape: dims });
    dims[0] = 1;
    expect(p.shape).toEqual([3, 2]);
    expect(Object.isFrozen(p.shape)).toBe(true);
  });

  it.each([
    [
      6,
      [4, 2],
      RangeError,
      /^Invalid shape: \[4, 2\] holds 8 elements, the parameter's length is 6$/,
    ],
    [
      [1, 2],
      [3],
      RangeError,
      /^Invalid shape: \[3\] holds 3 elements, the parameter's length is 2$/,
    ],
    [4, [2, 1.5], TypeError, /^Invalid shape: \[2, 1.5\] \(expected a list of integers >= 0\)$/],
    [4, [-2, -2], TypeError, /^Invalid shape: \[-2, -2\] \(expected a list of integers >= 0\)$/],
    [4, 4, TypeError, /^Invalid shape: 4 \(expected a list of integers >= 0\)$/],
    [4, ['2', 2], TypeError, /^Invalid shape: \[2, 2\] \(expected a list/],
  ])('rejects length %o with shape %o', (init, shape, type, message) => {
    expect(() => param(init, { shape: shape as never })).toThrow(type);
    expect(() => param(init, { shape: shape as never })).toThrow(message);
  });

  it('rejects an unknown dtype', () => {
    expect(() => param(2, { dtype: 'int8' as never })).toThrow(/dtype: int8/);
  });
});
