/**
 * a · b + c rounded once, as a fused multiply-add: what PyTorch's CPU kernels compute for
 * `x.add_(y, alpha=a)` (they vectorize it with FMA instructions). JavaScript has no FMA, so the
 * product is split exactly (Dekker) and the sum corrected where double rounding would land on a
 * tie. Exact when the operands and the product are zero or between 2^-960 and 2^995 in
 * magnitude; beyond, it is a · b + c (within an ulp of the fused result).
 */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  const pError = productError(a, b, p);
  const s = c + p;
  if (!Number.isFinite(pError) || !Number.isFinite(s)) return s;
  // c + a·b = s + sError + pError exactly; v rounds the small part, with error vError.
  const sError = sumError(c, p, s);
  const v = sError + pError;
  if (v === 0) return s; // exact (and s keeps the sign of a zero result)
  const vError = sumError(sError, pError, v);
  const r = s + v;
  if (vError === 0) return r;
  // s + v may be a tie that vError, lost in v, would have broken: then round toward vError.
  const rError = sumError(s, v, r);
  const neighbour = r + 2 * rError;
  if (rError === 0 || neighbour - r !== 2 * rError) return r;
  return rError > 0 === vError > 0 ? neighbour : r;
}

const splitter = 134217729; // 2^27 + 1

/** a · b − p exactly, for p = fl(a · b) (Dekker's product). */
function productError(a: number, b: number, p: number): number {
  const ca = splitter * a;
  const aHigh = ca - (ca - a);
  const aLow = a - aHigh;
  const cb = splitter * b;
  const bHigh = cb - (cb - b);
  const bLow = b - bHigh;
  return aHigh * bHigh - p + aHigh * bLow + aLow * bHigh + aLow * bLow;
}

/** a + b − s exactly, for s = fl(a + b) (Knuth's two-sum). */
function sumError(a: number, b: number, s: number): number {
  const bVirtual = s - a;
  return a - (s - bVirtual) + (b - bVirtual);
}
