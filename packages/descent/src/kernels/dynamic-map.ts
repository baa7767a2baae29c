/**
 * The dynamic (tree) quantization map of Dettmers et al. 2022, "8-bit Optimizers via Block-wise
 * Quantization", as bitsandbytes builds it (`create_dynamic_map` in bitsandbytes/functional.py,
 * max_exponent_bits 7, total_bits 8): 256 float32 values in [−1, 1] spaced evenly within each
 * decade and decade by decade, so a code has about the same relative precision from 1e-7 to 1.
 *
 *     for i = 0 … 6:  the midpoints of linspace(0.1, 1, n_i + 1) scaled by 10^(i − 6)
 *                     (n_i = 2^i values per sign, signed map; 2^(i+1), unsigned map)
 *     and 0 and 1; sorted.
 *
 * The signed map codes first moments, the unsigned one (no negative values, twice the
 * resolution) second moments. A value x in [−1, 1] is coded by the nearest map value
 * (`quantize2D`, bitsandbytes' `quantize_2D`).
 */

const f = Math.fround;

/**
 * torch.linspace(start, end, steps) in float32 as torch 1.13 computes it on an x86-64 CPU (its
 * AVX2 kernel, RangeFactoriesKernel.cpp), which is where bitsandbytes' maps come from: with
 * step = (end − start) / (steps − 1), element i is start + step · i below steps / 2 and
 * end − step · (steps − 1 − i) from there, each a fused multiply-add (one rounding: GCC contracts
 * them); but runs of 16 elements are made as two vectors of 8 whose lanes are base + k · step,
 * base the first element's value and k · step rounded on its own. The reference's maps
 * (scripts/reference/state_codecs.py, torch's own linspace) check every value.
 */
function linspace32(start: number, end: number, steps: number): number[] {
  const from = f(start);
  const to = f(end);
  const step = f(f(to - from) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  // a + b·k rounded once: the product of a float32 and a small integer, and the sum, are exact
  // in a double.
  const at = (i: number): number =>
    i < halfway ? f(from + step * i) : f(to - step * (steps - 1 - i));
  const out: number[] = [];
  let i = 0;
  for (; i + 16 <= steps; i += 16) {
    for (const first of [i, i + 8]) {
      const base = at(first);
      for (let k = 0; k < 8; k++) out.push(f(base + f(k * step)));
    }
  }
  for (; i < steps; i++) out.push(at(i));
  return out;
}

/** bitsandbytes' dynamic map: 256 sorted float32 values (see above). */
export function createDynamicMap(signed: boolean): Float32Array {
  const values: number[] = [0, 1];
  for (let i = 0; i < 7; i++) {
    const items = signed ? 2 ** i + 1 : 2 ** (i + 1) + 1;
    const boundaries = linspace32(0.1, 1, items);
    const scale = f(Number(`1e${i - 6}`));
    for (let k = 0; k + 1 < items; k++) {
      const mean = f(f(boundaries[k] + boundaries[k + 1]) / 2);
      values.push(f(scale * mean));
      if (signed) values.push(-f(scale * mean));
    }
  }
  return Float32Array.from(values.sort((a, b) => a - b));
}

/** The signed map (first moments) and the unsigned one (second moments), built once. */
export const signedMap: Float32Array = createDynamicMap(true);
export const unsignedMap: Float32Array = createDynamicMap(false);

/**
 * The code of x in [−1, 1]: the index of the map value nearest x, as bitsandbytes' `quantize_2D`
 * (csrc/kernels.cu) finds it, restated literally so that every code is the same: a binary search
 * of seven halvings from index 127 (±64, ±32, … ±1) that keeps the last index below x (`lower`,
 * from −1 for the signed map or 0) and above it (`upper`, from 1), then of the value `val` it
 * lands on and the neighbour on x's side, the one whose float32 midpoint (val + neighbour) · 0.5
 * x passes; at the midpoint itself, the landing index (always even).
 */
export function quantize2D(map: Float32Array, signed: boolean, x: number): number {
  let pivot = 127;
  let upperPivot = 255;
  let lowerPivot = 0;
  let lower = signed ? -1 : 0;
  let upper = 1;
  let val = map[pivot];
  for (let i = 64; i > 0; i >>= 1) {
    if (x > val) {
      lowerPivot = pivot;
      lower = val;
      pivot += i;
    } else {
      upperPivot = pivot;
      upper = val;
      pivot -= i;
    }
    val = map[pivot];
  }
  if (x >= val) return x > f((upper + val) * 0.5) ? upperPivot : pivot;
  return x < f((lower + val) * 0.5) ? lowerPivot : pivot;
}
