import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type DType, type Param, param } from '../../src/core/param.js';
import { freeArray } from '../../src/kernels/wasm/index.js';
import { AveragedParams } from '../../src/optim/averaged-params.js';
import { expectError } from '../schedules/reference.js';
import { tolerance, worstError } from './reference.js';
import { expectHostileRefused, expectResumeExact, type Run } from './stateful.js';

/** One sequence of scripts/reference/optim_averaged_params.py (torch 1.13's AveragedModel). */
interface AveragingCase {
  name: string;
  dtype: DType;
  decay: number | null;
  initial: number[][];
  updates: { params: number[][]; averaged: number[][] }[];
}

const cases: AveragingCase[] = JSON.parse(
  readFileSync(new URL('fixtures/averaged-params.json', import.meta.url), 'utf8'),
).cases;

describe('AveragedParams against PyTorch (AveragedModel)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const params = c.initial.map((values) => param(values, { dtype: c.dtype }));
    const swa = new AveragedParams(params, c.decay === null ? {} : { decay: c.decay });
    // The averages start as copies of the parameters, as AveragedModel deep-copies the model.
    expect(swa.averaged.map((a) => [...a])).toEqual(params.map((p) => [...p.data]));
    c.updates.forEach((u, t) => {
      params.forEach((p, i) => {
        p.data.set(u.params[i]);
      });
      swa.update();
      expect(swa.nAveraged).toBe(t + 1);
      swa.averaged.forEach((avg, i) => {
        expect(
          worstError(avg, u.averaged[i], tolerance[c.dtype]),
          `update ${t + 1}, tensor ${i}: ${avg} vs ${u.averaged[i]}`,
        ).toBeLessThanOrEqual(1);
      });
    });
  });

  it('covers SWA and EMA in both element types', () => {
    for (const dtype of ['float32', 'float64']) {
      expect(cases.some((c) => c.dtype === dtype && c.decay === null)).toBe(true);
      expect(cases.filter((c) => c.dtype === dtype && c.decay !== null).length).toBe(5);
    }
  });
});

const make = () => [
  param([1, -2, 3], { dtype: 'float64', name: 'a' }),
  param([0.5, 4], { dtype: 'float32', name: 'b' }),
];

describe('AveragedParams', () => {
  it('averages with equal weights, the first update copying', () => {
    const [a] = make();
    const swa = new AveragedParams([a]);
    a.data.set([3, 3, 3]);
    swa.update();
    expect([...swa.averaged[0]]).toEqual([3, 3, 3]);
    a.data.set([6, 0, 9]);
    swa.update();
    a.data.set([0, 0, 0]);
    swa.update();
    expect([...swa.averaged[0]]).toEqual([3, 1, 4]);
  });

  it('takes a decay that may change between updates, checked by the next', () => {
    const [a] = make();
    const ema = new AveragedParams([a], { decay: 0.5 });
    ema.update();
    a.data.set([3, 0, 1]);
    ema.update();
    expect([...ema.averaged[0]]).toEqual([2, -1, 2]);
    ema.decay = 0;
    ema.update();
    expect([...ema.averaged[0]]).toEqual([3, 0, 1]);
    ema.decay = 2;
    a.data.set([9, 9, 9]);
    expectError(() => ema.update(), RangeError, 'Invalid decay: 2 (expected in [0, 1])');
    expect([...ema.averaged[0]]).toEqual([3, 0, 1]);
    expect(ema.nAveraged).toBe(3);
  });

  it('copies the averages into parameters, by default those averaged', () => {
    const params = make();
    const swa = new AveragedParams(params);
    swa.update();
    params[0].data.set([0, 0, 0]);
    params[1].data.set([7, 7]);
    swa.update();
    const copies = make();
    swa.copyTo(copies);
    expect([...copies[0].data]).toEqual([0.5, -1, 1.5]);
    expect([...copies[1].data]).toEqual([3.75, 5.5]);
    swa.copyTo();
    expect([...params[1].data]).toEqual([3.75, 5.5]);
  });

  it.each([
    [{ decay: -0.1 }, RangeError, 'Invalid decay: -0.1 (expected in [0, 1])'],
    [{ decay: 1.5 }, RangeError, 'Invalid decay: 1.5 (expected in [0, 1])'],
    [{ decay: Number.NaN }, TypeError, 'Invalid decay: NaN (expected a number)'],
    [{ decay: '0.9' }, TypeError, 'Invalid decay: "0.9" (expected a number)'],
    [{ decai: 0.9 }, TypeError, 'Unknown option decai for AveragedParams (did you mean decay?)'],
    [5, TypeError, 'Invalid options for AveragedParams: 5 (expected an object)'],
  ])('refuses the options %o', (options, type, message) => {
    expectError(() => new AveragedParams(make(), options as never), type, message);
  });

  it('refuses what is not a list of parameters', () => {
    expectError(
      () => new AveragedParams(3 as never),
      TypeError,
      'Invalid params for AveragedParams: 3 (expected an iterable of parameters)',
    );
    expectError(
      () => new AveragedParams([]),
      RangeError,
      'AveragedParams got an empty parameter list',
    );
    expectError(
      () => new AveragedParams([param(1), null as never]),
      TypeError,
      'Invalid parameter 1: null (expected a parameter { data: Float32Array | Float64Array, grad })',
    );
    expectError(
      () => new AveragedParams([{ data: [1] } as never]),
      TypeError,
      'Invalid parameter 0: its data is [1] (expected a Float32Array or a Float64Array)',
    );
  });

  it('refuses parameters that no longer fit their averages, changing nothing', () => {
    const params = make();
    const swa = new AveragedParams(params);
    swa.update();
    const saved = JSON.stringify(swa.stateDict());
    params[1].data = new Float32Array(3);
    expectError(
      () => swa.update(),
      RangeError,
      'Invalid parameter "b": its data is a float32 array of length 3, its average a float32 array of length 2',
    );
    params[1].data = new Float64Array(2);
    expectError(() => swa.update(), RangeError, /^Invalid parameter "b": its data is a float64/);
    expect(JSON.stringify(swa.stateDict())).toBe(saved);
    const copies = make();
    copies[0].data.fill(7);
    copies[1].data = new Float32Array(5);
    expectError(() => swa.copyTo(copies), RangeError, /^Invalid parameter "b"/);
    expect([...copies[0].data]).toEqual([7, 7, 7]);
    expectError(
      () => swa.copyTo([copies[0]]),
      RangeError,
      'Invalid params for copyTo: 1 parameters, for 2 averages',
    );
    const c = param([1, 2], { name: 'c' });
    const averaged = new AveragedParams([c]);
    freeArray(c.data);
    expectError(
      () => averaged.update(),
      TypeError,
      'Invalid parameter "c": its data was freed with freeArray',
    );
    swa.nAveraged = -1;
    expectError(
      () => swa.update(),
      RangeError,
      'Invalid nAveraged: -1 (expected a count (an integer >= 0))',
    );
  });
});

/** Parameters moving step by step, averaged after each step. */
function averagingRun(decay: number | null, names = ['a', 'b']): () => Run {
  return () => {
    const params: Param[] = [
      param([1, -2, 3], { dtype: 'float64', name: names[0] }),
      param([0.5, 4], { dtype: 'float32', name: names[1] }),
    ];
    const target = new AveragedParams(params, { decay });
    return {
      params,
      target,
      step: (t) => {
        params.forEach((p, i) => {
          for (let j = 0; j < p.data.length; j++) p.data[j] += Math.sin(1 + t + 2 * i + j);
        });
        target.update();
      },
      extra: () => target.averaged,
    };
  };
}

describe('AveragedParams state dicts', () => {
  it.each([null, 0.9])('resume bit for bit (decay %s)', (decay) => {
    expectResumeExact(averagingRun(decay), 9, 4);
    expectResumeExact(averagingRun(decay), 5, 0);
  });

  it('hold the count, the decay and the averages with the parameters’ names', () => {
    const run = averagingRun(0.9)();
    run.step(0);
    const dict = JSON.parse(JSON.stringify(run.target.stateDict()));
    expect(Object.keys(dict)).toEqual(['nAveraged', 'decay', 'averaged', 'paramNames']);
    expect(dict.nAveraged).toBe(1);
    expect(dict.decay).toBe(0.9);
    expect(dict.paramNames).toEqual(['a', 'b']);
    const swa = new AveragedParams(make());
    swa.loadStateDict(dict);
    expect(swa.decay).toBe(0.9);
    expect(swa.averaged.map((a) => [...a])).toEqual(
      (run.target as AveragedParams).averaged.map((a) => [...a]),
    );
  });

  it('match averages by name when the parameters were reordered, else by position', () => {
    const run = averagingRun(null)();
    run.step(0);
    const dict = JSON.parse(JSON.stringify(run.target.stateDict()));
    const [savedA, savedB] = (run.target as AveragedParams).averaged.map((a) => [...a]);
    const named = new AveragedParams([
      param([0, 0], { dtype: 'float32', name: 'b' }),
      param([0, 0, 0], { dtype: 'float64', name: 'a' }),
    ]);
    named.loadStateDict(dict);
    expect(named.averaged.map((a) => [...a])).toEqual([savedB, savedA]);
    const unnamed = new AveragedParams([param(2), param(3, { dtype: 'float64' })]);
    expectError(
      () => unnamed.loadStateDict(dict),
      RangeError,
      'Invalid state dict: averaged[0] is a float64 array of length 3, expected float32 of length 2',
    );
    const renamed = new AveragedParams([
      param([0, 0, 0], { dtype: 'float64', name: 'a' }),
      param([0, 0], { dtype: 'float32', name: 'c' }),
    ]);
    expectError(
      () => renamed.loadStateDict(dict),
      RangeError,
      'Invalid state dict: it has no array for parameter "c" (paramNames lists "a", "b")',
    );
    const inOrder = new AveragedParams([param(3, { dtype: 'float64' }), param(2)]);
    inOrder.loadStateDict(dict);
    expect(inOrder.averaged.map((a) => [...a])).toEqual([savedA, savedB]);
  });

  it.each([
    [
      { nAveraged: -1 },
      RangeError,
      'Invalid state dict: nAveraged is not a count (an integer >= 0): -1',
    ],
    [{ nAveraged: '1' }, TypeError, 'Invalid state dict: nAveraged is not a number: "1"'],
    [{ decay: 2 }, RangeError, 'Invalid decay: 2 (expected in [0, 1])'],
    [{ decay: undefined }, TypeError, 'Invalid state dict: missing decay'],
    [{ averaged: [] }, RangeError, 'Invalid state dict: averaged has 0 arrays, for 2 parameters'],
    [{ averaged: 5 }, TypeError, /^Invalid state dict: averaged is not a list: 5/],
    [{ paramNames: ['a'] }, RangeError, 'Invalid state dict: paramNames has 1 names for 2 arrays'],
    [{ extra: 1 }, TypeError, 'Invalid state dict: unknown key "extra"'],
  ])('refuse %o, changing nothing', (change, type, message) => {
    const run = averagingRun(null)();
    run.step(0);
    const dict = JSON.parse(JSON.stringify(run.target.stateDict()));
    for (const [key, value] of Object.entries(change)) {
      if (value === undefined) delete dict[key];
      else dict[key] = value;
    }
    const swa = new AveragedParams(make());
    const before = JSON.stringify(swa.stateDict());
    expectError(() => swa.loadStateDict(dict), type, message);
    expect(JSON.stringify(swa.stateDict())).toBe(before);
  });

  it('refuse an average of another type or length, naming it', () => {
    const run = averagingRun(null)();
    run.step(0);
    const dict = JSON.parse(JSON.stringify(run.target.stateDict()));
    dict.averaged[1] = dict.averaged[0];
    expectError(
      () => run.target.loadStateDict(dict),
      RangeError,
      'Invalid state dict: averaged[1] is a float64 array of length 3, expected float32 of length 2',
    );
  });

  it.each([null, 0.99])('refuse hostile state dicts, changing nothing (decay %s)', (decay) => {
    expectHostileRefused(averagingRun(decay));
  });
});
