import { describe, expect, it } from 'vitest';
import * as pure from '../../src/schedules/pure/index.js';
import type { Schedule } from '../../src/schedules/pure/schedule.js';
import { loadCases } from './reference.js';

/** A schedule by its exported name and its options, as scripts/reference/pure_schedules.py writes it. */
interface Spec {
  schedule: string;
  options: Record<string, unknown>;
}

interface PureCase extends Spec {
  name: string;
  /** Where the values come from: a PyTorch scheduler, an Optax definition, or the formula. */
  reference: string;
  /** Values picked rather than computed: equal to the bit. */
  exact?: boolean;
  /** The reference at steps 0, 1, ..., past the schedule's end. */
  values: number[];
}

type Options = Record<string, unknown>;

const builders: Record<string, (o: Options) => Schedule> = {
  constantSchedule: (o) => pure.constantSchedule(o as never),
  linearSchedule: (o) => pure.linearSchedule(o as never),
  polynomialSchedule: (o) => pure.polynomialSchedule(o as never),
  exponentialDecay: (o) => pure.exponentialDecay(o as never),
  cosineDecay: (o) => pure.cosineDecay(o as never),
  inverseSqrtDecay: (o) => pure.inverseSqrtDecay(o as never),
  piecewiseConstant: (o) => pure.piecewiseConstant(o as never),
  piecewiseInterpolated: (o) => pure.piecewiseInterpolated(o as never),
  warmupCosineDecay: (o) => pure.warmupCosineDecay(o as never),
  warmupStableDecay: (o) => pure.warmupStableDecay(o as never),
  sgdr: (o) => pure.sgdr(o as never),
  oneCycle: (o) => pure.oneCycle(o as never),
  join: ({ schedules, boundaries }) =>
    pure.join((schedules as Spec[]).map(build), boundaries as number[]),
  warmup: ({ schedule, ...rest }) => pure.warmup(build(schedule as Spec), rest as never),
};

/** Exports of src/schedules/pure that are not schedules but the pieces they are made of. */
const helpers = ['interpolate', 'schedule', 'shapes', 'transition'];

function build(spec: Spec): Schedule {
  const make = builders[spec.schedule];
  if (make === undefined) throw new Error(`no pure schedule ${spec.schedule}`);
  return make(spec.options);
}

/**
 * Relative to each value itself (not to the sequence's largest, so a wrong tail of a decay cannot
 * hide): the worst case is 3e-13, an SGDR step next to a cycle's end where 1 + cos πf cancels.
 */
const tolerance = 1e-12;

const cases = loadCases<PureCase>('pure.json');

describe('pure schedules against PyTorch, Optax and their formulas, step by step', () => {
  it('cover every pure schedule', () => {
    const exported = Object.keys(pure).filter((name) => !helpers.includes(name));
    expect(Object.keys(builders).sort()).toEqual(exported.sort());
    expect([...new Set(cases.map((c) => c.schedule))].sort()).toEqual(exported.sort());
  });

  for (const c of cases) {
    it(`${c.name} (${c.reference})`, () => {
      const s = build(c);
      c.values.forEach((expected, t) => {
        const actual = s(t);
        if (c.exact) {
          expect(actual, `${c.name} at ${t}`).toBe(expected);
          return;
        }
        const bound = tolerance * Math.abs(expected);
        expect(
          Math.abs(actual - expected),
          `${c.name} at ${t}: ${actual} vs ${expected}`,
        ).toBeLessThanOrEqual(bound);
      });
    });
  }
});
