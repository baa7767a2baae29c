import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Param, param } from '../../src/core/param.js';
import { loadCheckpointSync, saveCheckpointSync } from '../../src/node/index.js';
import { Adam } from '../../src/optim/adam.js';
import { Lookahead } from '../../src/optim/lookahead.js';
import { SGD } from '../../src/optim/sgd.js';
import { StepLR } from '../../src/schedules/index.js';
import { expectError } from '../schedules/reference.js';
import { loadCases, type ReferenceCase, replay } from './reference.js';
import { expectHostileRefused, expectResumeExact, type Run } from './stateful.js';

type LookaheadCase = ReferenceCase & { lookahead: { k: number; alpha: number } };

const cases = loadCases('lookahead.json') as LookaheadCase[];

describe('Lookahead against the paper’s algorithm (torch’s SGD and Adam inside)', () => {
  for (const c of cases) {
    it(c.name, () => replay(c, {}, (optimizer) => new Lookahead(optimizer, c.lookahead)));
  }

  it('covers SGD and Adam inside, in both element types, α from 0 to 1', () => {
    for (const inner of ['SGD', 'Adam']) {
      for (const dtype of ['float32', 'float64']) {
        expect(cases.some((c) => c.optimizer === inner && c.dtype === dtype)).toBe(true);
      }
    }
    const alphas = cases.map((c) => c.lookahead.alpha);
    expect(alphas).toContain(0);
    expect(alphas).toContain(1);
    // A trajectory that is not a whole number of cycles, and syncs more than once.
    expect(
      cases.some((c) => c.steps.length % c.lookahead.k !== 0 && c.steps.length > 2 * c.lookahead.k),
    ).toBe(true);
  });
});

/** Plain gradient descent with lr 1 inside: each step moves θ by −g. */
function simple(k = 2, alpha = 0.5) {
  const a = param([1, 2], { dtype: 'float64', name: 'a' });
  const b = param([10], { dtype: 'float64', name: 'b' });
  const inner = new SGD([a, b], { lr: 1 });
  return { a, b, inner, lookahead: new Lookahead(inner, { k, alpha }) };
}

const state = (o: { stateDict(): unknown }) => JSON.stringify(o.stateDict());

describe('Lookahead', () => {
  it('synchronizes every k steps, also a parameter without a gradient at that step', () => {
    const { a, b, lookahead } = simple();
    a.grad.set([1, 1]);
    b.grad.set([4]);
    lookahead.step();
    expect([...a.data, ...b.data]).toEqual([0, 1, 6]);
    b.grad = null as never;
    lookahead.step();
    // θ = [−1, 0] and [6]; φ = [1, 2] and [10]: φ ← φ + (θ − φ)/2, θ ← φ.
    expect([...a.data, ...b.data]).toEqual([0, 1, 8]);
    expect([...lookahead.slowWeights.get(b)!]).toEqual([8]);
    expect(lookahead.stepCount).toBe(2);
  });

  it('exposes the inner groups and defaults, so schedulers drive the inner rate', () => {
    const { inner, lookahead } = simple();
    expect(lookahead.paramGroups).toBe(inner.paramGroups);
    expect(lookahead.defaults).toBe(inner.defaults);
    const scheduler = new StepLR(lookahead, { stepSize: 1, gamma: 0.5 });
    lookahead.step();
    scheduler.step();
    expect(inner.paramGroups[0].lr).toBe(0.5);
    inner.loadStateDict(inner.stateDict());
    scheduler.step();
    expect(lookahead.paramGroups[0].lr).toBe(0.25);
  });

  it('passes the closure on and returns its loss; zeroGrad clears the inner gradients', () => {
    const { a, lookahead } = simple();
    let calls = 0;
    const loss = lookahead.step(() => {
      calls++;
      a.grad!.set([0.5, 0.5]);
      return 3;
    });
    expect([loss, calls, [...a.data]]).toEqual([3, 1, [0.5, 1.5]]);
    lookahead.zeroGrad();
    expect(a.grad).toBeNull();
  });

  it('lets a parameter added to the inner optimizer join at its first step', () => {
    const { a, inner, lookahead } = simple(2, 0.5);
    a.grad.set([0, 0]);
    lookahead.step();
    const c = param([4], { dtype: 'float64' });
    inner.addParamGroup({ params: [c] });
    c.data[0] = 6; // its value when it joins: its slow weight
    c.grad.set([2]);
    lookahead.step();
    // θ = 4 after the inner step, φ = 6: φ ← 5.
    expect([...c.data]).toEqual([5]);
    expect(JSON.parse(state(lookahead)).slowWeights).toHaveLength(3);
  });

  it.each([
    [{ k: 0 }, RangeError, 'Invalid k: 0 (expected an integer >= 1)'],
    [{ k: 2.5 }, RangeError, 'Invalid k: 2.5 (expected an integer >= 1)'],
    [{ k: Number.NaN }, TypeError, 'Invalid k: NaN (expected a number)'],
    [{ k: Infinity }, RangeError, 'Invalid k: Infinity (expected an integer >= 1)'],
    [{ alpha: -0.5 }, RangeError, 'Invalid alpha: -0.5 (expected in [0, 1])'],
    [{ alpha: 1.5 }, RangeError, 'Invalid alpha: 1.5 (expected in [0, 1])'],
    [{ alpha: '0.5' }, TypeError, 'Invalid alpha: "0.5" (expected a number)'],
    [{ Alpha: 0.5 }, TypeError, 'Unknown option Alpha for Lookahead (did you mean alpha?)'],
    [null, TypeError, 'Invalid options for Lookahead: null (expected an object)'],
  ])('refuses the options %o', (options, type, message) => {
    const inner = new SGD([param(2)], { lr: 0.1 });
    expectError(() => new Lookahead(inner, options as never), type, message);
  });

  it('refuses what is no optimizer', () => {
    expectError(
      () => new Lookahead({ paramGroups: [] } as never),
      TypeError,
      /^Invalid optimizer for Lookahead: \[object Object\] \(expected an optimizer/,
    );
  });

  it('checks k, α and the parameters before the inner step: a refused step changes nothing', () => {
    const { a, b, lookahead } = simple(3);
    a.grad.set([1, 1]);
    b.grad.set([1]);
    lookahead.step();
    const before = [state(lookahead), [...a.data, ...b.data]];
    lookahead.k = 0;
    expectError(() => lookahead.step(), RangeError, 'Invalid k: 0 (expected an integer >= 1)');
    lookahead.k = 3;
    lookahead.alpha = Number.NaN;
    expectError(() => lookahead.step(), TypeError, 'Invalid alpha: NaN (expected a number)');
    lookahead.alpha = 0.5;
    const data = b.data;
    b.data = new Float64Array(2);
    b.grad = new Float64Array(2);
    expectError(
      () => lookahead.step(),
      RangeError,
      'Invalid parameter "b": its data is a float64 array of length 2, its slow weights a float64 array of length 1',
    );
    b.data = data;
    b.grad = new Float32Array(1) as never;
    // The inner optimizer's own check: Lookahead neither counts the step nor keeps anything.
    expectError(() => lookahead.step(), TypeError, /^Invalid gradient for parameter "b"/);
    expect([state(lookahead), [...a.data, ...b.data]]).toEqual(before);
  });
});

/** Adam inside, k = 3, two groups with names, gradients of a fixed quadratic loss. */
function lookaheadRun(names = true): () => Run {
  return () => {
    const params: Param[] = [
      param([0.5, -1.5, 2], { dtype: 'float64', ...(names && { name: 'w' }) }),
      param([1, -0.25], { dtype: 'float32', ...(names && { name: 'b' }) }),
    ];
    const inner = new Adam([{ params: [params[0]] }, { params: [params[1]], lr: 0.05 }], {
      lr: 0.1,
      amsgrad: true,
    });
    const target = new Lookahead(inner, { k: 3, alpha: 0.6 });
    return {
      params,
      target,
      step: (t) => {
        params.forEach((p, i) => {
          for (let j = 0; j < p.data.length; j++) {
            p.grad![j] = 2 * p.data[j] + Math.sin(t + 3 * i + j);
          }
        });
        target.step();
      },
      extra: () => [...target.slowWeights.values()],
    };
  };
}

describe('Lookahead state dicts', () => {
  it.each([4, 3, 0])('resume bit for bit, saved after %s steps', (at) => {
    expectResumeExact(lookaheadRun(), 10, at);
    expectResumeExact(lookaheadRun(false), 10, at);
  });

  it('hold the inner optimizer’s state dict, k, α, the step count and the slow weights', () => {
    const run = lookaheadRun()();
    run.step(0);
    const dict = JSON.parse(state(run.target));
    expect(Object.keys(dict)).toEqual([
      'optimizer',
      'k',
      'alpha',
      'stepCount',
      'slowWeights',
      'paramNames',
    ]);
    expect(dict.optimizer).toEqual(
      JSON.parse(JSON.stringify((run.target as Lookahead).optimizer.stateDict())),
    );
    expect([dict.k, dict.alpha, dict.stepCount, dict.paramNames]).toEqual([3, 0.6, 1, ['w', 'b']]);
  });

  it.each([
    [{ k: 0 }, RangeError, 'Invalid k: 0 (expected an integer >= 1)'],
    [{ alpha: 2 }, RangeError, 'Invalid alpha: 2 (expected in [0, 1])'],
    [{ alpha: {} }, TypeError, /^Invalid state dict: alpha is an object/],
    [
      { stepCount: -1 },
      RangeError,
      'Invalid state dict: stepCount is not a count (an integer >= 0): -1',
    ],
    [
      { slowWeights: [null] },
      RangeError,
      'Invalid state dict: slowWeights has 1 arrays, for 2 parameters',
    ],
    [{ optimizer: undefined }, TypeError, 'Invalid state dict: missing optimizer'],
    [
      { optimizer: { state: {}, paramGroups: [] } },
      RangeError,
      /^Invalid state dict: it has 0 parameter groups/,
    ],
    [{ extra: 1 }, TypeError, 'Invalid state dict: unknown key "extra"'],
  ])('refuse %o, changing nothing', (change, type, message) => {
    const run = lookaheadRun()();
    for (let t = 0; t < 4; t++) run.step(t);
    const dict = JSON.parse(state(run.target));
    for (const [key, value] of Object.entries(change)) {
      if (value === undefined) delete dict[key];
      else dict[key] = value;
    }
    const fresh = lookaheadRun()();
    fresh.step(0);
    const before = state(fresh.target);
    expectError(() => fresh.target.loadStateDict(dict), type, message);
    expect(state(fresh.target)).toBe(before);
  });

  it('refuse hostile state dicts, changing nothing', () => {
    expectHostileRefused(lookaheadRun());
  });

  it('go into a checkpoint file and resume from it bit for bit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-lookahead-'));
    try {
      const whole = lookaheadRun()();
      for (let t = 0; t < 8; t++) whole.step(t);
      const first = lookaheadRun()();
      for (let t = 0; t < 4; t++) first.step(t);
      const path = join(dir, 'run.safetensors');
      saveCheckpointSync(path, { params: first.params, optimizer: first.target });
      const resumed = lookaheadRun()();
      loadCheckpointSync(path, { params: resumed.params, optimizer: resumed.target });
      for (let t = 4; t < 8; t++) resumed.step(t);
      expect(resumed.params.map((p) => [...p.data])).toEqual(whole.params.map((p) => [...p.data]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
