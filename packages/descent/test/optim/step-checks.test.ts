import { describe, expect, it } from 'vitest';
import { type DType, type FloatArray, type Param, param } from '../../src/core/param.js';
import { encode } from '../../src/core/serialize.js';
import { configureSimd, freeArray, simdInfo } from '../../src/kernels/wasm/index.js';
import * as optim from '../../src/optim/index.js';
import { type GroupInput, Optimizer } from '../../src/optim/optimizer.js';

/**
 * What every optimizer checks before a step changes anything (src/optim/optimizer.ts,
 * `checkBeforeStep`), and the options it refuses by name: a step is all or nothing.
 */

type AnyOptimizer = Optimizer<object>;
type OptimizerClass = new (params: unknown, options?: unknown) => AnyOptimizer;

/** Newton's Hessian of sum(p² + p⁴/12) over the concatenated parameters: diagonal 2 + p². */
function hessian(ps: Param[]): Float64Array {
  const x = ps.flatMap((p) => [...p.data]);
  const h = new Float64Array(x.length * x.length);
  x.forEach((xi, i) => {
    h[i * x.length + i] = 2 + xi * xi;
  });
  return h;
}

/** Options that make each optimizer build all of its state. */
const exercised: Record<string, Record<string, unknown>> = {
  SGD: { momentum: 0.9, weightDecay: 0.01 },
  Adam: { amsgrad: true, weightDecay: 0.01 },
  AdamW: { amsgrad: true },
  RMSprop: { centered: true, momentum: 0.5 },
  Newton: { hessian },
};

// L-BFGS takes one group and a closure: its own checks are in test/optim/lbfgs.test.ts.
const classes = Object.entries(optim).filter(
  ([name, value]) =>
    typeof value === 'function' && value.prototype instanceof Optimizer && name !== 'LBFGS',
) as [string, OptimizerClass][];

/** Two parameters, columns (5 × 1 and 6 × 1) for Muon, which takes only matrices. */
function makeParams(dtype: DType, optimizer: string): Param<FloatArray>[] {
  return [0, 1].map((k) => {
    const p = param(
      Array.from({ length: 5 + k }, (_, i) => Math.cos(i + k)),
      { dtype, name: `w${k}`, ...(optimizer === 'Muon' && { shape: [5 + k, 1] }) },
    );
    p.grad.set(Array.from({ length: 5 + k }, (_, i) => Math.sin(i - k)));
    return p;
  });
}

function make(name: string, cls: OptimizerClass, params: Param[]): AnyOptimizer {
  return new cls([{ params: [params[0]] }, { params: [params[1]] }], { ...exercised[name] });
}

/** Everything a step could change: the parameters' values and their state. */
function snapshot(optimizer: AnyOptimizer, params: Param[]): string {
  return JSON.stringify(params.map((p) => [[...p.data], encode(optimizer.state.get(p) ?? {})]));
}

/** Steps once more after a change, expects `error`, and that nothing moved. */
function expectRefused(
  optimizer: AnyOptimizer,
  params: Param[],
  change: () => void,
  error: ErrorConstructor,
  message: RegExp,
): void {
  const before = JSON.stringify(params.map((p) => [...p.data]));
  change();
  const state = JSON.stringify([...optimizer.state.values()].map((s) => Object.keys(s)));
  expect(() => optimizer.step()).toThrow(error);
  expect(() => optimizer.step()).toThrow(message);
  expect(JSON.stringify(params.map((p) => [...p.data]))).toBe(before);
  expect(JSON.stringify([...optimizer.state.values()].map((s) => Object.keys(s)))).toBe(state);
}

describe.each(classes)('%s', (name, cls) => {
  const optionNames = Object.keys(make(name, cls, makeParams('float64', name)).defaults);

  it('refuses a misspelled option, naming it and the closest valid one', () => {
    const first = optionNames.find((key) => key.length > 3)!;
    const misspelled = `${first}${first.at(-1)}`;
    const message = new RegExp(
      `^Unknown option ${misspelled} for ${name} \\(did you mean ${first}\\?\\)$`,
    );
    const options = { ...exercised[name], [misspelled]: 1 };
    expect(() => new cls(makeParams('float32', name), options)).toThrow(TypeError);
    expect(() => new cls(makeParams('float32', name), options)).toThrow(message);
    const group = [{ params: makeParams('float32', name), [misspelled]: 1 }];
    expect(() => new cls(group, exercised[name])).toThrow(
      new RegExp(`^Unknown option ${misspelled} for ${name}'s parameter group \\(did you mean`),
    );
    const optimizer = make(name, cls, makeParams('float32', name));
    // The types refuse it too (test/types/); JavaScript callers get the TypeError.
    const unknown = { params: makeParams('float32', name), zzz: 1 } as GroupInput<object>;
    expect(() => optimizer.addParamGroup(unknown)).toThrow(
      new RegExp(`^Unknown option zzz for ${name}'s parameter group$`),
    );
    expect(optimizer.paramGroups).toHaveLength(2);
  });

  it.each(['float32', 'float64'] as const)(
    'refuses a step whose group lost an option, and changes nothing (%s)',
    (dtype) => {
      for (const key of optionNames) {
        const params = makeParams(dtype, name);
        const optimizer = make(name, cls, params);
        optimizer.step();
        const before = snapshot(optimizer, params);
        // Group 1 loses it: group 0, stepped first, must not move either.
        expectRefused(
          optimizer,
          params,
          () => delete optimizer.paramGroups[1][key],
          TypeError,
          new RegExp(`\\b${key}\\b.*undefined`),
        );
        expect(snapshot(optimizer, params)).toBe(before);
      }
    },
  );

  it.each([
    [[1], /^Invalid paramGroups\[1\]\.params\[0\]: expected a parameter .*, got 1$/],
    ['w1', /^Invalid paramGroups\[1\]\.params: expected an array of parameters, got "w1"$/],
    [
      new Float32Array(3),
      /^Invalid paramGroups\[1\]\.params: expected an array of parameters, got a Float32Array$/,
    ],
    [
      [{ data: [1, 2], grad: null }],
      /^Invalid paramGroups\[1\]\.params\[0\]: expected a parameter/,
    ],
  ])('refuses a group whose params became %o, before group 0 moves', (params, message) => {
    const ps = makeParams('float32', name);
    const optimizer = make(name, cls, ps);
    optimizer.step();
    const before = snapshot(optimizer, ps);
    expectRefused(
      optimizer,
      ps,
      () => {
        optimizer.paramGroups[1].params = params as never;
      },
      TypeError,
      message,
    );
    expect(snapshot(optimizer, ps)).toBe(before);
  });

  it('refuses an infinite learning rate or weight decay, at construction and mid-run', () => {
    const infinite: [string, number][] = [['lr', Infinity]];
    if (optionNames.includes('weightDecay'))
      infinite.push(['weightDecay', Infinity], ['weightDecay', 1e308]);
    for (const [key, value] of infinite) {
      expect(
        () => new cls(makeParams('float64', name), { ...exercised[name], [key]: value }),
      ).toThrow(RangeError);
      const ps = makeParams('float64', name);
      const optimizer = make(name, cls, ps);
      optimizer.step();
      expectRefused(
        optimizer,
        ps,
        () => {
          optimizer.paramGroups[1][key] = value;
        },
        RangeError,
        key === 'lr'
          ? /^Invalid learning rate \(lr\): Infinity \(expected (a finite number|in \[0, 3\.4028234663852886e\+38\])\)$/
          : /^Invalid weight_decay value \(weightDecay\): (Infinity \(expected a finite number\)|1e\+308 with lr .*lr·weightDecay <= 1)/,
      );
    }
  });

  it('takes at construction exactly the options a step and a loaded state dict take', () => {
    // Each numeric option (each entry of a pair) across values in and out of range: the
    // constructor, a step after the option was changed in a group, and a state dict holding it
    // all run validateOptions, so they take it or refuse it alike (a refusing step changes
    // nothing). The value goes to group 1; the other options are the exercised ones.
    const grid: unknown[] = [-1, 0, 1e-320, 0.5, 1, 2, 200, 1e39, 1e308, Infinity, -Infinity];
    const outcome = (fn: () => unknown): string => {
      try {
        fn();
        return 'taken';
      } catch (error) {
        return `${(error as Error).constructor.name}: ${(error as Error).message}`;
      }
    };
    const defaults = make(name, cls, makeParams('float64', name)).defaults as Record<
      string,
      unknown
    >;
    for (const [key, value] of Object.entries(defaults)) {
      const values =
        typeof value === 'number'
          ? [...grid, Number.NaN, 'x']
          : Array.isArray(value)
            ? value.flatMap((_, i) => grid.map((v) => value.map((x, j) => (j === i ? v : x))))
            : [];
      for (const v of values) {
        const ps = makeParams('float64', name);
        const constructed = outcome(
          () => new cls([{ params: [ps[0]] }, { params: [ps[1]], [key]: v }], exercised[name]),
        );
        const optimizer = make(name, cls, ps);
        optimizer.step();
        const saved = JSON.parse(JSON.stringify(optimizer.stateDict()));
        const before = snapshot(optimizer, ps);
        optimizer.paramGroups[1][key] = v;
        const stepped = outcome(() => optimizer.step());
        if (stepped !== 'taken') expect(snapshot(optimizer, ps)).toBe(before);
        saved.paramGroups[1][key] = encode(v);
        const loaded = outcome(() =>
          make(name, cls, makeParams('float64', name)).loadStateDict(saved),
        );
        expect([stepped, loaded], `${key} ${JSON.stringify(encode(v))}`).toEqual([
          constructed,
          constructed,
        ]);
      }
    }
  });

  it('refuses a state array of the wrong length or type, or deleted, before any change', () => {
    const ps = makeParams('float32', name);
    const optimizer = make(name, cls, ps);
    optimizer.step();
    optimizer.step();
    const state = optimizer.state.get(ps[1])!;
    const key = Object.keys(state).find((k) => state[k] instanceof Float32Array);
    if (key === undefined) {
      // Newton keeps no arrays; its step count must stay a number.
      expect(name).toBe('Newton');
      expectRefused(
        optimizer,
        ps,
        () => delete state.step,
        TypeError,
        /^Invalid state of parameter "w1": step is missing$/,
      );
      return;
    }
    const array = state[key] as Float32Array;
    for (const [replacement, message] of [
      [new Float32Array(2), /^Invalid state of parameter "w1": \w+ is a float32 array of length 2/],
      [new Float64Array(6), /^Invalid state of parameter "w1": \w+ is a float64 array of length 6/],
      [undefined, /^Invalid state of parameter "w1": \w+ is missing$/],
      [[1, 2, 3, 4, 5, 6], /^Invalid state of parameter "w1": \w+ is no longer an array$/],
    ] as const) {
      expectRefused(
        optimizer,
        ps,
        () => {
          state[key] = replacement;
        },
        replacement instanceof Float64Array || replacement instanceof Float32Array
          ? RangeError
          : TypeError,
        message,
      );
    }
    state[key] = array;
    expect(() => optimizer.step()).not.toThrow();
  });

  it('refuses a parameter, gradient or state array given to freeArray, naming it', () => {
    const ps = makeParams('float32', name);
    const optimizer = make(name, cls, ps);
    optimizer.step();
    const state = optimizer.state.get(ps[1])!;
    const stateKey = Object.keys(state).find((k) => state[k] instanceof Float32Array);
    const cases: [() => void, RegExp][] = [
      [() => freeArray(ps[1].data), /^Invalid parameter "w1": its data was freed with freeArray$/],
      [
        () => freeArray(ps[1].grad),
        /^Invalid gradient for parameter "w1": it was freed with freeArray$/,
      ],
    ];
    if (stateKey !== undefined) {
      cases.push([
        () => freeArray(state[stateKey] as Float32Array),
        new RegExp(`^Invalid state of parameter "w1": ${stateKey} was freed with freeArray$`),
      ]);
    }
    for (const [free, message] of cases) {
      const params = makeParams('float32', name);
      const opt = make(name, cls, params);
      opt.step();
      const s = opt.state.get(params[1])!;
      const target =
        free === cases[0][0]
          ? params[1].data
          : free === cases[1][0]
            ? params[1].grad
            : (s[stateKey!] as Float32Array);
      const before = snapshot(opt, params);
      expect(freeArray(target)).toBe(true);
      // The freed block goes to the next array made; stepping the old one would write into it.
      const newcomer = param(new Float32Array(target.length).fill(3));
      expect(() => opt.step()).toThrow(TypeError);
      expect(() => opt.step()).toThrow(message);
      expect([...newcomer.data]).toEqual(new Array(target.length).fill(3));
      expect(JSON.stringify([...params[0].data])).toBe(JSON.stringify(JSON.parse(before)[0][0]));
    }
  });
});

describe('a gradient and its parameter in one buffer', () => {
  it('refuses a partial overlap, as PyTorch does, and accepts the same array', () => {
    const buffer = new Float32Array(17);
    const p: Param = { data: buffer.subarray(1, 17), grad: buffer.subarray(0, 16) };
    const optimizer = new optim.SGD([p], { lr: 0.1 });
    expect(() => optimizer.step()).toThrow(RangeError);
    expect(() => optimizer.step()).toThrow(
      /^Invalid gradient for a parameter of length 16: it partly overlaps the parameter's data in memory/,
    );
    expect(buffer.every((x) => x === 0)).toBe(true);
    const same = new Float64Array([1, 2]);
    const q: Param = { data: same, grad: same };
    new optim.SGD([q], { lr: 0.25 }).step();
    expect([...same]).toEqual([0.75, 1.5]);
  });
});

describe('a gradient the user replaced with an ordinary array', () => {
  it.each(['float32', 'float64'] as const)(
    'is stepped by the WebAssembly kernels, with the same numbers (%s)',
    (dtype) => {
      const run = (replace: boolean) => {
        const params = makeParams(dtype, 'Adam');
        const optimizer = new optim.Adam(params, { weightDecay: 0.01 });
        for (let t = 0; t < 3; t++) {
          optimizer.zeroGrad();
          for (const [k, p] of params.entries()) {
            const g = Array.from({ length: p.data.length }, (_, i) => Math.sin(i + t + k));
            if (replace) {
              p.grad = dtype === 'float32' ? new Float32Array(g) : new Float64Array(g);
            } else {
              p.grad = param(g, { dtype }).data;
            }
          }
          optimizer.step();
        }
        return params.map((p) => [...p.data]);
      };
      const rows = simdInfo().rows;
      const replaced = run(true);
      expect(simdInfo().rows - rows).toBe(6); // 2 tensors × 3 steps, all in WebAssembly
      expect(replaced).toEqual(run(false));
      configureSimd({ simd: false });
      try {
        const typescript = run(true);
        for (const [k, values] of replaced.entries()) {
          for (const [i, x] of values.entries()) {
            expect(x).toBeCloseTo(typescript[k][i], dtype === 'float32' ? 6 : 12);
          }
        }
      } finally {
        configureSimd({ simd: true });
      }
    },
  );
});
