import type { FloatArray } from '../../core/param.js';
import type { AdamScalars } from '../adam.js';
import type { Moment } from '../moment.js';
import { closeRow, kernelId, openRow } from './batch.js';
import { lerpFactor, lerpFlag } from './lerp.js';

const ADAM = kernelId('ADAM');

/** Queues an Adam step in WebAssembly (assembly/adam.ts); false when the arrays are not in the arena. */
export function adamSimd(
  p: FloatArray,
  g: FloatArray,
  expAvg: Moment,
  expAvgSq: Moment,
  maxExpAvgSq: Moment | null,
  s: AdamScalars,
): boolean {
  if (!openRow(ADAM, p, g, expAvg, expAvgSq, maxExpAvgSq)) return false;
  const weight1 = 1 - s.beta1;
  closeRow(
    lerpFlag(weight1),
    s.beta2,
    s.eps * s.biasCorrection2Sqrt,
    s.stepSize * s.biasCorrection2Sqrt,
    s.weightDecay,
    s.paramDecay,
    s.gradSign,
    lerpFactor(weight1),
    1 - s.beta2,
  );
  return true;
}
