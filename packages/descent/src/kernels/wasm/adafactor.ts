import type { FloatArray } from '../../core/param.js';
import type { AdafactorScalars } from '../adafactor.js';
import { closeRow, kernelId, openFactoredRow, openRow, openSummingRow } from './batch.js';
import { lerpFactor, lerpFlag } from './lerp.js';

const ADAFACTOR = kernelId('ADAFACTOR');
const ADAFACTOR_STEP = kernelId('ADAFACTOR_STEP');
const ADAFACTOR_ROWS = kernelId('ADAFACTOR_ROWS');
const ADAFACTOR_COLS = kernelId('ADAFACTOR_COLS');
const ADAFACTOR_FACTORED = kernelId('ADAFACTOR_FACTORED');
const ADAFACTOR_FACTORED_STEP = kernelId('ADAFACTOR_FACTORED_STEP');

/** A factored row's scalars (assembly/adafactor.ts), `stepSize` 0 but in its step. */
function closeFactoredRow(s: AdafactorScalars, stepSize: number): void {
  closeRow(
    lerpFlag(s.weight),
    s.rows,
    s.cols,
    lerpFactor(s.weight),
    1 / s.eps1,
    s.eps1,
    -stepSize * s.gradSign,
    s.paramDecay,
  );
}

/** Queues a vector's first pass in WebAssembly (assembly/adafactor.ts); false when not in the arena. */
export function adafactorMomentsSimd(
  p: FloatArray,
  g: FloatArray,
  variance: FloatArray,
  sums: Float64Array,
  s: AdafactorScalars,
): boolean {
  if (!openSummingRow(ADAFACTOR, sums, p, g, variance)) return false;
  closeRow(lerpFlag(s.weight), lerpFactor(s.weight), s.eps1 * s.eps1);
  return true;
}

/** Queues a factored parameter's row and column means in WebAssembly, two rows; false when not in the arena. */
export function adafactorFactorsSimd(
  p: FloatArray,
  g: FloatArray,
  rowVar: FloatArray,
  colVar: FloatArray,
  roots: FloatArray,
  s: AdafactorScalars,
): boolean {
  if (!openFactoredRow(ADAFACTOR_ROWS, p, g, rowVar, colVar, roots, s.rows, s.cols)) return false;
  closeFactoredRow(s, 0);
  // The same arrays pass the same checks.
  openFactoredRow(ADAFACTOR_COLS, p, g, rowVar, colVar, roots, s.rows, s.cols);
  closeFactoredRow(s, 0);
  return true;
}

/** Queues a factored parameter's sums in WebAssembly; false when not in the arena. */
export function adafactorSumsSimd(
  p: FloatArray,
  g: FloatArray,
  rowVar: FloatArray,
  colVar: FloatArray,
  roots: FloatArray,
  sums: Float64Array,
  s: AdafactorScalars,
): boolean {
  if (!openFactoredRow(ADAFACTOR_FACTORED, p, g, rowVar, colVar, roots, s.rows, s.cols, sums)) {
    return false;
  }
  closeFactoredRow(s, 0);
  return true;
}

/** Queues a step in WebAssembly, a vector's or a factored parameter's; false when not in the arena. */
export function adafactorStepSimd(
  p: FloatArray,
  g: FloatArray,
  variance: FloatArray | null,
  rowVar: FloatArray | null,
  colVar: FloatArray | null,
  roots: FloatArray | null,
  stepSize: number,
  s: AdafactorScalars,
): boolean {
  if (variance !== null) {
    if (!openRow(ADAFACTOR_STEP, p, g, variance)) return false;
    closeRow(0, -stepSize * s.gradSign, s.eps1 * s.eps1, s.paramDecay);
    return true;
  }
  const opened = openFactoredRow(
    ADAFACTOR_FACTORED_STEP,
    p,
    g,
    rowVar as FloatArray,
    colVar as FloatArray,
    roots as FloatArray,
    s.rows,
    s.cols,
  );
  if (!opened) return false;
  closeFactoredRow(s, stepSize);
  return true;
}
