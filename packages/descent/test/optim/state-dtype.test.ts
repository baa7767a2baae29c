import { describe, expect, it } from 'vitest';
import { type Param, param } from '../../src/core/param.js';
import { bfloat16Value } from '../../src/kernels/bfloat16.js';
import {
  loadCases,
  optimizerClass,
  type ReferenceCase,
  tolerance,
  worstError,
} from './reference.js';

/**
 * Optimizer state in bfloat16 and int8 (src/optim/state-dtype.ts) against the trajectories of
 * scripts/reference/optim_state_dtype.py (fixtures/state-dtype.json, 37 cases): Adam, AdamW and
 * SGD with momentum in bfloat16 (nearest even, and stochastic with two seeds), int8 for those and
 * torch.optim's Adagrad, RMSprop and Adamax, and groups mixing every state dtype. The generator
 * stores each state bit for bit (bfloat16 moments as their decoded values, int8 moments as codes
 * and absmax) and shows, by a replay in double arithmetic as descent's kernels compute, that the
 * stored states do not hang on float32 rounding and that the parameters agree within 1e-6.
 */
const cases = loadCases('state-dtype.json');

/** The generator's tolerance for the parameters (its replay in double arithmetic). */
const paramTolerance = 1e-6;

/** How far descent's absmax may be from the reference's, in float32 ulps (see below). */
const maxAbsmaxUlps = 2;

/** The largest distance between float32 values and expected ones, in units in the last place. */
function ulpsApart(actual: Float32Array, expected: number[]): number {
  const a = new Int32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Int32Array(Float32Array.from(expected).buffer);
  // Both non-negative (absolute maxima): their bits are ordered as their values.
  return a.reduce(
    (worst, bits, i) => Math.max(worst, Math.abs(bits - e[i])),
    expected.length === actual.length ? 0 : Infinity,
  );
}

/** The storage spec14.md gives a parameter's moments in a group with these options. */
function storageOf(
  options: Record<string, unknown>,
  length: number,
): 'float32' | 'bfloat16' | 'int8' {
  const dtype = (options.stateDtype ?? 'float32') as 'float32' | 'bfloat16' | 'int8';
  const threshold = (options.min8bitSize ?? 4096) as number;
  return dtype === 'int8' && length < threshold ? 'float32' : dtype;
}

function build(c: ReferenceCase) {
  const groups = c.groups.map((g) => ({
    params: g.params.map((values, i) =>
      param(values, { dtype: 'float32', ...(g.shapes && { shape: g.shapes[i] }) }),
    ),
    ...g.options,
  }));
  const params = groups.flatMap((g) => g.params);
  const storage = c.groups.flatMap((g) =>
    g.params.map((values) => storageOf(g.options, values.length)),
  );
  return { opt: new (optimizerClass(c.optimizer))(groups), params, storage };
}

describe('trajectories with state in bfloat16 and int8', () => {
  it('the fixture has the 37 cases, each dtype among them', () => {
    expect(cases.length).toBe(37);
    const all = new Set(
      cases.flatMap((c) =>
        c.groups.flatMap((g) => g.params.map((v) => storageOf(g.options, v.length))),
      ),
    );
    expect([...all].sort()).toEqual(['bfloat16', 'float32', 'int8']);
  });

  for (const c of cases) {
    it(c.name, () => {
      const { opt, params, storage } = build(c);
      c.steps.forEach((step, t) => {
        params.forEach((p, i) => {
          p.grad.set(step.grads[i]);
        });
        opt.step();
        const where = (i: number, key: string) => `${c.name}: step ${t + 1}, tensor ${i}, ${key}`;
        params.forEach((p, i) => {
          expect(
            worstError(p.data, step.params[i], paramTolerance),
            where(i, 'parameter'),
          ).toBeLessThanOrEqual(1);
        });
        for (const [key, perTensor] of Object.entries(step.state ?? {})) {
          perTensor.forEach((expected, i) => {
            const value = opt.state.get(params[i])?.[key];
            if (expected.length === 0) {
              // Recorded for another tensor only: an int8 moment's absmax, a float32 tensor has none.
              expect(value, where(i, key)).toBeUndefined();
              return;
            }
            if (key === 'step') {
              expect(value, where(i, key)).toBe(expected[0]);
              return;
            }
            const mode = storage[i];
            if (mode === 'bfloat16') {
              // The decoded values, bit for bit.
              expect(value, where(i, key)).toBeInstanceOf(Uint16Array);
              expect(Array.from(value as Uint16Array, bfloat16Value), where(i, key)).toEqual(
                expected,
              );
            } else if (mode === 'int8' && !key.endsWith('Absmax')) {
              // The codes, exactly: the generator kept every decision 2⁻²⁰ of x from its edge.
              expect(value, where(i, key)).toBeInstanceOf(Uint8Array);
              expect(Array.from(value as Uint8Array), where(i, key)).toEqual(expected);
            } else if (mode === 'int8') {
              // A block's absmax is max |m| of float32 moments, which descent computes in double
              // arithmetic rounded once and torch op by op: as float32 state, it may differ by one or two
              // ulps (the generator's replay checks the codes, not these).
              expect(value, where(i, key)).toBeInstanceOf(Float32Array);
              expect(ulpsApart(value as Float32Array, expected), where(i, key)).toBeLessThanOrEqual(
                maxAbsmaxUlps,
              );
            } else {
              expect(value, where(i, key)).toBeInstanceOf(Float32Array);
              expect(
                worstError(value as Float32Array, expected, tolerance.float32),
                where(i, key),
              ).toBeLessThanOrEqual(1);
            }
          });
        }
      });
    });
  }
});
