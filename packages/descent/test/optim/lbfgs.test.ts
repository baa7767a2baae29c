import { describe, expect, it } from 'vitest';
import { type DType, type Param, param } from '../../src/core/param.js';
import { LBFGS, type LBFGSOptions } from '../../src/optim/lbfgs.js';
import { loadCases, tolerance, worstError } from './reference.js';

type Round = (x: number) => number;
type Objective = (x: number[], r: Round) => { loss: number; grad: number[] };

/** A trajectory written by scripts/reference/optim_lbfgs.py. */
interface LBFGSCase {
  name: string;
  dtype: DType;
  objective: { name: 'rosenbrock' } | { name: 'quadratic'; A: number[][]; b: number[] };
  /** Initial parameters; the last `unused` of them (0 or 1) the objective ignores. */
  params: number[][];
  unused: number;
  options: Partial<LBFGSOptions>;
  steps: { loss: number; params: number[][]; funcEvals: number; nIter: number }[];
}

// The objectives of the generator, operation for operation, each result rounded to the dtype.
const rosenbrock: Objective = (x, r) => {
  let loss = 0;
  const grad = x.map(() => 0);
  for (let i = 0; i < x.length - 1; i++) {
    const a = r(x[i + 1] - r(x[i] * x[i]));
    const b = r(1 - x[i]);
    loss = r(loss + r(r(100 * r(a * a)) + r(b * b)));
    grad[i] = r(r(grad[i] - r(r(400 * x[i]) * a)) - r(2 * b));
    grad[i + 1] = r(grad[i + 1] + r(200 * a));
  }
  return { loss, grad };
};

const quadratic =
  (A: number[][], b: number[]): Objective =>
  (x, r) => {
    let loss = 0;
    const grad: number[] = [];
    for (let i = 0; i < x.length; i++) {
      let ax = 0;
      for (let j = 0; j < x.length; j++) ax = r(ax + r(A[i][j] * x[j]));
      grad.push(r(ax - b[i]));
      loss = r(loss + r(x[i] * r(r(0.5 * ax) - b[i])));
    }
    return { loss, grad };
  };

const rounding = (dtype: DType): Round => (dtype === 'float32' ? Math.fround : (x) => x);

/** A closure writing the objective's gradient into `params` (null for the ignored ones). */
function closureFor(objective: Objective, params: Param[], dtype: DType, unused = 0) {
  const used = params.slice(0, params.length - unused);
  const r = rounding(dtype);
  return () => {
    const { loss, grad } = objective(
      used.flatMap((p) => [...p.data]),
      r,
    );
    let offset = 0;
    for (const p of used) {
      p.grad = param(grad.slice(offset, offset + p.data.length), { dtype }).data;
      offset += p.data.length;
    }
    for (const p of params.slice(used.length)) p.grad = null;
    return loss;
  };
}

function objectiveOf(c: LBFGSCase): Objective {
  return c.objective.name === 'quadratic' ? quadratic(c.objective.A, c.objective.b) : rosenbrock;
}

const cases = loadCases('lbfgs.json') as unknown as LBFGSCase[];

describe('LBFGS against PyTorch', () => {
  for (const c of cases) {
    it(c.name, () => {
      const params = c.params.map((values) => param(values, { dtype: c.dtype }));
      const opt = new LBFGS(params, c.options);
      const closure = closureFor(objectiveOf(c), params, c.dtype, c.unused);
      const tol = tolerance[c.dtype];
      c.steps.forEach((expected, t) => {
        const where = `${c.name}: step ${t + 1}`;
        const loss = opt.step(closure);
        expect(worstError([loss], [expected.loss], tol), `${where}: loss`).toBeLessThanOrEqual(1);
        params.forEach((p, i) => {
          const worst = worstError(p.data, expected.params[i], tol);
          expect(
            worst,
            `${where}, tensor ${i}: ${p.data} vs ${expected.params[i]}`,
          ).toBeLessThanOrEqual(1);
        });
        const state = opt.stateDict().state['0'] as { funcEvals: number; nIter: number };
        expect([state.funcEvals, state.nIter], `${where}: evaluations`).toEqual([
          expected.funcEvals,
          expected.nIter,
        ]);
      });
    });
  }
});

describe('LBFGS state dict', () => {
  const start = [
    [-1.2, 1, -0.5, 0.8],
    [1.5, -1],
  ];
  const options: Partial<LBFGSOptions> = {
    lineSearchFn: 'strong_wolfe',
    historySize: 3,
    maxIter: 6,
  };
  const bits = (params: Param[]) =>
    params.map((p) => [...new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength)]);

  for (const dtype of ['float64', 'float32'] as const) {
    for (const lineSearchFn of ['strong_wolfe', null] as const) {
      it(`resumes bit for bit (${dtype}, lineSearchFn ${lineSearchFn})`, () => {
        const run = (params: Param[], opt: LBFGS, steps: number) => {
          const closure = closureFor(rosenbrock, params, dtype);
          return Array.from({ length: steps }, () => opt.step(closure));
        };
        const whole = start.map((values) => param(values, { dtype }));
        const uninterrupted = new LBFGS(whole, { ...options, lineSearchFn });
        const losses = run(whole, uninterrupted, 7);

        const first = start.map((values) => param(values, { dtype }));
        const before = new LBFGS(first, { ...options, lineSearchFn });
        const head = run(first, before, 3);
        const saved = JSON.parse(JSON.stringify(before.stateDict()));
        expect(saved.state['0'].oldDirs.length).toBe(3);

        const copies = first.map((p) => param(p.data));
        const after = new LBFGS(copies, { lineSearchFn });
        after.loadStateDict(saved);
        const tail = run(copies, after, 4);

        expect([...head, ...tail]).toEqual(losses);
        expect(bits(copies)).toEqual(bits(whole));
        expect(JSON.stringify(after.stateDict())).toBe(JSON.stringify(uninterrupted.stateDict()));
      });
    }
  }

  function savedAfterTwoSteps() {
    const params = start.map((values) => param(values, { dtype: 'float64' }));
    const opt = new LBFGS(params, options);
    const closure = closureFor(rosenbrock, params, 'float64');
    opt.step(closure);
    opt.step(closure);
    return { opt, params, saved: JSON.parse(JSON.stringify(opt.stateDict())) };
  }

  // biome-ignore lint/suspicious/noExplicitAny: tests edit the parsed JSON freely
  type Edit = (state: any, sd: any) => void;
  const shorter = { dtype: 'float64', base64: btoa('\0'.repeat(8 * 5)) };
  const narrower = { dtype: 'float32', base64: btoa('\0'.repeat(4 * 6)) };
  it.each<[string, Edit, RegExp]>([
    ['a short direction', (s) => (s.d = shorter), /d is a float64 array of length 5/],
    ['a float32 gradient', (s) => (s.prevFlatGrad = narrower), /prevFlatGrad is a float32/],
    ['a short history entry', (s) => (s.oldStps[1] = shorter), /oldStps\[1\]/],
    ['a history longer than ro', (s) => s.ro.pop(), /oldDirs must be a list as long as ro/],
    ['a number for a list', (s) => (s.oldDirs = 3), /oldDirs/],
    ['an unknown key', (s) => (s.al = []), /al is not L-BFGS state/],
    ['a missing key', (s) => delete s.HDiag, /HDiag is missing/],
    ['a fractional count', (s) => (s.nIter = 1.5), /nIter is not a count/],
    ['a string step', (s) => (s.t = '1'), /t is neither a number nor null/],
    ['state on another parameter', (s, sd) => (sd.state['1'] = s), /parameter 0/],
  ])('rejects %s and keeps its state', (_, edit, message) => {
    const { opt, saved } = savedAfterTwoSteps();
    const before = JSON.stringify(opt.stateDict());
    edit(saved.state['0'], saved);
    expect(() => opt.loadStateDict(saved)).toThrow(message);
    expect(JSON.stringify(opt.stateDict())).toBe(before);
  });
});

describe('LBFGS options and errors', () => {
  const p = () => [param([1, 2, 3], { dtype: 'float64' })];

  it('uses PyTorch defaults, maxEval following maxIter', () => {
    expect(new LBFGS(p()).defaults).toEqual({
      lr: 1,
      maxIter: 20,
      maxEval: 25,
      toleranceGrad: 1e-7,
      toleranceChange: 1e-9,
      historySize: 100,
      lineSearchFn: null,
    });
    expect(new LBFGS(p(), { maxIter: 7 }).defaults.maxEval).toBe(8);
    expect(new LBFGS(p(), { maxIter: 7, maxEval: 30 }).defaults.maxEval).toBe(30);
  });

  it.each([
    [{ lr: -1 }, RangeError, /learning rate \(lr\): -1/],
    [{ maxIter: 0 }, RangeError, /maxIter: 0/],
    [{ maxIter: 2.5 }, RangeError, /maxIter: 2.5/],
    [{ maxEval: 0 }, RangeError, /maxEval: 0/],
    [{ toleranceGrad: -1e-5 }, RangeError, /toleranceGrad: -0.00001/],
    [{ toleranceChange: 'small' }, TypeError, /toleranceChange: "small"/],
    [{ historySize: 0 }, RangeError, /historySize: 0/],
    [{ lineSearchFn: 'backtracking' }, RangeError, /lineSearchFn: "backtracking"/],
  ])('rejects %o', (options, type, message) => {
    expect(() => new LBFGS(p(), options as never)).toThrow(type);
    expect(() => new LBFGS(p(), options as never)).toThrow(message);
  });

  it('checks options changed in the group before the closure runs', () => {
    const opt = new LBFGS(p());
    let calls = 0;
    opt.paramGroups[0].historySize = -2;
    expect(() => opt.step(() => ++calls)).toThrow(/historySize: -2/);
    expect(calls).toBe(0);
  });

  it('requires a closure', () => {
    const opt = new LBFGS(p());
    expect(() => (opt.step as () => number)()).toThrow(TypeError);
    expect(() => (opt.step as () => number)()).toThrow(/requires a closure/);
    expect(() => opt.step(3 as never)).toThrow(/got 3/);
  });

  it('requires the closure to return a number', () => {
    const opt = new LBFGS(p());
    expect(() => opt.step((() => 'loss') as never)).toThrow(/return the loss as a number/);
  });

  it('supports a single parameter group', () => {
    const groups = [{ params: p() }, { params: p(), lr: 0.1 }];
    expect(() => new LBFGS(groups)).toThrow(RangeError);
    expect(() => new LBFGS(groups)).toThrow(/parameter groups/);
    expect(new LBFGS([{ params: p(), lr: 0.1 }]).paramGroups[0].lr).toBe(0.1);
    expect(() => new LBFGS(p()).addParamGroup({ params: p() })).toThrow(/parameter groups/);
  });

  it('needs parameters of one element type', () => {
    const mixed = [param([1], { dtype: 'float64' }), param([1], { dtype: 'float32' })];
    expect(() => new LBFGS(mixed)).toThrow(/one element type: got float64 and float32/);
  });

  it('checks the gradients the closure writes', () => {
    const params = p();
    const opt = new LBFGS(params);
    const closure = () => {
      params[0].grad = new Float64Array(2);
      return 0;
    };
    expect(() => opt.step(closure)).toThrow(/length 2, expected 3/);
  });

  it('returns the first loss without moving when the gradient is already small', () => {
    const params = p();
    const opt = new LBFGS(params, { toleranceGrad: 1e-3 });
    const loss = opt.step(() => {
      params[0].grad = new Float64Array([1e-3, -1e-4, 0]);
      return 42;
    });
    expect(loss).toBe(42);
    expect([...params[0].data]).toEqual([1, 2, 3]);
    expect(opt.stateDict().state['0']).toMatchObject({ funcEvals: 1, nIter: 0 });
  });
});
