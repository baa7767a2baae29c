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

  it('rejects an unknown dtype', () => {
    expect(() => param(2, { dtype: 'int8' as never })).toThrow(/dtype: int8/);
  });
});
