/**
 * Dense linear algebra for the small symmetric systems of Newton's method. Matrices are n × n,
 * row-major in a Float64Array, and are factored in place; vectors are solved in place.
 *
 * A pivot (or eigenvalue) no larger than `tolerance` counts as zero: the matrix is singular to
 * working precision. `singularTolerance` gives n ε max|aᵢⱼ|, the size of the rounding error a
 * factorization commits, below which a pivot carries no information.
 */

export function singularTolerance(a: Float64Array, n: number): number {
  let largest = 0;
  for (let i = 0; i < n * n; i++) largest = Math.max(largest, Math.abs(a[i]));
  return n * Number.EPSILON * largest;
}

/**
 * Cholesky factorization A = L Lᵀ, L in the lower triangle of `a` (the upper one is left as it
 * was). Returns false, with `a` partly overwritten, when A is not positive definite: a pivot is
 * not above `tolerance`.
 */
export function choleskyFactor(a: Float64Array, n: number, tolerance: number): boolean {
  for (let j = 0; j < n; j++) {
    let pivot = a[j * n + j];
    for (let k = 0; k < j; k++) pivot -= a[j * n + k] * a[j * n + k];
    if (!(pivot > tolerance)) return false;
    const ljj = Math.sqrt(pivot);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let sum = a[i * n + j];
      for (let k = 0; k < j; k++) sum -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = sum / ljj;
    }
  }
  return true;
}

/** Solves L Lᵀ x = b, overwriting b with x, from the factor `choleskyFactor` left in `l`. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i * n + k] * b[k];
    b[i] = sum / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = b[i];
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i] * b[k];
    b[i] = sum / l[i * n + i];
  }
}

/**
 * LU factorization with partial pivoting, P A = L U: U in the upper triangle of `a`, the unit
 * lower L below it, and `pivots[k]` the row swapped with row k at step k. Returns false when A is
 * singular: no candidate pivot of a column is above `tolerance`.
 */
export function luFactor(
  a: Float64Array,
  n: number,
  pivots: Int32Array,
  tolerance: number,
): boolean {
  for (let k = 0; k < n; k++) {
    let row = k;
    for (let i = k + 1; i < n; i++) {
      if (Math.abs(a[i * n + k]) > Math.abs(a[row * n + k])) row = i;
    }
    if (!(Math.abs(a[row * n + k]) > tolerance)) return false;
    pivots[k] = row;
    if (row !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j];
        a[k * n + j] = a[row * n + j];
        a[row * n + j] = t;
      }
    }
    const pivot = a[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const factor = a[i * n + k] / pivot;
      a[i * n + k] = factor;
      for (let j = k + 1; j < n; j++) a[i * n + j] -= factor * a[k * n + j];
    }
  }
  return true;
}

/** Solves A x = b, overwriting b with x, from the factors `luFactor` left in `lu` and `pivots`. */
export function luSolve(lu: Float64Array, n: number, pivots: Int32Array, b: Float64Array): void {
  for (let k = 0; k < n; k++) {
    const row = pivots[k];
    if (row !== k) {
      const t = b[k];
      b[k] = b[row];
      b[row] = t;
    }
  }
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= lu[i * n + k] * b[k];
    b[i] = sum;
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = b[i];
    for (let k = i + 1; k < n; k++) sum -= lu[i * n + k] * b[k];
    b[i] = sum / lu[i * n + i];
  }
}

/**
 * Symmetric eigendecomposition A = V Λ Vᵀ by cyclic Jacobi rotations: on return the diagonal of
 * `a` holds the eigenvalues (in no particular order) and the columns of `v` the eigenvectors.
 *
 * Each rotation zeroes one off-diagonal pair; sweeps repeat until every pair is negligible next
 * to its diagonal entries, which keeps small eigenvalues accurate relative to their size.
 */
export function jacobiEigen(a: Float64Array, n: number, v: Float64Array): void {
  v.fill(0);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  // Convergence is quadratic; the bound only guards against input that never settles (NaN).
  for (let sweep = 0; sweep < 64; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        const scale = Math.sqrt(Math.abs(app)) * Math.sqrt(Math.abs(aqq));
        if (!(Math.abs(apq) > Number.EPSILON * scale)) continue;
        rotated = true;
        // The rotation angle φ with tan 2φ = 2 apq / (app − aqq); t = tan φ is taken as the
        // smaller root, so the rotation is by at most π/4 (an overflowing θ gives t = 0).
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        a[p * n + p] = app - t * apq;
        a[q * n + q] = aqq + t * apq;
        a[p * n + q] = 0;
        a[q * n + p] = 0;
        for (let r = 0; r < n; r++) {
          if (r !== p && r !== q) {
            const arp = a[r * n + p];
            const arq = a[r * n + q];
            a[r * n + p] = a[p * n + r] = c * arp - s * arq;
            a[r * n + q] = a[q * n + r] = s * arp + c * arq;
          }
          const vrp = v[r * n + p];
          const vrq = v[r * n + q];
          v[r * n + p] = c * vrp - s * vrq;
          v[r * n + q] = s * vrp + c * vrq;
        }
      }
    }
    if (!rotated) return;
  }
}

/**
 * Solves (A + δ I) x = b for symmetric A, overwriting b with x and `a` with a factorization: by
 * Cholesky when A + δ I is positive definite, otherwise by LU with partial pivoting. Returns false
 * when the system is singular. `scratch` holds n × n numbers, `pivots` n.
 */
export function solveShifted(
  a: Float64Array,
  n: number,
  b: Float64Array,
  shift: number,
  scratch: Float64Array,
  pivots: Int32Array,
): boolean {
  for (let i = 0; i < n; i++) a[i * n + i] += shift;
  const tolerance = singularTolerance(a, n);
  scratch.set(a);
  if (choleskyFactor(scratch, n, tolerance)) {
    choleskySolve(scratch, n, b);
    return true;
  }
  if (!luFactor(a, n, pivots, tolerance)) return false;
  luSolve(a, n, pivots, b);
  return true;
}

/**
 * Solves (V |Λ| Vᵀ + δ I) x = b, where A = V Λ Vᵀ is symmetric, overwriting b with x and `a` with
 * Λ: x = V (|Λ| + δ I)⁻¹ Vᵀ b. Returns false when some |λᵢ| + δ is zero to working precision.
 * `vectors` holds n × n numbers (V), `work` n.
 */
export function solveAbsoluteShifted(
  a: Float64Array,
  n: number,
  b: Float64Array,
  shift: number,
  vectors: Float64Array,
  work: Float64Array,
): boolean {
  jacobiEigen(a, n, vectors);
  let largest = 0;
  for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(a[i * n + i]) + shift);
  const tolerance = n * Number.EPSILON * largest;
  for (let j = 0; j < n; j++) {
    const mu = Math.abs(a[j * n + j]) + shift;
    if (!(mu > tolerance)) return false;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += vectors[i * n + j] * b[i];
    work[j] = sum / mu;
  }
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += vectors[i * n + j] * work[j];
    b[i] = sum;
  }
  return true;
}
