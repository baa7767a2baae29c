import type { FloatArray } from '../../core/param.js';
import type { Moment } from '../moment.js';
import type { NAdamScalars } from '../nadam.js';
import { closeRow, kernelId, openRow } from './batch.js';
import { lerpFactor, lerpFlag } from './lerp.js';

const NADAM = kernelId('NADAM');

/** Queues a NAdam step in WebAssembly (assembly/nadam.ts); false when the arrays are not in the arena. */
export function nadamSimd(
  p: FloatArray,
  g: FloatArray,
  expAvg: Moment,
  expAvgSq: Moment,
  s: NAdamScalars,
): boolean {
  if (!openRow(NADAM, p, g, expAvg, expAvgSq)) return false;
  const weight1 = 1 - s.beta1;
  const root = Math.sqrt(s.biasCorrection2);
  closeRow(
    lerpFlag(weight1),
    s.beta2,
    1 - s.beta2,
    s.eps * root,
    s.gradStep * root,
    s.expAvgStep * root,
    s.weightDecay,
    s.paramDecay,
    s.gradSign,
    lerpFactor(weight1),
  );
  return true;
}
