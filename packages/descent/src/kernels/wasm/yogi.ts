import type { FloatArray } from '../../core/param.js';
import type { Moment } from '../moment.js';
import type { YogiScalars } from '../yogi.js';
import { closeRow, kernelId, openRow } from './batch.js';

const YOGI = kernelId('YOGI');

/** Queues a Yogi step in WebAssembly (assembly/yogi.ts); false when the arrays are not in the arena. */
export function yogiSimd(
  p: FloatArray,
  g: FloatArray,
  expAvg: Moment,
  expAvgSq: Moment,
  s: YogiScalars,
): boolean {
  if (!openRow(YOGI, p, g, expAvg, expAvgSq)) return false;
  const root = Math.sqrt(s.biasCorrection2);
  closeRow(
    0,
    s.beta1,
    1 - s.beta1,
    1 - s.beta2,
    (s.lr * root) / s.biasCorrection1,
    s.eps * root,
    s.weightDecay,
    s.paramDecay,
    s.gradSign,
  );
  return true;
}
