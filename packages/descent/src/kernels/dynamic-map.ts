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
 * (`nearestCode`), as bitsandbytes' `quantize_2D` finds it.
 */

const f = Math.fround;

/** torch.linspace(start, end, steps) in float32, as torch computes it on the CPU. */
function linspace32(start: number, end: number, steps: number): number[] {
  const step = f((end - f(start)) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  return Array.from({ length: steps }, (_, i) =>
    i < halfway ? f(f(start) + f(step * i)) : f(f(end) - f(step * (steps - i - 1))),
  );
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
 * The code of x: the index of the map value nearest x, where x lies between map[c] and
 * map[c + 1] and the midpoint (map[c] + map[c + 1]) · 0.5 in float32 decides; exactly at the
 * midpoint, the even index of the two. That is what bitsandbytes' `quantize_2D` returns: its
 * seven halvings from index 127 always end on an even index, which keeps a tie.
 */
export function nearestCode(map: Float32Array, x: number): number {
  // The last index whose value is <= x (0 below the map).
  let lo = 0;
  let hi = map.length - 1;
  if (x >= map[hi]) return hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (map[mid] <= x) lo = mid;
    else hi = mid;
  }
  const midpoint = f((map[lo] + map[hi]) * 0.5);
  if (x > midpoint) return hi;
  if (x < midpoint) return lo;
  return lo % 2 === 0 ? lo : hi;
}
