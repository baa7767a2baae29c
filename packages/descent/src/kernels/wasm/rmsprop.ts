import type { FloatArray } from '../../core/param.js';
import type { Moment } from '../moment.js';
import type { RMSpropScalars } from '../rmsprop.js';
import { closeRow, kernelId, openRow } from './batch.js';
import { lerpFactor, lerpFlag } from './lerp.js';

const RMSPROP = kernelId('RMSPROP');

/** Queues an RMSprop step in WebAssembly (assembly/rmsprop.ts); false when the arrays are not in the arena. */
export function rmspropSimd(
  p: FloatArray,
  g: FloatArray,
  squareAvg: Moment,
  momentumBuffer: Moment | null,
  gradAvg: Moment | null,
  s: RMSpropScalars,
): boolean {
  if (!openRow(RMSPROP, p, g, squareAvg, momentumBuffer, gradAvg)) return false;
  const weight = 1 - s.alpha;
  closeRow(
    lerpFlag(weight),
    s.lr,
    s.alpha,
    weight,
    s.eps,
    s.weightDecay,
    s.momentum,
    s.maximize ? -1 : 1,
    lerpFactor(weight),
  );
  return true;
}
