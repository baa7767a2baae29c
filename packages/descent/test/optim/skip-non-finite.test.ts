import { describe, expect, it } from 'vitest';
import { type Param, param } from '../../src/core/param.js';
import { Adam } from '../../src/optim/adam.js';
import { LBFGS } from '../../src/optim/lbfgs.js';
import { Lookahead } from '../../src/optim/lookahead.js';
import { SGD } from '../../src/optim/sgd.js';
import { SkipNonFinite, skipNonFinite } from '../../src/optim/skip-non-finite.js';
import { ExponentialLR } from '../../src/schedules/index.js';
import { expectError } from '../schedules/reference.js';
import { expectHostileRefused, expectResumeExact, type Run } from './stateful.js';

const bits = (params: Param[]) => params.map((p) => [...new Uint8Array(p.data.slice().buffer)]);
const state = (o: { stateDict(): unknown }) => JSON.stringify(o.stateDict());

function make() {
  const params: Param[] = [
    param([0.5, -1.5, 2], { dtype: 'float64', name: 'w' }),
    param([1, -0.25], { name: 'b' }),
  ];
  return { params, adam: new Adam(params, { lr: 0.1 }) };
}

/** Gradients of step t: Σ x² + sin(t + ...) x, with `bad` written at w[1] when given. */
function gradients(params: Param[], t: number, bad?: number): void {
  params.forEach((p, i) => {
    for (let j = 0; j < p.data.length; j++) p.grad![j] = 2 * p.data[j] + Math.sin(t + 3 * i + j);
  });
  if (bad !== undefined) params[0].grad![1] = bad;
}

describe('skipNonFinite', () => {
  it('skips a step whose gradients are not finite: neither parameters nor state change', () => {
    const { params, adam } = make();
    const optimizer = skipNonFinite(adam, { maxConsecutive: 3 });
    expect(optimizer).toBeInstanceOf(SkipNonFinite);
    gradients(params, 0);
    optimizer.step();
    const before = [bits(params), state(adam)];
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      gradients(params, 1, bad);
      optimizer.step();
      expect([bits(params), state(adam)]).toEqual(before);
    }
    expect([optimizer.notfiniteCount, optimizer.totalNotfinite, optimizer.lastFinite]).toEqual([
      3,
      3,
      false,
    ]);
    gradients(params, 1);
    optimizer.step();
    expect(bits(params)).not.toEqual(before[0]);
    expect([optimizer.notfiniteCount, optimizer.totalNotfinite, optimizer.lastFinite]).toEqual([
      0,
      3,
      true,
    ]);
  });

  it('steps exactly as the optimizer alone on the finite steps', () => {
    const alone = make();
    const wrapped = make();
    const optimizer = skipNonFinite(wrapped.adam, { maxConsecutive: 2 });
    for (let t = 0; t < 8; t++) {
      gradients(alone.params, t);
      alone.adam.step();
      if (t % 3 === 1) {
        gradients(wrapped.params, t, Number.NaN);
        optimizer.step();
      }
      gradients(wrapped.params, t);
      optimizer.step();
    }
    expect(bits(wrapped.params)).toEqual(bits(alone.params));
    expect(state(wrapped.adam)).toBe(state(alone.adam));
    expect(optimizer.totalNotfinite).toBe(3);
  });

  it('throws on the step after maxConsecutive skipped in a row, naming the parameter, changing nothing', () => {
    const { params, adam } = make();
    const optimizer = skipNonFinite(adam, { maxConsecutive: 2 });
    gradients(params, 0, Number.NaN);
    optimizer.step();
    optimizer.step();
    const before = [bits(params), state(optimizer)];
    const message =
      'Invalid gradient for parameter "w": NaN at index 1, the 3rd step in a row with a non-finite gradient (maxConsecutive 2)';
    expectError(() => optimizer.step(), RangeError, message);
    expectError(() => optimizer.step(), RangeError, message);
    expect([bits(params), state(optimizer)]).toEqual(before);
    gradients(params, 0, -Infinity);
    params[0].name = undefined;
    expectError(
      () => optimizer.step(),
      RangeError,
      /^Invalid gradient for parameter 0: -Infinity at index 1, the 3rd/,
    );
    gradients(params, 0);
    optimizer.step();
    expect(optimizer.notfiniteCount).toBe(0);
    const strict = skipNonFinite(new SGD(params), { maxConsecutive: 0 });
    params[1].grad![1] = Infinity;
    expectError(
      () => strict.step(),
      RangeError,
      /^Invalid gradient for parameter "b": Infinity at index 1, the 1st step/,
    );
  });

  it('checks only the gradients there are, after the optimizer’s own checks of them', () => {
    const { params, adam } = make();
    const optimizer = skipNonFinite(adam, { maxConsecutive: 1 });
    gradients(params, 0);
    params[0].grad = null;
    optimizer.step();
    expect(optimizer.lastFinite).toBe(true);
    params[0].grad = new Float32Array(3) as never;
    params[1].grad![0] = Number.NaN;
    const before = state(optimizer);
    expectError(
      () => optimizer.step(),
      TypeError,
      /^Invalid gradient for parameter "w": expected a Float64Array/,
    );
    expect(state(optimizer)).toBe(before);
  });

  it('calls a closure once and returns its loss; an optimizer calling it again recomputes', () => {
    const { params, adam } = make();
    const optimizer = skipNonFinite(adam, { maxConsecutive: 1 });
    let calls = 0;
    const closure = (bad?: number) => () => {
      calls++;
      gradients(params, calls, bad);
      return calls * 10;
    };
    expect(optimizer.step(closure())).toBe(10);
    expect(optimizer.step(closure(Number.NaN))).toBe(20);
    expect(calls).toBe(2);
    // L-BFGS calls the closure many times: through the wrapper, as without it.
    const run = (wrap: boolean) => {
      const x = param([1.5, -0.5], { dtype: 'float64' });
      const lbfgs = new LBFGS([x], { maxIter: 5 });
      const stepper = wrap ? skipNonFinite(lbfgs, { maxConsecutive: 0 }) : lbfgs;
      const losses = [0, 1].map(() =>
        stepper.step(() => {
          x.grad.set([4 * x.data[0] ** 3, 2 * x.data[1]]);
          return x.data[0] ** 4 + x.data[1] ** 2;
        }),
      );
      return [losses, [...x.data]];
    };
    expect(run(true)).toEqual(run(false));
  });

  it('exposes the inner groups, so schedulers drive it; zeroGrad clears the gradients', () => {
    const { params, adam } = make();
    const optimizer = skipNonFinite(adam, { maxConsecutive: 1 });
    expect(optimizer.paramGroups).toBe(adam.paramGroups);
    expect(optimizer.defaults).toBe(adam.defaults);
    const scheduler = new ExponentialLR(optimizer, { gamma: 0.5 });
    scheduler.step();
    expect(adam.paramGroups[0].lr).toBe(0.05);
    optimizer.zeroGrad();
    expect(params[0].grad).toBeNull();
  });

  it('around Lookahead, does not count skipped steps towards its k', () => {
    const alone = make();
    const plain = new Lookahead(alone.adam, { k: 2 });
    const wrapped = make();
    const optimizer = skipNonFinite(new Lookahead(wrapped.adam, { k: 2 }), { maxConsecutive: 1 });
    for (let t = 0; t < 5; t++) {
      gradients(alone.params, t);
      plain.step();
      gradients(wrapped.params, t, Number.NaN);
      optimizer.step();
      gradients(wrapped.params, t);
      optimizer.step();
    }
    expect(bits(wrapped.params)).toEqual(bits(alone.params));
    expect(optimizer.optimizer.stepCount).toBe(5);
  });

  it.each([
    [{}, TypeError, 'Invalid maxConsecutive: undefined (expected a number)'],
    [{ maxConsecutive: -1 }, RangeError, 'Invalid maxConsecutive: -1 (expected an integer >= 0)'],
    [{ maxConsecutive: 1.5 }, RangeError, 'Invalid maxConsecutive: 1.5 (expected an integer >= 0)'],
    [{ maxConsecutive: Number.NaN }, TypeError, 'Invalid maxConsecutive: NaN (expected a number)'],
    [
      { maxConsecutive: 2 ** 60 },
      RangeError,
      'Invalid maxConsecutive: 1152921504606847000 (expected an integer >= 0 and at most 2^53 − 1)',
    ],
    [
      { maxConsecutive: 1, maxConsecutiv: 1 },
      TypeError,
      'Unknown option maxConsecutiv for skipNonFinite (did you mean maxConsecutive?)',
    ],
    [undefined, TypeError, /^Invalid options for skipNonFinite: undefined/],
  ])('refuses the options %o', (options, type, message) => {
    expectError(() => skipNonFinite(make().adam, options as never), type, message);
  });

  it('refuses what is no optimizer, and a maxConsecutive changed to one it would refuse', () => {
    expectError(
      () => skipNonFinite({} as never, { maxConsecutive: 1 }),
      TypeError,
      /^Invalid optimizer for skipNonFinite/,
    );
    const { params, adam } = make();
    const optimizer = skipNonFinite(adam, { maxConsecutive: 1 });
    optimizer.maxConsecutive = -1;
    gradients(params, 0);
    const before = [bits(params), state(adam)];
    expectError(
      () => optimizer.step(),
      RangeError,
      'Invalid maxConsecutive: -1 (expected an integer >= 0)',
    );
    expect([bits(params), state(adam)]).toEqual(before);
  });
});

/** Adam inside, a non-finite gradient at every third step, two in a row at steps 7 and 8. */
function skippingRun(): Run {
  const { params, adam } = make();
  const target = skipNonFinite(adam, { maxConsecutive: 2 });
  return {
    params,
    target,
    step: (t) => {
      gradients(params, t, t % 3 === 1 || t === 8 ? Number.NaN : undefined);
      target.step();
    },
  };
}

describe('skipNonFinite state dicts', () => {
  it.each([2, 8, 0])('resume bit for bit, saved after %s steps', (at) => {
    expectResumeExact(skippingRun, 11, at);
  });

  it('hold the inner optimizer’s state dict, maxConsecutive and Optax’s counts', () => {
    const run = skippingRun();
    for (let t = 0; t < 8; t++) run.step(t);
    const dict = JSON.parse(state(run.target));
    expect(dict).toEqual({
      optimizer: JSON.parse(state((run.target as SkipNonFinite).optimizer)),
      maxConsecutive: 2,
      notfiniteCount: 1,
      lastFinite: false,
      totalNotfinite: 3,
    });
  });

  it.each([
    [
      { notfiniteCount: 3, totalNotfinite: 3 },
      RangeError,
      /^Invalid state dict: notfiniteCount is 3, more than maxConsecutive 2/,
    ],
    [
      { totalNotfinite: 0 },
      RangeError,
      'Invalid state dict: notfiniteCount is 1, more than totalNotfinite 0',
    ],
    [
      { lastFinite: true },
      RangeError,
      /^Invalid state dict: lastFinite is true with notfiniteCount 1/,
    ],
    [{ lastFinite: 1 }, TypeError, 'Invalid state dict: lastFinite is not true or false: 1'],
    [
      { notfiniteCount: -1 },
      RangeError,
      'Invalid state dict: notfiniteCount is not a count (an integer >= 0): -1',
    ],
    [{ maxConsecutive: -1 }, RangeError, 'Invalid maxConsecutive: -1 (expected an integer >= 0)'],
    [{ maxConsecutive: undefined }, TypeError, 'Invalid state dict: missing maxConsecutive'],
    [{ optimizer: undefined }, TypeError, 'Invalid state dict: missing optimizer'],
    [{ optimizer: 5 }, TypeError, 'Invalid state dict: expected { state, paramGroups }'],
    [{ extra: 1 }, TypeError, 'Invalid state dict: unknown key "extra"'],
  ])('refuse %o, changing nothing', (change, type, message) => {
    const run = skippingRun();
    for (let t = 0; t < 8; t++) run.step(t);
    const dict = JSON.parse(state(run.target));
    for (const [key, value] of Object.entries(change)) {
      if (value === undefined) delete dict[key];
      else dict[key] = value;
    }
    const fresh = skippingRun();
    fresh.step(0);
    fresh.step(1);
    const before = state(fresh.target);
    expectError(() => fresh.target.loadStateDict(dict), type, message);
    expect(state(fresh.target)).toBe(before);
  });

  it('refuse hostile state dicts, changing nothing', () => {
    // Saved after two skipped in a row (7 and 8); step 9 is finite.
    expectHostileRefused(skippingRun, 9);
  });
});
