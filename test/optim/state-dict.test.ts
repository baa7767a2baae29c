import { describe, expect, it } from 'vitest';
import { type DType, type Param, param } from '../../src/core/param.js';
import * as optim from '../../src/optim/index.js';
import { Optimizer } from '../../src/optim/optimizer.js';

type AnyOptimizer = Optimizer<object>;
type OptimizerClass = new (params: unknown, options?: unknown) => AnyOptimizer;

/** Options that make each optimizer build all of its state. */
const exercised: Record<string, Record<string, unknown>> = {
  SGD: { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 },
  Adam: { amsgrad: true, weightDecay: 0.01 },
  AdamW: { amsgrad: true },
  RMSprop: { centered: true, momentum: 0.5 },
  Adagrad: { lrDecay: 0.01, initialAccumulatorValue: 0.1 },
  ASGD: { t0: 2 },
  Newton: { lr: 0.5, damping: 1 },
};

// L-BFGS needs a closure and has its own resume test (test/optim/lbfgs.test.ts).
const classes = Object.entries(optim).filter(
  ([name, value]) =>
    typeof value === 'function' && value.prototype instanceof Optimizer && name !== 'LBFGS',
) as [string, OptimizerClass][];

function make(name: string, cls: OptimizerClass, params: Param[]): AnyOptimizer {
  const options: Record<string, unknown> = { ...exercised[name] };
  if (name === 'Newton') {
    // Hessian of sum(p^2 + p^4 / 12): diagonal 2 + p^2, over the concatenated parameters.
    options.hessian = (ps: Param[]) => {
      const x = ps.flatMap((p) => [...p.data]);
      const h = new Float64Array(x.length * x.length);
      x.forEach((xi, i) => {
        h[i * x.length + i] = 2 + xi * xi;
      });
      return h;
    };
  }
  return new cls([{ params: [params[0]] }, { params: [params[1]], lr: 0.003 }], options);
}

function freshParams(dtype: DType, from?: Param[]): Param[] {
  if (from) return from.map((p) => param(p.data, { dtype }));
  return [param([0.5, -1.5, 2, 0.25], { dtype }), param([-0.75, 1, 3], { dtype })];
}

/** Deterministic gradients that depend on the point, so any state error changes the path. */
function step(opt: AnyOptimizer, params: Param[], t: number): void {
  for (const [i, p] of params.entries()) {
    for (let j = 0; j < p.data.length; j++) {
      p.grad![j] = 2 * p.data[j] + p.data[j] ** 3 / 3 + Math.sin(t + 3 * i + j);
    }
  }
  if (t === 2) opt.paramGroups[0].lr = (opt.paramGroups[0].lr as number) * 0.5;
  opt.step();
}

// biome-ignore lint/suspicious/noExplicitAny: tests edit the parsed JSON freely
type EditableJson = any;

const bits = (params: Param[]) =>
  params.map((p) => [...new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength)]);

describe.each(classes)('%s state dict', (name, cls) => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`resumes bit-identically from JSON (${dtype})`, () => {
      const straight = freshParams(dtype);
      const straightOpt = make(name, cls, straight);
      for (let t = 0; t < 10; t++) step(straightOpt, straight, t);

      const first = freshParams(dtype);
      const firstOpt = make(name, cls, first);
      for (let t = 0; t < 4; t++) step(firstOpt, first, t);
      const saved = JSON.stringify(firstOpt.stateDict());

      const resumed = freshParams(dtype, first);
      const resumedOpt = make(name, cls, resumed);
      resumedOpt.loadStateDict(JSON.parse(saved));
      expect(resumedOpt.paramGroups[0].lr).toBe(firstOpt.paramGroups[0].lr);
      for (let t = 4; t < 10; t++) step(resumedOpt, resumed, t);
      expect(bits(resumed)).toEqual(bits(straight));
    });
  }

  it('refuses mismatched or hostile state dicts and stays as it was', () => {
    const params = freshParams('float64');
    const opt = make(name, cls, params);
    for (let t = 0; t < 3; t++) step(opt, params, t);
    const good = opt.stateDict();
    const before = JSON.stringify(good);
    const variants: [string, (sd: EditableJson) => void, RegExp][] = [
      [
        'one group fewer',
        (sd) => sd.paramGroups.pop(),
        /^Invalid state dict: it has 1 parameter groups, the optimizer 2$/,
      ],
      [
        'a parameter fewer',
        (sd) => sd.paramGroups[1].params.pop(),
        /^Invalid state dict: paramGroups\[1\] has 0 parameters, the optimizer's group 1$/,
      ],
      [
        'a state key naming no parameter',
        (sd) => {
          sd.state['7'] = sd.state['0'] ?? {};
        },
        /^Invalid state dict: state key "7" names no parameter$/,
      ],
      [
        'a negative learning rate',
        (sd) => {
          sd.paramGroups[0].lr = -1;
        },
        /^Invalid learning rate \(lr\): -1$/,
      ],
      [
        'a prototype key',
        (sd) => {
          sd.state['0'] = JSON.parse('{"__proto__": {"polluted": true}}');
        },
        /^Invalid key in state.0: "__proto__"$/,
      ],
      [
        'a state array of the wrong length or type',
        (sd) => {
          const entry = sd.state['0'];
          const key = Object.keys(entry ?? {}).find((k) => entry[k]?.base64 !== undefined);
          if (key === undefined) {
            sd.state['0'] = { step: 1, extra: { dtype: 'float32', base64: 'AAAAAA==' } };
          } else {
            entry[key] = { dtype: 'float32', base64: 'AAAAAA==' };
          }
        },
        /^Invalid state dict: state\[0\]\.\w+ is a float32 array of length 1, expected float64 of length 4$/,
      ],
      [
        'a state entry holding text',
        (sd) => {
          sd.state['0'] = { ...(sd.state['0'] ?? {}), step: 'three' };
        },
        /^Invalid state dict: state\[0\]\.step is (missing or not a number|neither a number nor an array)$/,
      ],
      [
        'not a state dict',
        (sd) => {
          delete sd.paramGroups;
        },
        /^Invalid state dict: expected \{ state, paramGroups \}$/,
      ],
    ];
    for (const [what, mutate, message] of variants) {
      const bad = JSON.parse(before);
      mutate(bad);
      expect(() => opt.loadStateDict(bad), what).toThrow(message);
      expect(JSON.stringify(opt.stateDict()), what).toBe(before);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('loading a state without the arrays a step needs', () => {
  it('throws and keeps the state it had', () => {
    const params = freshParams('float64');
    const opt = new optim.RMSprop(params, { centered: true });
    step(opt as AnyOptimizer, params, 0);
    const saved = JSON.parse(JSON.stringify(opt.stateDict()));
    delete saved.state['1'].squareAvg;
    expect(() => opt.loadStateDict(saved)).toThrow(/state\[1\]\.squareAvg is missing/);
    expect((opt.state.get(params[1]) as { squareAvg: unknown }).squareAvg).toBeInstanceOf(
      Float64Array,
    );
  });
});
