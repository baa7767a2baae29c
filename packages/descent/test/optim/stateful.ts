import fc from 'fast-check';
import { expect } from 'vitest';
import type { Param } from '../../src/core/param.js';
import { encode } from '../../src/core/serialize.js';
import {
  applyTreeMutation,
  type Json,
  sites,
  type TreeMutation,
  treeMutations,
} from '../json-mutations.js';

/**
 * Resume and hostile state dicts for the training utilities (AveragedParams, Lookahead,
 * skipNonFinite): what test/optim/load-state.test.ts does for optimizers, for objects that keep
 * their own state dict (and, for wrappers, hold the inner optimizer's).
 */

/** What saves and restores itself. */
export interface Stateful {
  stateDict(): unknown;
  loadStateDict(stateDict: unknown): void;
}

/**
 * A run to resume: fresh parameters (the same initial values on every call), the object under
 * test, and its step t (which writes the gradients of step t and steps).
 */
export interface Run {
  params: Param[];
  target: Stateful;
  step: (t: number) => void;
  /** Anything else whose bits must match after a resume (averages); default none. */
  extra?: () => readonly ArrayLike<number>[];
}

const bits = (arrays: readonly ArrayLike<number>[]) =>
  arrays.map((a) => [...new Uint8Array(Float64Array.from(a).buffer)]);

function snapshot(run: Run): number[][] {
  return bits([...run.params.map((p) => p.data), ...(run.extra?.() ?? [])]);
}

/**
 * Saves mid-run (after `at` of `steps` steps, through JSON), loads into fresh objects whose
 * parameters hold the saved values (as a checkpoint restores them), continues, and expects every
 * bit of the parameters (and `extra`) to be those of the uninterrupted run.
 */
export function expectResumeExact(build: () => Run, steps: number, at: number): void {
  const whole = build();
  for (let t = 0; t < steps; t++) whole.step(t);
  const first = build();
  for (let t = 0; t < at; t++) first.step(t);
  const saved = JSON.stringify(first.target.stateDict());
  const values = first.params.map((p) => p.data.slice());
  const resumed = build();
  resumed.params.forEach((p, i) => {
    p.data.set(values[i]);
  });
  resumed.target.loadStateDict(JSON.parse(saved));
  expect(JSON.stringify(resumed.target.stateDict())).toBe(saved);
  for (let t = at; t < steps; t++) resumed.step(t);
  expect(snapshot(resumed)).toEqual(snapshot(whole));
}

/** What a mutation may write in place of a value. */
const replacements: Json[] = [
  { float: 'NaN' },
  -1,
  { float: 'Infinity' },
  { float: '-0' },
  0.5,
  0,
  1,
  2,
  1e300,
  'x',
  null,
  true,
  false,
  [],
  {},
  [0.5, 1],
  { dtype: 'float64', base64: '' },
  JSON.parse(JSON.stringify(encode(new Float64Array([0.5, -1, 2])))),
  JSON.parse(JSON.stringify(encode(new Float32Array([0.5, -1, 2])))),
  JSON.parse(JSON.stringify(encode(new Float64Array([0.25, 0.5, 1, 2, 4])))),
  { dtype: 'float16', base64: '' },
  { dtype: 'float64', base64: '!!!!' },
  { float: 'nan' },
];

/** Keys a mutation may add to an object. */
const addedKeys = ['extra', '__proto__', 'constructor', 'prototype', 'step', 'k', 'optimizer'];

const prototypeNames = () =>
  [Object.prototype, Array.prototype, Function.prototype].map((proto) =>
    Object.getOwnPropertyNames(proto).join(),
  );

/**
 * Loads mutated copies of a real state dict (after `steps` steps): values replaced (NaN, -1,
 * infinities, text, arrays of other types and lengths), keys deleted or added (prototype keys
 * among them), values swapped. Each either loads, after which the run steps on to finite
 * parameters (but where a huge number was written: arithmetic's overflow, not loading's) and
 * saves a state dict that loads again, or is refused with a TypeError or RangeError saying
 * "Invalid" or "Unknown" that leaves the state dict as it was. No prototype changes.
 */
export function expectHostileRefused(build: () => Run, steps = 4, runs = 300): void {
  const run = build();
  for (let t = 0; t < steps; t++) run.step(t);
  const good: Json = JSON.parse(JSON.stringify(run.target.stateDict()));
  const values = run.params.map((p) => p.data.slice());
  const prototypes = prototypeNames();
  const outcomes = { loaded: 0, refused: 0 };
  const mutation = fc.oneof(...treeMutations(replacements.length, addedKeys.length));
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations: TreeMutation[]) => {
      run.params.forEach((p, i) => {
        p.data.set(values[i]);
      });
      run.target.loadStateDict(good);
      const dict = structuredClone(good);
      for (const m of mutations) {
        const all = sites(dict).map((path) => ['root', ...path]);
        applyTreeMutation({ root: dict }, m, all, replacements, addedKeys);
      }
      const before = JSON.stringify(run.target.stateDict());
      try {
        run.target.loadStateDict(dict);
      } catch (error) {
        if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
        expect(error.message).toMatch(/^(Invalid|Unknown) /);
        expect(JSON.stringify(run.target.stateDict())).toBe(before);
        expect(prototypeNames()).toEqual(prototypes);
        outcomes.refused++;
        return;
      }
      outcomes.loaded++;
      expect(prototypeNames()).toEqual(prototypes);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      run.step(steps);
      const huge = mutations.some((m) => 'value' in m && replacements[m.value] === 1e300);
      if (!huge) {
        for (const p of run.params) expect(p.data.every(Number.isFinite)).toBe(true);
        run.target.loadStateDict(JSON.parse(JSON.stringify(run.target.stateDict())));
      }
    }),
    { numRuns: runs },
  );
  expect(outcomes.refused).toBeGreaterThan(runs / 4);
  expect(outcomes.loaded).toBeGreaterThan(0);
}
