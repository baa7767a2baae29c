/**
 * bfloat16, for optimizer state kept in 16 bits (`stateDtype: 'bfloat16'`): the upper half of a
 * float32 (its sign, its 8 exponent bits, 7 of its 23 fraction bits), so decoding is a shift and
 * the range is float32's. A value is stored as its 16 bits in a Uint16Array.
 *
 *     round to nearest even:  b = (u + 0x7FFF + ((u >> 16) & 1)) >> 16    (u: the float32's bits)
 *     stochastic rounding:    b = (u >> 16) + (r < (u & 0xFFFF) ? 1 : 0)  (r: 16 random bits)
 *     NaN:                    b = 0x7FC0, whatever the sign and payload
 *
 * The first is torch's `tensor.to(torch.bfloat16)` (c10's round_to_nearest_even); the second is
 * torchao's stochastic rounding, which rounds up with probability equal to the dropped fraction,
 * so the rounding is unbiased on average and small updates to a moment are not all lost. Both
 * send a NaN to the quiet NaN: it never rounds into an infinity.
 *
 * The random bits are counter-based (a hash of the seed, the parameter, the step, the moment and
 * the element), not drawn from a stream: the same run gives the same bits, threads need not
 * agree on an order, and a run resumed from a state dict continues with the bits it would have
 * had.
 */

const word = new Float32Array(1);
const wordBits = new Uint32Array(word.buffer);

/** The bits of a number rounded to float32 (the first rounding of a float64 state). */
function float32Bits(x: number): number {
  word[0] = x;
  return wordBits[0];
}

/** The bfloat16 bits nearest x (after rounding x to float32), ties to even. */
export function bfloat16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7fc0;
  const u = float32Bits(x);
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

/** The bfloat16 bits of x rounded stochastically with the 16 random bits `r` (see above). */
export function bfloat16BitsStochastic(x: number, r: number): number {
  if (Number.isNaN(x)) return 0x7fc0;
  const u = float32Bits(x);
  return ((u >>> 16) + (r < (u & 0xffff) ? 1 : 0)) & 0xffff;
}

/** The value of bfloat16 bits. */
export function bfloat16Value(bits: number): number {
  wordBits[0] = bits << 16;
  return word[0];
}

/**
 * A 32-bit integer hash (Chris Wellons' lowbias32): every input bit changes about half the output
 * bits, so consecutive counters give independent-looking numbers.
 */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The key of one moment's random bits at one step: the seed, the parameter's position in its
 * optimizer (`stream`), its step count and the moment's position among its optimizer's moments.
 */
export function roundingKey(seed: number, stream: number, step: number, which: number): number {
  return mix32(mix32(mix32(mix32(seed) ^ stream) ^ step) ^ which);
}

/** The 16 random bits of element i under `key`: the top half of a hash of the two. */
export function randomBits16(key: number, i: number): number {
  return mix32(Math.imul(i, 0x9e3779b9) ^ key) >>> 16;
}
