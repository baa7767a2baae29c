import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type DType, type FloatArray, type Param, param } from '../../src/core/param.js';
import { clipGradNorm, clipGradValue } from '../../src/optim/clip-grad.js';
import { expectError } from '../schedules/reference.js';
import { tolerance, worstError } from './reference.js';

/** A number of scripts/reference/optim_clip_grad.py's fixture: non-finite ones as strings. */
type Stored = number | 'NaN' | 'Infinity' | '-Infinity';

interface ClipCase {
  name: string;
  kind: 'norm' | 'value';
  dtype: DType;
  grads: (Stored[] | null)[];
  maxNorm?: Stored;
  normType?: Stored;
  errorIfNonfinite?: boolean;
  clipValue?: number;
  throws?: boolean;
  norm?: Stored;
  clipped?: (Stored[] | null)[];
}

const number = (x: Stored): number => (typeof x === 'number' ? x : Number(x));

const cases: ClipCase[] = JSON.parse(
  readFileSync(new URL('fixtures/clip-grad.json', import.meta.url), 'utf8'),
).cases;

function paramsOf(c: ClipCase): Param[] {
  return c.grads.map((g, i) => {
    const p: Param = param(g === null ? 3 : g.length, { dtype: c.dtype, name: `p${i}` });
    if (g === null) p.grad = null;
    else (p.grad as FloatArray).set(g.map(number));
    return p;
  });
}

/** NaN, the infinities and the sign of zeros exactly; other values to the dtype's tolerance. */
function expectClose(actual: ArrayLike<number>, expected: number[], dtype: DType, what: string) {
  const finite: number[] = [];
  const mine: number[] = [];
  expected.forEach((x, i) => {
    if (Number.isFinite(x) && x !== 0) {
      finite.push(x);
      mine.push(actual[i]);
    } else expect(Object.is(actual[i], x), `${what}[${i}]: ${actual[i]} vs ${x}`).toBe(true);
  });
  expect(
    worstError(mine, finite, tolerance[dtype]),
    `${what}: ${mine} vs ${finite}`,
  ).toBeLessThanOrEqual(1);
}

const bytes = (params: Param[]) => params.map((p) => (p.grad === null ? null : [...p.grad]));

describe('clipGradNorm and clipGradValue against PyTorch', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const params = paramsOf(c);
    const before = bytes(params);
    if (c.kind === 'value') clipGradValue(params, c.clipValue!);
    else {
      const run = () =>
        clipGradNorm(params, number(c.maxNorm!), {
          normType: number(c.normType!),
          errorIfNonfinite: c.errorIfNonfinite,
        });
      if (c.throws) {
        expectError(run, RangeError, /^Invalid gradients: their total norm of order /);
        expect(bytes(params)).toEqual(before);
        return;
      }
      expectClose([run()], [number(c.norm!)], c.dtype, 'norm');
    }
    c.clipped!.forEach((expected, i) => {
      const { grad } = params[i];
      if (expected === null) expect(grad).toBeNull();
      else expectClose(grad!, expected.map(number), c.dtype, `${c.name}: gradient ${i}`);
    });
  });

  it('covers what the issue asks for', () => {
    const norms = cases.filter((c) => c.kind === 'norm');
    for (const order of [2, 1, 'Infinity', 0.5]) {
      for (const dtype of ['float32', 'float64']) {
        expect(norms.some((c) => c.normType === order && c.dtype === dtype && !c.throws)).toBe(
          true,
        );
      }
    }
    expect(norms.filter((c) => c.throws).length).toBeGreaterThan(6);
    expect(cases.filter((c) => c.kind === 'value').length).toBeGreaterThan(6);
  });
});

describe('clipGradNorm', () => {
  const make = () => {
    const a = param(2, { dtype: 'float64', name: 'a' });
    const b = param(1, { dtype: 'float64', name: 'b' });
    a.grad.set([3, -4]);
    b.grad.set([12]);
    return [a, b];
  };

  it('returns the norm before clipping and scales every gradient by maxNorm / (norm + 1e-6)', () => {
    const [a, b] = make();
    expect(clipGradNorm([a, b], 6.5)).toBe(13);
    const scale = 6.5 / (13 + 1e-6);
    expect([...a.grad, ...b.grad]).toEqual([3 * scale, -4 * scale, 12 * scale]);
    // Below the norm the coefficient is clamped to 1: nothing changes.
    expect(clipGradNorm([a, b], 100)).toBeCloseTo(6.5, 5);
    expect([...a.grad, ...b.grad]).toEqual([3 * scale, -4 * scale, 12 * scale]);
  });

  it('takes one parameter, or any iterable, and skips parameters without gradient', () => {
    const [a, b] = make();
    expect(clipGradNorm(a, 1, { normType: 1 })).toBe(7);
    b.grad = null as never;
    expect(clipGradNorm(new Set([a, b]), 1, { normType: Infinity })).toBeCloseTo(4 / (7 + 1e-6));
    expect(clipGradNorm([], 1)).toBe(0);
  });

  it('names the first non-finite gradient with errorIfNonfinite, and changes nothing', () => {
    const [a, b] = make();
    b.grad[0] = Number.NaN;
    expectError(
      () => clipGradNorm([a, b], 1, { errorIfNonfinite: true }),
      RangeError,
      'Invalid gradients: their total norm of order 2 is NaN, so they cannot be clipped (the gradient of parameter "b" is NaN at index 0); to scale them by it anyway, set errorIfNonfinite to false',
    );
    expect([...a.grad]).toEqual([3, -4]);
    const c = param([1e200, 1e200], { dtype: 'float64' });
    c.grad.set([1e200, 1e200]);
    expectError(
      () => clipGradNorm([c], 1, { errorIfNonfinite: true }),
      RangeError,
      /is Infinity, so they cannot be clipped \(every gradient is finite, but the norm overflows\)/,
    );
  });

  it.each([
    [0, undefined, RangeError, 'Invalid maximal norm (maxNorm): 0'],
    [-1, undefined, RangeError, 'Invalid maximal norm (maxNorm): -1'],
    [Number.NaN, undefined, TypeError, 'Invalid maximal norm (maxNorm): NaN (expected a number)'],
    ['1', undefined, TypeError, 'Invalid maximal norm (maxNorm): "1" (expected a number)'],
    [1, { normType: 0 }, RangeError, 'Invalid norm type (normType): 0'],
    [1, { normType: -2 }, RangeError, 'Invalid norm type (normType): -2'],
    [1, { normType: -Infinity }, RangeError, 'Invalid norm type (normType): -Infinity'],
    [
      1,
      { normType: Number.NaN },
      TypeError,
      'Invalid norm type (normType): NaN (expected a number)',
    ],
    [1, { errorIfNonfinite: 1 }, TypeError, 'Invalid errorIfNonfinite: 1 (expected true or false)'],
    [
      1,
      { normtype: 1 },
      TypeError,
      'Unknown option normtype for clipGradNorm (did you mean normType?)',
    ],
    [1, null, TypeError, 'Invalid options: null (expected an object)'],
  ])('refuses maxNorm %s with %o, changing nothing', (maxNorm, options, type, message) => {
    const params = make();
    expectError(() => clipGradNorm(params, maxNorm as never, options as never), type, message);
    expect(bytes(params)).toEqual([[3, -4], [12]]);
  });

  it('refuses what is not a parameter or a fitting gradient, changing nothing', () => {
    const [a, b] = make();
    expectError(
      () => clipGradNorm(5 as never, 1),
      TypeError,
      'Invalid params: 5 (expected a parameter or an iterable of parameters)',
    );
    expectError(
      () => clipGradNorm([a, { grad: null } as never], 1),
      TypeError,
      /^Invalid params\[1\]: /,
    );
    b.grad = new Float32Array(1) as never;
    expectError(() => clipGradNorm([a, b], 1), TypeError, /^Invalid gradient for parameter "b"/);
    b.grad = new Float64Array(2);
    expectError(
      () => clipGradNorm([a, b], 1),
      RangeError,
      'Invalid gradient for parameter "b": length 2, expected 1',
    );
    expect([...a.grad]).toEqual([3, -4]);
  });
});

describe('clipGradValue', () => {
  it('clamps to [-clipValue, clipValue], keeping NaN; Infinity clips nothing', () => {
    const p = param([0, 0, 0, 0, 0]);
    p.grad.set([2, -3, 0.25, Number.NaN, -Infinity]);
    clipGradValue(p, Infinity);
    expect([...p.grad]).toEqual([2, -3, 0.25, Number.NaN, -Infinity]);
    clipGradValue([p], 1);
    expect([...p.grad]).toEqual([1, -1, 0.25, Number.NaN, -1]);
  });

  it.each([
    [-1, RangeError, 'Invalid clip value (clipValue): -1'],
    [Number.NaN, TypeError, 'Invalid clip value (clipValue): NaN (expected a number)'],
    [null, TypeError, 'Invalid clip value (clipValue): null (expected a number)'],
  ])('refuses clipValue %s, changing nothing', (clipValue, type, message) => {
    const p = param([0, 0]);
    p.grad.set([5, -5]);
    expectError(() => clipGradValue([p], clipValue as never), type, message);
    expect([...p.grad]).toEqual([5, -5]);
  });
});
