import { describe, expect, it } from 'vitest';
import { sections } from '../../src/lab/run.js';
import { presetBook } from '../../src/playground/book-values.js';
import { functionById, functions } from '../../src/playground/functions.js';
import { presetIds, presetState } from '../../src/playground/presets.js';
import { run } from '../../src/playground/runs.js';
import { canonical, fromHash, toHash } from '../../src/playground/state.js';
import { labFinals } from './reference.js';

describe('playground presets', () => {
  it('give, run by the page’s code in Node, exactly the lab’s final point', async () => {
    const finals = await labFinals();
    for (const id of presetIds) {
      const lab = finals.get(id);
      if (lab === undefined) continue;
      const state = presetState(id);
      const result = run(state.runs[0], functionById(state.fn), state.start, state.steps);
      const dim = state.start.length;
      expect([...result.path.subarray(result.steps * dim)], id).toEqual(lab);
    }
    // Every trace of the lab has its preset, and the book's value beside it where the book has one.
    const traces = [...finals.keys()];
    expect(traces.length).toBeGreaterThanOrEqual(19);
    for (const id of traces) expect(presetIds).toContain(id);
    expect(presetBook('momentum-2d-beta0.5')?.printed).toMatch(/^epoch 20, x1: /);
  });

  it('every 1-D and 2-D experiment of the lab is a preset', () => {
    const ids = sections.flatMap((s) => s.experiments.map((e) => e.id));
    const drawn = ids.filter((id) => /-(1d|2d)|^newton|^challenges|^gd-/.test(id));
    for (const id of drawn) expect(presetIds, id).toContain(id);
  });

  it('round-trip through the address', () => {
    for (const id of presetIds) {
      const state = presetState(id);
      expect(toHash(state, presetState)).toBe(`#preset=${id}`);
      expect(fromHash(toHash(state, presetState), presetState)).toEqual(state);
      const changed = { ...state, steps: state.steps + 1 };
      const hash = toHash(changed, presetState);
      expect(hash.startsWith('#s=')).toBe(true);
      const { preset: _, ...rest } = changed;
      expect(fromHash(hash, presetState)).toEqual(rest);
    }
    expect(() => fromHash('#s=%7B', presetState)).toThrow('Invalid address: not JSON');
    expect(() => fromHash('#preset=nope', presetState)).toThrow('Unknown preset: "nope"');
  });
});

describe('playground functions', () => {
  it('have gradients and Hessians that agree with central differences', () => {
    const h = 1e-5;
    for (const fn of functions) {
      const [[a, b], [c, d] = [0, 0]] = fn.view;
      for (let k = 1; k <= 5; k++) {
        const x =
          fn.dim === 1
            ? [a + ((b - a) * k) / 6.3]
            : [a + ((b - a) * k) / 6.3, c + ((d - c) * k) / 5.7];
        const grad = new Float64Array(fn.dim);
        fn.grad(x, grad);
        const hess = fn.hess(x);
        for (let i = 0; i < fn.dim; i++) {
          const up = [...x];
          const down = [...x];
          up[i] += h;
          down[i] -= h;
          const scale = 1 + Math.abs(grad[i]);
          expect(
            Math.abs((fn.f(up) - fn.f(down)) / (2 * h) - grad[i]) / scale,
            `${fn.id} ∂${i}`,
          ).toBeLessThan(1e-5);
          const gu = new Float64Array(fn.dim);
          const gd = new Float64Array(fn.dim);
          fn.grad(up, gu);
          fn.grad(down, gd);
          for (let j = 0; j < fn.dim; j++) {
            const numeric = (gu[j] - gd[j]) / (2 * h);
            const exact = hess[j * fn.dim + i];
            expect(
              Math.abs(numeric - exact) / (1 + Math.abs(exact)),
              `${fn.id} ∂${i}∂${j}`,
            ).toBeLessThan(1e-4);
          }
        }
      }
      // The marked minima are stationary, and at the least value where one is given.
      for (const m of fn.minima) {
        const g = new Float64Array(fn.dim);
        fn.grad(m, g);
        for (const v of g) expect(Math.abs(v), `${fn.id} ∇f at a minimum`).toBeLessThan(1e-6);
        if (fn.fmin !== undefined) expect(fn.f(m)).toBeCloseTo(fn.fmin, 9);
      }
    }
  });
});

describe('playground state', () => {
  it('is a preset only while nothing of it changed, at any depth', () => {
    const state = presetState('gd-2d');
    expect(canonical(state)).toBe(canonical({ ...presetState('gd-2d'), preset: undefined }));
    const changed = presetState('gd-2d');
    changed.runs[0].options.lr = 0.05;
    expect(canonical(changed)).not.toBe(canonical(state));
  });
});
