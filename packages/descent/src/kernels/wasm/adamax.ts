import type { FloatArray } from '../../core/param.js';
import type { AdamaxScalars } from '../adamax.js';
import type { Moment } from '../moment.js';
import { closeRow, kernelId, openRow } from './batch.js';
import { lerpFactor, lerpFlag } from './lerp.js';

const ADAMAX = kernelId('ADAMAX');

/** Queues an Adamax step in WebAssembly (assembly/adamax.ts); false when the arrays are not in the arena. */
export function adamaxSimd(
  p: FloatArray,
  g: FloatArray,
  expAvg: Moment,
  expInf: Moment,
  s: AdamaxScalars,
): boolean {
  if (!openRow(ADAMAX, p, g, expAvg, expInf)) return false;
  const [beta1, beta2] = s.betas;
  const weight1 = 1 - beta1;
  closeRow(
    lerpFlag(weight1),
    s.lr / (1 - beta1 ** s.step),
    s.eps,
    s.weightDecay,
    s.maximize ? -1 : 1,
    beta2,
    lerpFactor(weight1),
  );
  return true;
}
