import type { FloatArray } from '../../core/param.js';
import type { AdadeltaScalars } from '../adadelta.js';
import { closeRow, kernelId, openRow } from './batch.js';

const ADADELTA = kernelId('ADADELTA');

/** Queues an Adadelta step in WebAssembly (assembly/adadelta.ts); false when the arrays are not in the arena. */
export function adadeltaSimd(
  p: FloatArray,
  g: FloatArray,
  squareAvg: FloatArray,
  accDelta: FloatArray,
  s: AdadeltaScalars,
): boolean {
  if (!openRow(ADADELTA, p, g, squareAvg, accDelta)) return false;
  closeRow(0, s.lr, s.rho, 1 - s.rho, s.eps, s.weightDecay, s.maximize ? -1 : 1);
  return true;
}
