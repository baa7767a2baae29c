import type { FloatArray } from '../../core/param.js';
import type { ASGDScalars } from '../asgd.js';
import { closeRow, kernelFlag, kernelId, openRow } from './batch.js';

const ASGD = kernelId('ASGD');
const COPY = kernelFlag('ASGD_COPY');

/** Queues an ASGD step in WebAssembly (assembly/asgd.ts); false when the arrays are not in the arena. */
export function asgdSimd(p: FloatArray, g: FloatArray, ax: FloatArray, s: ASGDScalars): boolean {
  if (!openRow(ASGD, p, g, ax)) return false;
  closeRow(
    s.mu === 1 ? COPY : 0,
    1 - s.lambd * s.eta,
    s.eta,
    s.mu,
    s.weightDecay,
    s.maximize ? -1 : 1,
  );
  return true;
}
