import type { FloatArray } from '../../core/param.js';
import type { LambScalars } from '../lamb.js';
import { closeRow, kernelId, openRow, openSummingRow } from './batch.js';

const LAMB = kernelId('LAMB');
const LAMB_STEP = kernelId('LAMB_STEP');

/** Queues LAMB's first pass in WebAssembly (assembly/lamb.ts); false when not in the arena. */
export function lambMomentsSimd(
  p: FloatArray,
  g: FloatArray,
  expAvg: FloatArray,
  expAvgSq: FloatArray,
  sums: Float64Array,
  s: LambScalars,
): boolean {
  if (!openSummingRow(LAMB, sums, p, g, expAvg, expAvgSq)) return false;
  closeRow(
    0,
    s.beta1,
    1 - s.beta1,
    s.beta2,
    1 - s.beta2,
    1 / s.biasCorrection1,
    1 / s.biasCorrection2,
    s.epsRoot,
    s.eps,
    s.weightDecay,
    s.gradSign,
  );
  return true;
}

/** Queues LAMB's step in WebAssembly; false when not in the arena. */
export function lambStepSimd(
  p: FloatArray,
  expAvg: FloatArray,
  expAvgSq: FloatArray,
  stepSize: number,
  s: LambScalars,
): boolean {
  if (!openRow(LAMB_STEP, p, expAvg, expAvgSq)) return false;
  closeRow(
    0,
    stepSize,
    1 / s.biasCorrection1,
    1 / s.biasCorrection2,
    s.epsRoot,
    s.eps,
    s.weightDecay,
  );
  return true;
}
