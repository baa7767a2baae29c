import { describe, expect, it } from 'vitest';
import { param } from '../../../src/core/param.js';
import { BLOCK, encodeBlocks } from '../../../src/kernels/blockwise.js';
import { signedMap, unsignedMap } from '../../../src/kernels/dynamic-map.js';
import { simdInfo } from '../../../src/kernels/wasm/index.js';
import { bucketsOf, thresholdsOf } from '../../../src/kernels/wasm/int8.js';
import { Adamax } from '../../../src/optim/adamax.js';
import { SGD } from '../../../src/optim/sgd.js';

/**
 * The WebAssembly encoder (assembly/int8.ts) finds codes by bucket and threshold instead of
 * quantize_2D's binary search: it must give the same code for every value, and in particular at
 * every edge between two codes, where a binary search and a threshold could disagree by one ulp.
 */

const bits = (x: number) => new Uint32Array(Float32Array.of(x).buffer)[0];
const fromBits = (b: number) => new Float32Array(Uint32Array.of(b).buffer)[0];
/** x and the float32 values two ulps either side of it, toward and away from 0. */
const around = (x: number): number[] => {
  const b = bits(Math.abs(x));
  const near = [b - 2, b - 1, b, b + 1, b + 2].filter((n) => n >= 0).map(fromBits);
  return near.filter((y) => y <= 1).map((y) => (x < 0 || Object.is(x, -0) ? -y : y));
};

/** Values in [0, 1] at every edge the encoder has: thresholds, map values, buckets, 0 and 1. */
function edges(map: Float32Array): number[] {
  const values = [0, 1, fromBits(1), fromBits(0x7fffff), 1e-30, 2 ** -23, 2 ** -22, 0.5];
  for (const t of thresholdsOf(map)) if (Number.isFinite(t)) values.push(...around(t));
  for (const v of map) values.push(...around(v));
  // Bucket edges: each bfloat16 magnitude from 2⁻²³ up, at its first and last float32.
  for (let b = 0x3400; b <= 0x3f80; b += 7) values.push(...around(fromBits(b << 16)));
  return values.filter((y) => y >= 0 && y <= 1).map(Math.abs);
}

/**
 * Blocks of 256 whose absmax is 1 (each holds a 1), so each value is its own y; then a block of
 * equal values, one with a huge outlier, a zero one, one with a NaN and one with an infinity,
 * and a short last block.
 */
function blocksOf(ys: number[]): Float32Array {
  const values: number[] = [];
  for (let i = 0; i < ys.length; i += BLOCK - 1) values.push(1, ...ys.slice(i, i + BLOCK - 1));
  while (values.length % BLOCK !== 0) values.push(0);
  const block = (fill: (i: number) => number) =>
    values.push(...Array.from({ length: BLOCK }, (_, i) => fill(i)));
  block(() => 0.37);
  block((i) => (i === 100 ? 3e38 : (i - 128) * 1e-3));
  block(() => 0);
  block((i) => (i === 7 ? Number.NaN : i * 0.01));
  block((i) => (i === 9 ? Number.POSITIVE_INFINITY : -i * 0.01));
  block((i) => (i % 2 ? -1e-40 : 1e-40));
  values.push(0.25, -0.5, 0.125, -0, 1e-9, -3e-7, 0.75);
  return Float32Array.from(values);
}

/**
 * Steps once an optimizer whose first step stores `values` as its moment `key`, in WebAssembly,
 * and expects that moment's codes and absmax to be encodeBlocks' of `values` on `map`.
 */
function expectEncoded(
  make: (p: ReturnType<typeof param>) => SGD | Adamax,
  key: string,
  values: Float32Array,
  map: Float32Array,
) {
  const p = param(values.length);
  p.grad.set(values);
  const opt = make(p);
  const rows = simdInfo().rows;
  opt.step();
  expect(simdInfo().rows - rows, 'the step ran in WebAssembly').toBe(1);
  const state = opt.state.get(p) as Record<string, unknown>;
  const codes = new Uint8Array(values.length);
  const absmax = new Float32Array(Math.ceil(values.length / BLOCK));
  encodeBlocks(values, codes, absmax, map, map === signedMap);
  expect(Array.from(state[key] as Uint8Array)).toEqual(Array.from(codes));
  expect(Array.from(state[`${key}Absmax`] as Float32Array)).toEqual(Array.from(absmax));
}

describe('int8 state in WebAssembly, coded as quantize_2D codes it', () => {
  it('builds buckets that each hold at most one code boundary, for both maps', () => {
    expect(bucketsOf(signedMap, true)).toHaveLength(2 * (0x3f80 - 0x3400 + 1));
    expect(bucketsOf(unsignedMap, false)).toHaveLength(2 * (0x3f80 - 0x3400 + 1));
  });

  it('codes first moments on the signed map: every edge, both signs, −0, subnormals, NaN, ∞', () => {
    const ys = edges(signedMap);
    const values = blocksOf([...ys, ...ys.map((y) => -y)]);
    // SGD's first step with momentum stores the gradient itself as the buffer.
    expectEncoded(
      (p) => new SGD([p], { lr: 0, momentum: 0.9, stateDtype: 'int8', min8bitSize: 1 }),
      'momentumBuffer',
      values,
      signedMap,
    );
  });

  it('codes second moments on the unsigned map at every edge', () => {
    const values = blocksOf(edges(unsignedMap)).map(Math.abs);
    // Adamax's first step with eps 0 stores |g| as its infinity norm.
    expectEncoded(
      (p) => new Adamax([p], { lr: 0, eps: 0, stateDtype: 'int8', min8bitSize: 1 }),
      'expInf',
      values,
      unsignedMap,
    );
  });
});
