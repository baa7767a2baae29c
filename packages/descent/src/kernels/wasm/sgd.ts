import type { FloatArray } from '../../core/param.js';
import type { Moment } from '../moment.js';
import type { SGDScalars } from '../sgd.js';
import { closeRow, kernelFlag, kernelId, openRow } from './batch.js';

const SGD = kernelId('SGD');
const NESTEROV = kernelFlag('SGD_NESTEROV');
const FIRST = kernelFlag('SGD_FIRST');

/** Queues an SGD step in WebAssembly (assembly/sgd.ts); false when the arrays are not in the arena. */
export function sgdSimd(
  p: FloatArray,
  g: FloatArray,
  buffer: Moment | null,
  s: SGDScalars,
): boolean {
  if (!openRow(SGD, p, g, buffer)) return false;
  closeRow(
    (s.nesterov ? NESTEROV : 0) | (s.firstStep ? FIRST : 0),
    s.lr,
    s.momentum,
    1 - s.dampening,
    s.weightDecay,
    s.maximize ? -1 : 1,
  );
  return true;
}
