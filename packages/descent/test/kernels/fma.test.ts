import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fma } from '../../src/kernels/fma.js';

const view = new DataView(new ArrayBuffer(8));

/** x = mantissa · 2^exponent exactly, for a finite x. */
function decompose(x: number): { mantissa: bigint; exponent: number } {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const magnitude = biased === 0 ? fraction : fraction | (1n << 52n);
  return {
    mantissa: bits >> 63n ? -magnitude : magnitude,
    exponent: (biased === 0 ? 1 : biased) - 1075,
  };
}

/** a · b + c rounded to nearest (ties to even), in exact integer arithmetic; normal range only. */
function exactFma(a: number, b: number, c: number): number {
  const [x, y, z] = [decompose(a), decompose(b), decompose(c)];
  const exponent = Math.min(x.exponent + y.exponent, z.exponent);
  const value =
    ((x.mantissa * y.mantissa) << BigInt(x.exponent + y.exponent - exponent)) +
    (z.mantissa << BigInt(z.exponent - exponent));
  if (value === 0n) return a * b + c;
  const negative = value < 0n;
  let magnitude = negative ? -value : value;
  const shift = Math.max(magnitude.toString(2).length - 53, 0);
  if (shift > 0) {
    const rest = magnitude & ((1n << BigInt(shift)) - 1n);
    const half = 1n << BigInt(shift - 1);
    magnitude >>= BigInt(shift);
    if (rest > half || (rest === half && (magnitude & 1n) === 1n)) magnitude += 1n;
  }
  const result = Number(magnitude) * 2 ** (exponent + shift);
  return negative ? -result : result;
}

const moderate = fc
  .double({ min: -1e30, max: 1e30, noNaN: true })
  .filter((x) => x === 0 || Math.abs(x) > 1e-30);

describe('fma', () => {
  it('rounds a · b + c once, like a fused multiply-add', () => {
    fc.assert(
      fc.property(moderate, moderate, moderate, (a, b, c) => {
        expect(fma(a, b, c)).toBe(exactFma(a, b, c));
      }),
      { numRuns: 20000 },
    );
  });

  it('breaks ties that double rounding would get wrong', () => {
    // a·b rounds to exactly half the spacing around c, while the exact product lies just beyond:
    // unfused, c + a·b is a tie and rounds to even; fused, it rounds away.
    const cases: [number, number, number][] = [];
    for (const c of [1.5, 1 + 2 ** -52, 1 + 2 ** -51, -3, 7.25, -5.125]) {
      const half = 2 ** (Math.floor(Math.log2(Math.abs(c))) - 53);
      for (const sign of [1, -1]) cases.push([1 + 2 ** -52, sign * half * (1 - 2 ** -53), c]);
    }
    let unfusedWrong = 0;
    for (const [a, b, c] of cases) {
      const exact = exactFma(a, b, c);
      expect(fma(a, b, c), `fma(${a}, ${b}, ${c})`).toBe(exact);
      if (a * b + c !== exact) unfusedWrong++;
    }
    expect(unfusedWrong).toBeGreaterThanOrEqual(cases.length / 2);
  });

  it('keeps IEEE results for zeros, infinities and NaN', () => {
    expect(Object.is(fma(-0, 1, -0), -0)).toBe(true);
    expect(Object.is(fma(0, 1, -0), 0)).toBe(true);
    expect(fma(Number.POSITIVE_INFINITY, 2, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(fma(1e300, 1e300, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(fma(Number.NaN, 1, 2)).toBeNaN();
  });
});
