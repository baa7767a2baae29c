import type { FloatArray } from '../../core/param.js';
import type { Moment } from '../moment.js';
import type { RAdamScalars } from '../radam.js';
import { closeRow, kernelFlag, kernelId, openRow } from './batch.js';
import { lerpFactor, lerpFlag } from './lerp.js';

const RADAM = kernelId('RADAM');
const RECTIFIED = kernelFlag('RADAM_RECTIFIED');

/** Queues a RAdam step in WebAssembly (assembly/radam.ts); false when the arrays are not in the arena. */
export function radamSimd(
  p: FloatArray,
  g: FloatArray,
  expAvg: Moment,
  expAvgSq: Moment,
  s: RAdamScalars,
): boolean {
  if (!openRow(RADAM, p, g, expAvg, expAvgSq)) return false;
  const weight1 = 1 - s.beta1;
  closeRow(
    lerpFlag(weight1) | (s.rect === 0 ? 0 : RECTIFIED),
    s.beta2,
    1 - s.beta2,
    s.lr / s.biasCorrection1,
    s.rect * s.biasCorrection2Sqrt,
    s.eps,
    s.weightDecay,
    s.paramDecay,
    s.gradSign,
    lerpFactor(weight1),
  );
  return true;
}
