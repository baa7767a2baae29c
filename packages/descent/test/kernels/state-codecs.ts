import { readFileSync } from 'node:fs';

/**
 * The codec fixture (fixtures/state-codecs.json, from scripts/reference/optim_state_codecs.py,
 * whose docstring says what each part holds and where it comes from), read by the tests of
 * bfloat16.ts, dynamic-map.ts and blockwise.ts. Floats that may be NaN, infinite or −0 are their
 * float32 bits (keys ending in `Bits`).
 */
export interface CodecFixture {
  maps: { signed: number[]; unsigned: number[]; zeroIndex: { signed: number; unsigned: number } };
  bfloat16: {
    nearestEven: { inputBits: number[]; expectedBits: number[] };
    mix: { inputs: number[]; outputs: number[] };
    random: {
      seed: number;
      stream: number;
      step: number;
      which: number;
      key: number;
      indices: number[];
      r: number[];
    }[];
    stochastic: { inputBits: number[]; r: number[]; expectedBits: number[] };
  };
  quantize2D: Record<
    'signed' | 'unsigned',
    { xBits: number[]; codes: number[]; signFixed?: number[] }
  >;
  blocks: {
    name: string;
    signed: boolean;
    inputBits: number[];
    absmaxBits: number[];
    codes: number[];
    decodedBits: number[];
  }[];
}

export const codecs: CodecFixture = JSON.parse(
  readFileSync(new URL('fixtures/state-codecs.json', import.meta.url), 'utf8'),
);

/** float32 values from their bits. */
export const fromBits = (bits: readonly number[]): Float32Array =>
  new Float32Array(Uint32Array.from(bits).buffer);

/** The bits of float32 values. */
export const bitsOf = (values: Float32Array): number[] =>
  Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));

/** Whether float32 bits are a NaN's (any sign and payload). */
export const isNaNBits = (bits: number): boolean =>
  (bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0;

/**
 * Float32 values as their bits, every NaN as one word ('NaN'): a NaN's payload is not a value,
 * and JavaScript may change it when a float32 goes through a number; everything else, −0 and
 * the infinities included, is compared bit for bit.
 */
export const comparable = (bits: readonly number[]): (number | 'NaN')[] =>
  bits.map((b) => (isNaNBits(b) ? 'NaN' : b));
