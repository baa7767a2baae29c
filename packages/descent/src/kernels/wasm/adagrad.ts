import type { FloatArray } from '../../core/param.js';
import type { AdagradScalars } from '../adagrad.js';
import type { Moment } from '../moment.js';
import { closeRow, kernelId, openRow } from './batch.js';

const ADAGRAD = kernelId('ADAGRAD');

/** Queues an Adagrad step in WebAssembly (assembly/adagrad.ts); false when the arrays are not in the arena. */
export function adagradSimd(p: FloatArray, g: FloatArray, sum: Moment, s: AdagradScalars): boolean {
  if (!openRow(ADAGRAD, p, g, sum)) return false;
  closeRow(0, s.lr / (1 + (s.step - 1) * s.lrDecay), s.eps, s.weightDecay, s.maximize ? -1 : 1);
  return true;
}
