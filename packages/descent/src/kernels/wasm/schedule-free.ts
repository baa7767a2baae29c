import type { FloatArray } from '../../core/param.js';
import type { ScheduleFreeAdamWScalars, ScheduleFreeScalars } from '../schedule-free.js';
import { closeRow, kernelId, openRow } from './batch.js';
import { lerpFactor, lerpFlag } from './lerp.js';

const SCHEDULE_FREE = kernelId('SCHEDULE_FREE');
const SCHEDULE_FREE_MOVE = kernelId('SCHEDULE_FREE_MOVE');

/** SGD's row leaves AdamW's scalars at values its kernel never reads (no expAvgSq), made once. */
const NO_SECOND_MOMENT = { beta2: 0, eps: 0, biasCorrection2: 1 };

/**
 * Queues a Schedule-Free step in WebAssembly (assembly/schedule-free.ts): SGD's without
 * `expAvgSq`, AdamW's with it; false when the arrays are not in the arena.
 */
export function scheduleFreeSimd(
  p: FloatArray,
  g: FloatArray,
  z: FloatArray,
  expAvgSq: FloatArray | null,
  s: ScheduleFreeScalars | ScheduleFreeAdamWScalars,
): boolean {
  if (!openRow(SCHEDULE_FREE, p, g, z, expAvgSq)) return false;
  const adam = 'beta2' in s ? s : NO_SECOND_MOMENT;
  const correction = Math.sqrt(adam.biasCorrection2);
  closeRow(
    lerpFlag(s.ckp1),
    lerpFactor(s.ckp1),
    s.lr * (s.beta * (1 - s.ckp1) - 1),
    s.lr,
    s.weightDecay,
    adam.beta2,
    1 - adam.beta2,
    adam.eps * correction,
    correction,
  );
  return true;
}

/** Queues Schedule-Free's move p ← lerp(p, z, weight) in WebAssembly; false when not in the arena. */
export function scheduleFreeMoveSimd(p: FloatArray, z: FloatArray, weight: number): boolean {
  if (!openRow(SCHEDULE_FREE_MOVE, p, z)) return false;
  closeRow(lerpFlag(weight), lerpFactor(weight));
  return true;
}
