import type { FloatArray } from '../../core/param.js';
import type { ProdigyMomentScalars, ProdigyStepScalars } from '../prodigy.js';
import { closeRow, kernelId, openRow, openSummingRow } from './batch.js';

const PRODIGY = kernelId('PRODIGY');
const PRODIGY_STEP = kernelId('PRODIGY_STEP');

/** Queues Prodigy's first pass in WebAssembly (assembly/prodigy.ts); false when not in the arena. */
export function prodigyMomentsSimd(
  p: FloatArray,
  g: FloatArray,
  p0: FloatArray,
  s: FloatArray,
  expAvg: FloatArray | null,
  expAvgSq: FloatArray,
  sums: Float64Array,
  k: ProdigyMomentScalars,
): boolean {
  if (!openSummingRow(PRODIGY, sums, p, g, p0, s, expAvgSq, expAvg)) return false;
  closeRow(
    0,
    k.coupledDecay,
    k.beta1,
    k.d * (1 - k.beta1),
    k.beta2,
    k.d * k.d * (1 - k.beta2),
    k.beta3,
    k.sWeight,
  );
  return true;
}

/** Queues Prodigy's step in WebAssembly; false when not in the arena. */
export function prodigyStepSimd(
  p: FloatArray,
  g: FloatArray,
  expAvg: FloatArray | null,
  expAvgSq: FloatArray,
  k: ProdigyStepScalars,
): boolean {
  if (!openRow(PRODIGY_STEP, p, g, expAvgSq, expAvg)) return false;
  closeRow(
    0,
    k.coupledDecay,
    -k.decoupledDecay * k.dlr,
    expAvg !== null ? -k.dlr : -k.dlr * k.d,
    k.d * k.eps,
    k.coupledDecay + k.decoupledDecay,
  );
  return true;
}
