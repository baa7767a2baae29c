import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Param, param } from '../../src/core/param.js';
import type { AlgorithmSpec } from '../../src/core/spec.js';
import { bfloat16Value } from '../../src/kernels/bfloat16.js';
import { configureSimd, simdInfo } from '../../src/kernels/wasm/index.js';
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

  // In the arena the bfloat16 and float32 tensors step in WebAssembly (assembly/state.ts), int8
  // ones in TypeScript; in ordinary arrays every tensor steps in TypeScript.
  for (const [c, arena] of cases.flatMap((c) => [true, false].map((a) => [c, a] as const))) {
    it(`${c.name}, ${arena ? 'in the arena' : 'in ordinary arrays'}`, () => {
      configureSimd({ arena });
      const { opt, params, storage } = build(c);
      configureSimd({ arena: true });
      const rows = simdInfo().rows;
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
              // Recorded for another tensor only: an int8 moment's absmax (float32 state has none).
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
              // A block's absmax is max |m| of float32 moments, which descent computes in
              // double arithmetic rounded once and torch op by op: as float32 state, it may
              // differ by an ulp or two (the generator's replay checks the codes, not these).
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
      // Every tensor (float32, of every state dtype) steps in WebAssembly in the arena.
      expect(simdInfo().rows - rows).toBe(arena ? storage.length * c.steps.length : 0);
    });
  }
});

type Ctor = ReturnType<typeof optimizerClass>;

/** The ten optimizers whose state is moments, with options that use every moment they keep. */
const momentOptimizers: [string, Record<string, unknown>][] = [
  ['SGD', { lr: 0.01, momentum: 0.9 }],
  ['Adagrad', { lr: 0.01, initialAccumulatorValue: 0.1 }],
  ['RMSprop', { lr: 0.01, momentum: 0.5 }],
  ['Adam', { lr: 0.01, amsgrad: true }],
  ['AdamW', { lr: 0.01 }],
  ['Adamax', { lr: 0.01 }],
  ['NAdam', { lr: 0.01 }],
  ['RAdam', { lr: 0.01 }],
  ['Yogi', { lr: 0.01 }],
  ['Lion', { lr: 0.001 }],
];

/** RMSprop's third moment, which int8 state refuses (see RMSpropOptions.centered). */
const centeredRMSprop: [string, Record<string, unknown>] = [
  'RMSprop',
  { lr: 0.01, momentum: 0.5, centered: true },
];

/** The state dtypes a run may use, as group options (min8bitSize 256: sizes' first two are int8). */
const dtypeOptions: [string, Record<string, unknown>][] = [
  ['default', {}],
  ['float32', { stateDtype: 'float32' }],
  ['bfloat16', { stateDtype: 'bfloat16' }],
  ['bfloat16 stochastic', { stateDtype: 'bfloat16', stochasticRounding: true, seed: 7 }],
  ['int8', { stateDtype: 'int8', min8bitSize: 256 }],
];

/** Sizes of a run's tensors: two int8 ones (blocks, a short last one) and one kept in float32. */
const sizes = [700, 300, 100];

/** Step t's gradient of tensor k: varied signs and sizes (seeded, no Math.random). */
const gradient = (n: number, k: number, t: number) =>
  Float32Array.from(
    { length: n },
    (_, i) => Math.sin(i * 0.37 + t * 1.3 + k) * (1 + (i % 7)) * 0.1 ** (i % 3),
  );

function makeRun(name: string, options: Record<string, unknown>, lengths = sizes) {
  const params = lengths.map((n, k) =>
    param(Float32Array.from({ length: n }, (_, i) => Math.cos(i + k))),
  );
  const opt = new (optimizerClass(name) as Ctor)([{ params, ...options }]);
  const step = (t: number) => {
    params.forEach((p, k) => {
      p.grad.set(gradient(p.data.length, k, t));
    });
    opt.step();
  };
  return { params, opt, step };
}

const bitsOfParams = (params: Param[]) =>
  params.map((p) => Array.from(new Uint32Array(p.data.buffer, p.data.byteOffset, p.data.length)));

describe('resuming from a state dict', () => {
  for (const [name, options] of [...momentOptimizers, centeredRMSprop]) {
    for (const [label, dtype] of dtypeOptions) {
      if (options.centered && dtype.stateDtype === 'int8') continue;
      it(`${name}${options.centered ? ' centered' : ''}, ${label}: the run continues bit for bit, from the state dict and from its JSON`, () => {
        const o = { ...options, ...dtype };
        const whole = makeRun(name, o);
        for (let t = 0; t < 6; t++) whole.step(t);
        for (const viaJson of [false, true]) {
          const first = makeRun(name, o);
          for (let t = 0; t < 3; t++) first.step(t);
          const saved = viaJson
            ? JSON.parse(JSON.stringify(first.opt.stateDict()))
            : first.opt.stateDict();
          const resumed = makeRun(name, o);
          resumed.params.forEach((p, k) => {
            p.data.set(first.params[k].data);
          });
          resumed.opt.loadStateDict(saved);
          expect(JSON.stringify(resumed.opt.stateDict())).toBe(
            JSON.stringify(first.opt.stateDict()),
          );
          for (let t = 3; t < 6; t++) resumed.step(t);
          expect(bitsOfParams(resumed.params)).toEqual(bitsOfParams(whole.params));
          expect(JSON.stringify(resumed.opt.stateDict())).toBe(
            JSON.stringify(whole.opt.stateDict()),
          );
        }
      });
    }
  }
});

describe('state dtypes', () => {
  it('each group keeps its own: bfloat16 bits, int8 codes and scales, float32, the parameter’s dtype', () => {
    const [a, b, c, d] = [300, 300, 300, 300].map((n) => param(n, { dtype: 'float64' }));
    const opt = new (optimizerClass('Adam') as Ctor)([
      { params: [a], stateDtype: 'bfloat16' },
      { params: [b], stateDtype: 'int8', min8bitSize: 256 },
      { params: [c], stateDtype: 'float32' },
      { params: [d] },
    ]);
    for (const p of [a, b, c, d]) p.grad.fill(0.5);
    opt.step();
    const state = (p: Param) => opt.state.get(p)!;
    expect(state(a).expAvg).toBeInstanceOf(Uint16Array);
    expect(state(a).expAvgSq).toBeInstanceOf(Uint16Array);
    expect(state(b).expAvg).toBeInstanceOf(Uint8Array);
    expect((state(b).expAvgAbsmax as Float32Array).length).toBe(2);
    expect(state(c).expAvg).toBeInstanceOf(Float32Array);
    expect(state(d).expAvg).toBeInstanceOf(Float64Array);
    // The same first step everywhere: m = 0.05, v = 0.00025, each stored in its dtype, and the
    // parameter moves by lr (to rounding), as with float64 state.
    expect(bfloat16Value((state(a).expAvg as Uint16Array)[0])).toBe(bfloat16Value(0x3d4d));
    for (const p of [a, b, c, d]) expect(Math.abs(p.data[0] + 1e-3)).toBeLessThan(1e-5);
  });

  it('stochastic rounding: the same seed gives the same bits, another seed others; int8 and float32 ignore it', () => {
    const run = (o: Record<string, unknown>) => {
      const r = makeRun('Adam', { lr: 0.01, ...o });
      for (let t = 0; t < 4; t++) r.step(t);
      return JSON.stringify([bitsOfParams(r.params), r.opt.stateDict().state]);
    };
    const sr = { stateDtype: 'bfloat16', stochasticRounding: true };
    expect(run({ ...sr, seed: 3 })).toBe(run({ ...sr, seed: 3 }));
    expect(run({ ...sr, seed: 3 })).not.toBe(run({ ...sr, seed: 4 }));
    expect(run({ ...sr, seed: 3 })).not.toBe(run({ stateDtype: 'bfloat16' }));
    const int8 = { stateDtype: 'int8', min8bitSize: 256 };
    expect(run({ ...int8, stochasticRounding: true, seed: 5 })).toBe(run(int8));
    expect(run({ stateDtype: 'float32', stochasticRounding: true })).toBe(
      run({ stateDtype: 'float32' }),
    );
  });

  it('centered RMSprop refuses int8 state (its step turned NaN), before any state changes', () => {
    const words = /Invalid centered: true with stateDtype 'int8'/;
    expect(() => makeRun('RMSprop', { ...centeredRMSprop[1], stateDtype: 'int8' })).toThrow(
      RangeError,
    );
    expect(() => makeRun('RMSprop', { ...centeredRMSprop[1], stateDtype: 'int8' })).toThrow(words);
    const run = makeRun('RMSprop', { ...centeredRMSprop[1], stateDtype: 'bfloat16' });
    run.step(0);
    const before = JSON.stringify(run.opt.stateDict());
    (run.opt.paramGroups[0] as unknown as Record<string, unknown>).stateDtype = 'int8';
    expect(() => run.step(1)).toThrow(words);
    (run.opt.paramGroups[0] as unknown as Record<string, unknown>).stateDtype = 'bfloat16';
    expect(JSON.stringify(run.opt.stateDict())).toBe(before);
    // Centered with bfloat16 state stays finite where int8 state went NaN: gradients 1 and 1e-4.
    const p = param(512);
    const opt = new (optimizerClass('RMSprop') as Ctor)([p], {
      ...centeredRMSprop[1],
      stateDtype: 'bfloat16',
    });
    for (let t = 0; t < 50; t++) {
      for (let i = 0; i < 512; i++) p.grad[i] = i === 0 ? 1 : 1e-4 * (1 + 0.01 * Math.sin(t + i));
      opt.step();
    }
    expect(p.data.every(Number.isFinite)).toBe(true);
  });

  it('SGD and Lion count steps for stochastic rounding only', () => {
    for (const [name, options] of [momentOptimizers[0], momentOptimizers[9]]) {
      const plain = makeRun(name, { ...options, stateDtype: 'bfloat16' });
      const sr = makeRun(name, { ...options, stateDtype: 'bfloat16', stochasticRounding: true });
      for (let t = 0; t < 3; t++) {
        plain.step(t);
        sr.step(t);
      }
      expect(plain.opt.state.get(plain.params[0])?.step, name).toBeUndefined();
      expect(sr.opt.state.get(sr.params[0])?.step, name).toBe(3);
    }
  });

  it('a state dict loads only into the same stateDtype: an error naming both, and nothing changes', () => {
    const saved = makeRun('Adam', { lr: 0.01, stateDtype: 'bfloat16' });
    saved.step(0);
    const dict = JSON.parse(JSON.stringify(saved.opt.stateDict()));
    for (const other of [{ stateDtype: 'int8', min8bitSize: 256 }, { stateDtype: 'float32' }, {}]) {
      const target = makeRun('Adam', { lr: 0.01, ...other });
      target.step(0);
      target.step(1);
      const before = JSON.stringify(target.opt.stateDict());
      const params = bitsOfParams(target.params);
      const expected = other.stateDtype ?? null;
      expect(() => target.opt.loadStateDict(dict)).toThrow(RangeError);
      expect(() => target.opt.loadStateDict(dict)).toThrow(
        `paramGroups[0].stateDtype is "bfloat16", the optimizer's group has ${JSON.stringify(expected)}`,
      );
      expect(JSON.stringify(target.opt.stateDict())).toBe(before);
      expect(bitsOfParams(target.params)).toEqual(params);
    }
  });

  const bad: [string, unknown, RegExp, ErrorConstructor][] = [
    ['stateDtype', 'int4', /stateDtype.*int4/, RangeError],
    ['stateDtype', 'bf16', /stateDtype.*bf16/, RangeError],
    ['stateDtype', 16, /stateDtype.*16/, TypeError],
    ['stochasticRounding', 'yes', /stochasticRounding.*yes/, TypeError],
    ['seed', -1, /seed.*-1/, RangeError],
    ['seed', 1.5, /seed.*1\.5/, RangeError],
    ['seed', 2 ** 32, /seed.*4294967296/, RangeError],
    ['seed', Number.NaN, /seed.*NaN/, TypeError],
    ['min8bitSize', 0, /min8bitSize.*0/, RangeError],
    ['min8bitSize', 2.5, /min8bitSize.*2\.5/, RangeError],
  ];
  for (const [name, options] of momentOptimizers) {
    it(`${name}: bad values refused by name, at construction and before a step changes anything`, () => {
      for (const [option, value, words, Kind] of bad) {
        const where = `${name} ${option} ${String(value)}`;
        expect(() => makeRun(name, { ...options, [option]: value }), where).toThrow(Kind);
        expect(() => makeRun(name, { ...options, [option]: value }), where).toThrow(words);
        const run = makeRun(name, { ...options, stateDtype: 'int8', min8bitSize: 256 });
        run.step(0);
        const before = JSON.stringify(run.opt.stateDict());
        const params = bitsOfParams(run.params);
        (run.opt.paramGroups[0] as unknown as Record<string, unknown>)[option] = value;
        expect(() => run.step(1), where).toThrow(words);
        (run.opt.paramGroups[0] as unknown as Record<string, unknown>).stateDtype = 'int8';
        (run.opt.paramGroups[0] as unknown as Record<string, unknown>)[option] =
          option === 'stateDtype'
            ? 'int8'
            : { stochasticRounding: false, seed: 0, min8bitSize: 256 }[option];
        expect(JSON.stringify(run.opt.stateDict()), where).toBe(before);
        expect(bitsOfParams(run.params), where).toEqual(params);
      }
    });
  }
});

describe('the options’ specs', () => {
  it('each of the ten lists the four, with no PyTorch keyword (torch.optim has none: exports leave them out)', () => {
    for (const [name] of momentOptimizers) {
      const spec = (optimizerClass(name) as unknown as { spec: AlgorithmSpec }).spec;
      const options = spec.options.filter((o) =>
        ['stateDtype', 'stochasticRounding', 'seed', 'min8bitSize'].includes(o.name),
      );
      expect(
        options.map((o) => [o.name, o.default, o.reference]),
        name,
      ).toEqual([
        ['stateDtype', null, undefined],
        ['stochasticRounding', false, undefined],
        ['seed', 0, undefined],
        ['min8bitSize', 4096, undefined],
      ]);
    }
  });
});

describe('stateBytes', () => {
  const n = 1 << 20;
  const bytesPerParam = (
    options: Record<string, unknown>,
    length = n,
    dtype: 'float32' | 'float64' = 'float32',
  ) => {
    const p = param(length, { dtype });
    const opt = new (optimizerClass('Adam') as Ctor)([p], options);
    expect(opt.stateBytes()).toBe(0);
    p.grad.fill(0.25);
    opt.step();
    return opt.stateBytes() / length;
  };

  it('Adam on 2²⁰ parameters: 8 bytes each in float32, 4 in bfloat16, 2 + 8/256 in int8', () => {
    expect(bytesPerParam({})).toBe(8);
    expect(bytesPerParam({ stateDtype: 'float32' })).toBe(8);
    expect(bytesPerParam({ stateDtype: 'bfloat16' })).toBe(4);
    expect(bytesPerParam({ stateDtype: 'int8' })).toBe(2.03125);
    expect(bytesPerParam({}, n, 'float64')).toBe(16);
    expect(bytesPerParam({ stateDtype: 'float32' }, n, 'float64')).toBe(8);
    // AMSGrad's maximum is a third moment.
    expect(bytesPerParam({ stateDtype: 'int8', amsgrad: true })).toBe(3 * (1 + 4 / 256));
  });

  it('int8 leaves tensors below min8bitSize in float32', () => {
    expect(bytesPerParam({ stateDtype: 'int8' }, 4095)).toBe(8);
    expect(bytesPerParam({ stateDtype: 'int8' }, 4096)).toBe(2 + 8 / 256);
    expect(bytesPerParam({ stateDtype: 'int8', min8bitSize: 1 }, 10)).toBe(2 + 8 / 10);
  });
});

/** A user's action in the property test: a step with a seeded gradient, or a save and a load. */
type Action = { kind: 'step'; seed: number; scale: number } | { kind: 'resume'; json: boolean };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('step' as const),
      seed: fc.nat(),
      scale: fc.constantFrom(1e-6, 1e-3, 1, 10, 1e3),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resume' as const), json: fc.boolean() }) },
);

/** Gradient values from a seed (xorshift32), a few exact zeros among them. */
function seededGradient(n: number, seed: number, scale: number): Float32Array {
  let x = (seed ^ 0x9e3779b9) >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % 17 === 0 ? 0 : (x / 2 ** 31 - 1) * scale;
  });
}

describe('random runs with low-precision state (fast-check)', () => {
  it('saving and loading anywhere (directly or through JSON) changes no bit, and identical runs give identical bits', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...momentOptimizers, centeredRMSprop),
        fc.constantFrom(...dtypeOptions.slice(2)),
        fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 3 }),
        fc.array(action, { minLength: 1, maxLength: 8 }),
        ([name, options], [, dtype], lengths, actions) => {
          const o = { ...options, ...dtype };
          if (o.centered && o.stateDtype === 'int8') {
            expect(() => makeRun(name, o, lengths)).toThrow(
              /centered: true with stateDtype 'int8'/,
            );
            return;
          }
          const straight = () => {
            const run = makeRun(name, o, lengths);
            for (const a of actions) {
              if (a.kind !== 'step') continue;
              run.params.forEach((p, k) => {
                p.grad.set(seededGradient(p.data.length, a.seed + k, a.scale));
              });
              run.opt.step();
            }
            return [bitsOfParams(run.params), JSON.stringify(run.opt.stateDict())];
          };
          let run = makeRun(name, o, lengths);
          for (const a of actions) {
            if (a.kind === 'resume') {
              const dict = run.opt.stateDict();
              const saved = a.json ? JSON.parse(JSON.stringify(dict)) : dict;
              const fresh = makeRun(name, o, lengths);
              fresh.params.forEach((p, k) => {
                p.data.set(run.params[k].data);
              });
              fresh.opt.loadStateDict(saved);
              run = fresh;
              continue;
            }
            run.params.forEach((p, k) => {
              p.grad.set(seededGradient(p.data.length, a.seed + k, a.scale));
            });
            run.opt.step();
          }
          const expected = straight();
          expect(straight()).toEqual(expected);
          expect([bitsOfParams(run.params), JSON.stringify(run.opt.stateDict())]).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });
});
