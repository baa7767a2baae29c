import { describe, expect, it } from 'vitest';
import {
  BLOCK,
  blockCount,
  codeOf,
  decodeBlocks,
  encodeBlocks,
  zeroCode,
} from '../../src/kernels/blockwise.js';
import { signedMap, unsignedMap } from '../../src/kernels/dynamic-map.js';
import { bitsOf, codecs, comparable, fromBits } from './state-codecs.js';

/**
 * blockwise.ts against the codec fixture: bitsandbytes' block-wise 8-bit encode (absmax per block
 * of 256, quantize_2D of x / absmax, the sign fix of the signed map) with spec14.md's rule for a
 * block whose absmax is 0 or not finite, and the decode map[code] · absmax.
 */
const mapOf = (signed: boolean) => (signed ? signedMap : unsignedMap);

describe('codeOf', () => {
  it("applies bitsandbytes' sign fix to quantize_2D's code on every signed input of the fixture", () => {
    const { xBits, codes, signFixed } = codecs.quantize2D.signed;
    const xs = fromBits(xBits);
    const actual = Array.from(xs, (x) => codeOf(signedMap, true, x, 1));
    expect(actual).toEqual(signFixed);
    // The fix changes some codes (−0 and tiny negatives take the smallest negative code).
    expect(actual.filter((c, i) => c !== codes[i]).length).toBeGreaterThan(0);
    expect(codeOf(signedMap, true, -0, 1)).toBe(126);
    expect(codeOf(signedMap, true, 1e-30, 1)).toBe(127);
  });

  it('is quantize_2D alone for the unsigned map', () => {
    const { xBits, codes } = codecs.quantize2D.unsigned;
    expect(Array.from(fromBits(xBits), (x) => codeOf(unsignedMap, false, x, 1))).toEqual(codes);
  });
});

describe('block-wise encode and decode', () => {
  for (const c of codecs.blocks) {
    it(`${c.name} (${c.signed ? 'signed' : 'unsigned'}, ${c.inputBits.length} values)`, () => {
      const values = fromBits(c.inputBits);
      const n = values.length;
      const codes = new Uint8Array(n).fill(7);
      const absmax = new Float32Array(blockCount(n)).fill(7);
      const map = mapOf(c.signed);
      encodeBlocks(values, codes, absmax, map, c.signed);
      expect(comparable(bitsOf(absmax))).toEqual(comparable(c.absmaxBits));
      expect(Array.from(codes)).toEqual(c.codes);
      const decoded = new Float32Array(n);
      decodeBlocks(codes, absmax, map, decoded);
      expect(comparable(bitsOf(decoded))).toEqual(comparable(c.decodedBits));
    });
  }

  it('the fixture covers the edges: a NaN or an infinity turns its whole block into NaN, never a number', () => {
    const nan = codecs.blocks.filter((c) =>
      ['nan', '+inf', '-inf', 'nan and inf'].includes(c.name),
    );
    expect(nan.length).toBe(8);
    for (const c of nan) {
      const first = comparable(c.decodedBits).slice(0, BLOCK);
      expect(
        first.every((v) => v === 'NaN'),
        c.name,
      ).toBe(true);
      expect(c.codes.slice(0, BLOCK).every((code) => code === zeroCode(mapOf(c.signed)))).toBe(
        true,
      );
    }
  });

  it('a NaN anywhere in a block makes its absmax NaN (not only when it comes last)', () => {
    for (const at of [0, 1, 100, 255]) {
      const values = new Float32Array(2 * BLOCK).fill(0.5);
      values[at] = Number.NaN;
      const codes = new Uint8Array(values.length);
      const absmax = new Float32Array(2);
      encodeBlocks(values, codes, absmax, signedMap, true);
      expect(Number.isNaN(absmax[0]), `NaN at ${at}`).toBe(true);
      expect(absmax[1]).toBe(0.5);
    }
  });

  it('encodes and decodes a sub-range starting on a block (what a kernel hands a thread)', () => {
    const values = Float32Array.from({ length: 3 * BLOCK + 10 }, (_, i) => Math.sin(i) * (i + 1));
    const whole = { codes: new Uint8Array(values.length), absmax: new Float32Array(4) };
    encodeBlocks(values, whole.codes, whole.absmax, signedMap, true);
    const parts = { codes: new Uint8Array(values.length), absmax: new Float32Array(4) };
    encodeBlocks(values, parts.codes, parts.absmax, signedMap, true, 0, BLOCK);
    encodeBlocks(values, parts.codes, parts.absmax, signedMap, true, BLOCK, values.length);
    expect(parts).toEqual(whole);
    const out = new Float32Array(values.length);
    decodeBlocks(whole.codes, whole.absmax, signedMap, out, BLOCK, 2 * BLOCK);
    expect(out[BLOCK - 1]).toBe(0);
    expect(out[2 * BLOCK]).toBe(0);
    expect(Math.abs(out[BLOCK + 5] - values[BLOCK + 5])).toBeLessThan(0.02 * whole.absmax[1]);
  });
});
