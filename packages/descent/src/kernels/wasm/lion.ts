import type { FloatArray } from '../../core/param.js';
import type { LionScalars } from '../lion.js';
import type { Moment } from '../moment.js';
import { closeRow, kernelId, openRow } from './batch.js';

const LION = kernelId('LION');

/** Queues a Lion step in WebAssembly (assembly/lion.ts); false when the arrays are not in the arena. */
export function lionSimd(p: FloatArray, g: FloatArray, expAvg: Moment, s: LionScalars): boolean {
  if (!openRow(LION, p, g, expAvg)) return false;
  closeRow(0, s.lr, s.beta1, 1 - s.beta1, s.beta2, 1 - s.beta2, s.paramDecay, s.gradSign);
  return true;
}
