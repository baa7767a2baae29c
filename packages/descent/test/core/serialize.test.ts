import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../src/core/serialize.js';

const roundTrip = (value: unknown) => decode(JSON.parse(JSON.stringify(encode(value))), 'x');

describe('state encoding', () => {
  it('restores every bit of float64 and float32 arrays, NaN payloads, -0 and infinities included', () => {
    fc.assert(
      fc.property(fc.array(fc.double()), fc.array(fc.float()), (d, f) => {
        const a = new Float64Array(d);
        const b = new Float32Array(f);
        const back = roundTrip({ a, b }) as { a: Float64Array; b: Float32Array };
        expect(back.a).toBeInstanceOf(Float64Array);
        expect(back.b).toBeInstanceOf(Float32Array);
        expect(new Uint8Array(back.a.buffer)).toEqual(new Uint8Array(a.buffer));
        expect(new Uint8Array(back.b.buffer)).toEqual(new Uint8Array(b.buffer));
      }),
    );
  });

  it('restores special numbers exactly', () => {
    const back = roundTrip([
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      0.1,
    ]);
    expect(back).toEqual([-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.1]);
    expect(Object.is((back as number[])[0], -0)).toBe(true);
  });

  it('encodes a view of a larger buffer as just the view', () => {
    const big = new Float32Array([1, 2, 3, 4]);
    expect(roundTrip(big.subarray(1, 3))).toEqual(new Float32Array([2, 3]));
  });

  it('leaves functions out', () => {
    expect(encode({ f: () => 1, x: 1 })).toEqual({ x: 1 });
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses the key %s', (key) => {
    const hostile = JSON.parse(`{"a": {"${key}": {"polluted": true}}}`);
    expect(() => decode(hostile, 'state')).toThrow(TypeError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('builds objects without a prototype', () => {
    const out = decode({ a: 1 }, 'x') as object;
    expect(Object.getPrototypeOf(out)).toBeNull();
  });

  it.each([
    [{ dtype: 'int8', base64: '' }, /dtype/],
    [{ dtype: 'float32', base64: 'AAA' }, /base64/],
    [{ dtype: 'float64', base64: 'AAAAAA==' }, /whole number/],
    [{ float: 'bogus' }, /number/],
  ])('rejects malformed %o', (value, message) => {
    expect(() => decode(value, 'x')).toThrow(message);
  });
});

describe('base64 of arrays', () => {
  it("equals Node's Buffer base64 for every length (each remainder of 3 bytes)", () => {
    fc.assert(
      fc.property(
        fc.float32Array({ maxLength: 40 }),
        fc.float64Array({ maxLength: 20 }),
        (f, d) => {
          const encoded = encode({ f, d }) as { f: { base64: string }; d: { base64: string } };
          expect(encoded.f.base64).toBe(
            Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64'),
          );
          expect(encoded.d.base64).toBe(
            Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('base64'),
          );
        },
      ),
    );
  });
});
