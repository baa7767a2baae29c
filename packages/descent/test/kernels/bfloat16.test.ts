import { describe, expect, it } from 'vitest';
import {
  bfloat16Bits,
  bfloat16BitsStochastic,
  bfloat16Value,
  mix32,
  randomBits16,
  roundingKey,
} from '../../src/kernels/bfloat16.js';
import { bitsOf, codecs, fromBits, isNaNBits } from './state-codecs.js';

/**
 * bfloat16.ts against the codec fixture: torch 1.13's float32 -> bfloat16 conversion (nearest
 * even), torchao's stochastic rule, and spec14.md's counter-based generator, evaluated in Python.
 */
const { nearestEven, stochastic, mix, random } = codecs.bfloat16;

describe('bfloat16 round to nearest even', () => {
  it(`is torch's conversion on ${nearestEven.inputBits.length} float32 values (zeros, subnormals, ties, largest finite, infinities, NaNs)`, () => {
    const inputs = fromBits(nearestEven.inputBits);
    const actual = Array.from(inputs, (x) => bfloat16Bits(x));
    expect(actual).toEqual(nearestEven.expectedBits);
    // The fixture reaches each case the rule has: NaN, a tie kept even, a tie rounded up, −0.
    expect(nearestEven.inputBits.filter(isNaNBits).length).toBeGreaterThan(4);
    expect(actual).toContain(0x7fc0);
    expect(actual).toContain(0x8000);
    expect(actual).toContain(0x7f80);
  });

  it('takes a float64 through float32 first (the state of a float64 parameter)', () => {
    // 1 + 2⁻⁸ + 2⁻³⁰ in float64 rounds to 1 + 2⁻⁸ in float32, a tie that goes to the even 1.
    expect(bfloat16Bits(1 + 2 ** -8 + 2 ** -30)).toBe(0x3f80);
    expect(bfloat16Bits(1 + 2 ** -8 + 2 ** -20)).toBe(0x3f81);
  });

  it('decodes exactly: the value of bits b is the float32 of bits b << 16', () => {
    const all = Uint32Array.from({ length: 0x10000 }, (_, b) => b);
    const values = Float32Array.from(all, (b) => bfloat16Value(b));
    const expected = fromBits(Array.from(all, (b) => (b << 16) >>> 0));
    bitsOf(values).forEach((bits, b) => {
      const want = bitsOf(expected.subarray(b, b + 1))[0];
      if (isNaNBits(want)) expect(isNaNBits(bits), `0x${b.toString(16)}`).toBe(true);
      else if (bits !== want) expect(bits, `0x${b.toString(16)}`).toBe(want);
    });
    // And encoding a decoded value gives its bits back (NaNs aside: one quiet NaN).
    for (let b = 0; b < 0x10000; b++) {
      if (!Number.isNaN(values[b]) && bfloat16Bits(values[b]) !== b) {
        expect(bfloat16Bits(values[b]), `0x${b.toString(16)}`).toBe(b);
      }
    }
  });
});

describe('bfloat16 stochastic rounding', () => {
  it(`is torchao's rule on ${stochastic.inputBits.length} (bits, r) pairs: r at, below and above the dropped fraction, 0 and 0xFFFF`, () => {
    const inputs = fromBits(stochastic.inputBits);
    const actual = Array.from(inputs, (x, i) => bfloat16BitsStochastic(x, stochastic.r[i]));
    expect(actual).toEqual(stochastic.expectedBits);
    // The largest finite float32 rounds up to infinity for some r; infinity stays.
    const largest = stochastic.inputBits.indexOf(0x7f7fffff);
    expect(largest).toBeGreaterThanOrEqual(0);
    expect(bfloat16BitsStochastic(inputs[largest], 0)).toBe(0x7f80);
    expect(bfloat16BitsStochastic(Number.POSITIVE_INFINITY, 0)).toBe(0x7f80);
  });

  it('rounds up with the probability of the dropped fraction', () => {
    // 1 + 0.25 of a bfloat16 step: over every r, a quarter round up.
    const x = 1 + 2 ** -7 / 4;
    let up = 0;
    for (let r = 0; r < 0x10000; r++) if (bfloat16BitsStochastic(x, r) === 0x3f81) up++;
    expect(up).toBe(0x4000);
  });
});

describe('the stochastic rounding generator', () => {
  it('mix32 is lowbias32 on the fixture inputs', () => {
    expect(mix.inputs.map(mix32)).toEqual(mix.outputs);
  });

  it('roundingKey and randomBits16 give the keys and 16-bit numbers of the fixture', () => {
    for (const s of random) {
      const key = roundingKey(s.seed, s.stream, s.step, s.which);
      expect(key, JSON.stringify(s)).toBe(s.key);
      expect(
        s.indices.map((i) => randomBits16(key, i)),
        JSON.stringify(s),
      ).toEqual(s.r);
    }
  });

  it('keys differ in each of their four inputs, and numbers look uniform', () => {
    const keys = new Set([
      roundingKey(0, 0, 1, 0),
      roundingKey(1, 0, 1, 0),
      roundingKey(0, 1, 1, 0),
      roundingKey(0, 0, 2, 0),
      roundingKey(0, 0, 1, 1),
    ]);
    expect(keys.size).toBe(5);
    const key = roundingKey(12345, 3, 7, 1);
    let sum = 0;
    const n = 1 << 16;
    for (let i = 0; i < n; i++) sum += randomBits16(key, i);
    // The mean of uniform 16-bit numbers is 32767.5, with a standard error of 18900 / √n ≈ 74.
    expect(Math.abs(sum / n - 32767.5)).toBeLessThan(400);
  });
});
