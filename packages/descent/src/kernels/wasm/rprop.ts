import type { FloatArray } from '../../core/param.js';
import type { RpropScalars } from '../rprop.js';
import { closeRow, kernelId, openRow } from './batch.js';

const RPROP = kernelId('RPROP');

/** Queues an Rprop step in WebAssembly (assembly/rprop.ts); false when the arrays are not in the arena. */
export function rpropSimd(
  p: FloatArray,
  g: FloatArray,
  prev: FloatArray,
  stepSize: FloatArray,
  s: RpropScalars,
): boolean {
  if (!openRow(RPROP, p, g, prev, stepSize)) return false;
  closeRow(0, s.etas[0], s.etas[1], s.stepSizes[0], s.stepSizes[1], s.maximize ? -1 : 1);
  return true;
}
