import { describe, expect, it } from 'vitest';
import { type DType, type FloatArray, type Param, param } from '../../src/core/param.js';
import { encode } from '../../src/core/serialize.js';
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

/** Two parameters, or copies of `from`; matrices (2 × 2 and 3 × 1) for Muon, which takes no other. */
function freshParams(dtype: DType, optimizer = '', from?: Param[]): Param<FloatArray>[] {
  if (from) return from.map((p) => param(p.data, { dtype, shape: p.shape }));
  const muon = optimizer === 'Muon';
  return [
    param([0.5, -1.5, 2, 0.25], { dtype, ...(muon && { shape: [2, 2] }) }),
    param([-0.75, 1, 3], { dtype, ...(muon && { shape: [3, 1] }) }),
  ];
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
      const straight = freshParams(dtype, name);
      const straightOpt = make(name, cls, straight);
      for (let t = 0; t < 10; t++) step(straightOpt, straight, t);

      const first = freshParams(dtype, name);
      const firstOpt = make(name, cls, first);
      for (let t = 0; t < 4; t++) step(firstOpt, first, t);
      const saved = JSON.stringify(firstOpt.stateDict());

      const resumed = freshParams(dtype, name, first);
      const resumedOpt = make(name, cls, resumed);
      resumedOpt.loadStateDict(JSON.parse(saved));
      expect(resumedOpt.paramGroups[0].lr).toBe(firstOpt.paramGroups[0].lr);
      for (let t = 4; t < 10; t++) step(resumedOpt, resumed, t);
      expect(bits(resumed)).toEqual(bits(straight));
    });
  }

  it('refuses mismatched or hostile state dicts and stays as it was', () => {
    const params = freshParams('float64', name);
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
        // ASGD's message goes on with its range, which ends at float32's largest.
        /^Invalid learning rate \(lr\): -1($| \(expected in \[0, )/,
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
        new RegExp(
          `^Invalid state dict: state\\[0\\]\\.(\\w+ is a float32 array of length 1, expected float64 of length 4|extra is not ${name} state)$`,
        ),
      ],
      [
        'a state entry holding text',
        (sd) => {
          sd.state['0'] = { ...(sd.state['0'] ?? {}), step: 'three' };
        },
        new RegExp(
          `^Invalid state dict: state\\[0\\]\\.step is (not a number: "three"|not ${name} state)$`,
        ),
      ],
      [
        'an unknown state entry',
        (sd) => {
          sd.state['0'] = { ...(sd.state['0'] ?? {}), expAvgg: 1 };
        },
        new RegExp(`^Invalid state dict: state\\[0\\]\\.expAvgg is not ${name} state$`),
      ],
      [
        'a parameter index listed twice',
        (sd) => {
          sd.paramGroups[1].params = [0];
        },
        /^Invalid state dict: paramGroups\[1\]\.params\[0\] is 0, already listed at paramGroups\[0\]\.params\[0\]/,
      ],
      [
        'a parameter index out of range',
        (sd) => {
          sd.paramGroups[1].params = [2];
        },
        /^Invalid state dict: paramGroups\[1\]\.params\[0\] is not a parameter index \(an integer in \[0, 2\)\): 2$/,
      ],
      [
        'a fractional parameter index',
        (sd) => {
          sd.paramGroups[1].params = [0.5];
        },
        /^Invalid state dict: paramGroups\[1\]\.params\[0\] is not a parameter index \(an integer in \[0, 2\)\): 0\.5$/,
      ],
      [
        'a parameter index as text',
        (sd) => {
          sd.paramGroups[1].params = ['1'];
        },
        /^Invalid state dict: paramGroups\[1\]\.params\[0\] is not a parameter index: "1"$/,
      ],
      [
        'a state key with a leading zero',
        (sd) => {
          sd.state['01'] = sd.state['1'] ?? {};
        },
        /^Invalid state dict: state key "01" names no parameter$/,
      ],
      [
        'names that do not fit the parameters',
        (sd) => {
          sd.paramGroups[0].paramNames = ['a', 'b'];
        },
        /^Invalid state dict: paramGroups\[0\]\.paramNames has 2 names for 1 parameters$/,
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

describe('loading checks values, not only shapes and types', () => {
  /** A float64 state dict of `opt` after `steps` steps, as JSON. */
  function savedAfter(opt: AnyOptimizer, params: Param[], steps = 3): EditableJson {
    for (let t = 0; t < steps; t++) step(opt, params, t);
    return JSON.parse(JSON.stringify(opt.stateDict()));
  }
  const f64 = (values: number[]) => ({
    dtype: 'float64',
    base64: btoa(String.fromCharCode(...new Uint8Array(new Float64Array(values).buffer))),
  });

  const cases: [
    string,
    () => AnyOptimizer,
    (sd: EditableJson) => void,
    ErrorConstructor,
    RegExp,
  ][] = [
    [
      "a number for SGD's momentum buffer",
      () => new optim.SGD(freshParams('float64'), { momentum: 0.9 }) as AnyOptimizer,
      (sd) => {
        sd.state['0'].momentumBuffer = 3;
      },
      TypeError,
      /^Invalid state dict: state\[0\]\.momentumBuffer is neither an array nor null: 3$/,
    ],
    [
      "a number for RMSprop's momentum buffer",
      () => new optim.RMSprop(freshParams('float64'), { momentum: 0.5 }) as AnyOptimizer,
      (sd) => {
        sd.state['1'].momentumBuffer = 3;
      },
      TypeError,
      /^Invalid state dict: state\[1\]\.momentumBuffer is not an array: 3$/,
    ],
    [
      "a number for RMSprop's gradient average",
      () => new optim.RMSprop(freshParams('float64')) as AnyOptimizer,
      (sd) => {
        sd.state['0'].gradAvg = 0;
      },
      TypeError,
      /^Invalid state dict: state\[0\]\.gradAvg is not an array: 0$/,
    ],
    [
      "a number for Adam's maxExpAvgSq with amsgrad off",
      () => new optim.Adam(freshParams('float64')) as AnyOptimizer,
      (sd) => {
        sd.state['0'].maxExpAvgSq = 1;
      },
      TypeError,
      /^Invalid state dict: state\[0\]\.maxExpAvgSq is not an array: 1$/,
    ],
    [
      'a step count of -1',
      () => new optim.Adam(freshParams('float64')) as AnyOptimizer,
      (sd) => {
        sd.state['1'].step = -1;
      },
      RangeError,
      /^Invalid state dict: state\[1\]\.step is not a count \(an integer >= 0\): -1$/,
    ],
    [
      'a step count of NaN',
      () => new optim.Adagrad(freshParams('float64')) as AnyOptimizer,
      (sd) => {
        sd.state['0'].step = { float: 'NaN' };
      },
      RangeError,
      /^Invalid state dict: state\[0\]\.step is not a count \(an integer >= 0\): NaN$/,
    ],
    [
      'a fractional step count',
      () => new optim.RAdam(freshParams('float64')) as AnyOptimizer,
      (sd) => {
        sd.state['0'].step = 2.5;
      },
      RangeError,
      /^Invalid state dict: state\[0\]\.step is not a count \(an integer >= 0\): 2\.5$/,
    ],
    [
      "ASGD's eta NaN",
      () => new optim.ASGD(freshParams('float64')) as AnyOptimizer,
      (sd) => {
        sd.state['0'].eta = { float: 'NaN' };
      },
      RangeError,
      /^Invalid state dict: state\[0\]\.eta is not a finite number >= 0: NaN$/,
    ],
    [
      "ASGD's eta negative",
      () => new optim.ASGD(freshParams('float64')) as AnyOptimizer,
      (sd) => {
        sd.state['1'].eta = -0.01;
      },
      RangeError,
      /^Invalid state dict: state\[1\]\.eta is not a finite number >= 0: -0\.01$/,
    ],
    [
      "ASGD's mu above 1",
      () => new optim.ASGD(freshParams('float64')) as AnyOptimizer,
      (sd) => {
        sd.state['1'].mu = 2;
      },
      RangeError,
      /^Invalid state dict: state\[1\]\.mu is not a number in \[0, 1\]: 2$/,
    ],
    [
      "NAdam's muProduct above 1",
      () => new optim.NAdam(freshParams('float64')) as AnyOptimizer,
      (sd) => {
        sd.state['0'].muProduct = { float: 'Infinity' };
      },
      RangeError,
      /^Invalid state dict: state\[0\]\.muProduct is not a number in \[0, 1\]: Infinity$/,
    ],
    [
      'a negative second moment',
      () => new optim.Adam(freshParams('float64')) as AnyOptimizer,
      (sd) => {
        sd.state['0'].expAvgSq = f64([0.1, -0.5, 0, 2]);
      },
      RangeError,
      /^Invalid state dict: state\[0\]\.expAvgSq\[1\] is not a number >= 0: -0\.5$/,
    ],
    [
      'a negative Rprop step size',
      () => new optim.Rprop(freshParams('float64')) as AnyOptimizer,
      (sd) => {
        sd.state['1'].stepSize = f64([0.1, -0.5, 0]);
      },
      RangeError,
      /^Invalid state dict: state\[1\]\.stepSize\[1\] is not a number >= 0: -0\.5$/,
    ],
    [
      'a state that is an array',
      () => new optim.Adam(freshParams('float64')) as AnyOptimizer,
      (sd) => {
        sd.state['0'] = f64([1, 2, 3, 4]);
      },
      TypeError,
      /^Invalid state dict: state\[0\] is not an object: a float64 array of length 4$/,
    ],
  ];

  it.each(cases)('refuses %s, changing nothing', (_, make, edit, type, message) => {
    const opt = make();
    const params = opt.paramGroups.flatMap((g) => g.params);
    const saved = savedAfter(opt, params);
    const before = JSON.stringify(opt.stateDict());
    edit(saved);
    expect(() => opt.loadStateDict(saved)).toThrow(type);
    expect(() => opt.loadStateDict(saved)).toThrow(message);
    expect(JSON.stringify(opt.stateDict())).toBe(before);
    // The state it kept steps as before.
    expect(() => step(opt, params, 3)).not.toThrow();
    expect(params.every((p) => p.data.every(Number.isFinite))).toBe(true);
  });

  it("refuses L-BFGS's ro NaN or off its pair, and other poisonous scalars, changing nothing", () => {
    const ps = freshParams('float64');
    const opt = new optim.LBFGS(ps, { maxIter: 4 });
    const closure = () => {
      let loss = 0;
      for (const [i, p] of ps.entries()) {
        for (let j = 0; j < p.data.length; j++) {
          const x = p.data[j] - i - j / 4;
          loss += x * x + x ** 4 / 12;
          p.grad[j] = 2 * x + x ** 3 / 3;
        }
      }
      return loss;
    };
    opt.step(closure);
    opt.step(closure);
    const saved = JSON.parse(JSON.stringify(opt.stateDict()));
    expect(saved.state['0'].ro.length).toBeGreaterThan(0);
    const before = JSON.stringify(saved);
    const edits: [(s: EditableJson) => void, RegExp][] = [
      [
        (s) => {
          s.ro[0] = { float: 'NaN' };
        },
        /^Invalid state dict: state\[0\]\.ro\[0\] is not a finite number > 0: NaN$/,
      ],
      // Finite, but not 1 / (y·s) of its pair: the next step would go to infinity.
      [
        (s) => {
          s.ro[0] = 1e300;
        },
        /^Invalid state dict: state\[0\]\.ro\[0\] is 1e\+300, but its pair has 1 \/ \(y·s\) = /,
      ],
      [
        (s) => {
          s.HDiag = 1e6;
        },
        /^Invalid state dict: state\[0\]\.HDiag is 1000000, but the newest pair gives \(y·s\) \/ \(y·y\) = /,
      ],
      [
        (s) => {
          s.t = { float: 'Infinity' };
        },
        /^Invalid state dict: state\[0\]\.t is not a finite number: Infinity$/,
      ],
    ];
    for (const [edit, message] of edits) {
      const bad = JSON.parse(before);
      edit(bad.state['0']);
      expect(() => opt.loadStateDict(bad)).toThrow(RangeError);
      expect(() => opt.loadStateDict(bad)).toThrow(message);
      expect(JSON.stringify(opt.stateDict())).toBe(before);
    }
  });
});

/** Three parameters in two groups: [a, b] and [c]. */
function threeParams(dtype: DType, names?: string[], optimizer = ''): Param<FloatArray>[] {
  const values = [
    [0.5, -1.5, 2, 0.25],
    [-0.75, 1, 3],
    [0.1, -0.2],
  ];
  // Matrices (2 × 2, 3 × 1, 1 × 2) for Muon, which takes no other.
  const shapes =
    optimizer === 'Muon'
      ? [
          [2, 2],
          [3, 1],
          [1, 2],
        ]
      : [undefined, undefined, undefined];
  return values.map((v, i) =>
    param(v, names ? { dtype, name: names[i], shape: shapes[i] } : { dtype, shape: shapes[i] }),
  );
}

function makeThree(name: string, cls: OptimizerClass, params: Param[]): AnyOptimizer {
  const opt = make(name, cls, [params[0], params[2]]);
  // make() puts its first parameter in group 0, its second in group 1.
  opt.paramGroups[0].params.push(params[1]);
  return opt;
}

describe.each(classes)('%s state mapped by the params lists', (name, cls) => {
  it('honours permuted indices, as PyTorch maps them', () => {
    const straight = threeParams('float64', undefined, name);
    const straightOpt = makeThree(name, cls, straight);
    for (let t = 0; t < 8; t++) step(straightOpt, straight, t);

    const first = threeParams('float64', undefined, name);
    const firstOpt = makeThree(name, cls, first);
    for (let t = 0; t < 4; t++) step(firstOpt, first, t);
    const saved = JSON.parse(JSON.stringify(firstOpt.stateDict()));
    expect(saved.paramGroups.map((g: EditableJson) => g.params)).toEqual([[0, 1], [2]]);
    // Renumber: 0 -> 2, 1 -> 0, 2 -> 1, in the lists and in the state keys alike.
    const relabel = [2, 0, 1];
    for (const group of saved.paramGroups)
      group.params = group.params.map((i: number) => relabel[i]);
    saved.state = Object.fromEntries(
      Object.entries(saved.state).map(([key, value]) => [String(relabel[Number(key)]), value]),
    );

    const resumed = first.map((p) => param(p.data, { dtype: 'float64', shape: p.shape }));
    const resumedOpt = makeThree(name, cls, resumed);
    resumedOpt.loadStateDict(saved);
    for (let t = 4; t < 8; t++) step(resumedOpt, resumed, t);
    expect(bits(resumed)).toEqual(bits(straight));
  });
});

describe('state matched by name', () => {
  const adam = (params: Param[], groups: number[][]) =>
    new optim.Adam(
      groups.map((indices, g) => ({ params: indices.map((i) => params[i]), lr: 0.01 * (g + 1) })),
      { amsgrad: true },
    ) as AnyOptimizer;

  function run(opt: AnyOptimizer, params: Param<FloatArray>[], from: number, to: number): void {
    for (let t = from; t < to; t++) {
      for (const p of params) {
        const k = (p.name ?? '').charCodeAt(0);
        for (let j = 0; j < p.data.length; j++) {
          p.grad[j] = 2 * p.data[j] + Math.sin(t + k + j);
        }
      }
      opt.step();
    }
  }

  it('records names as paramNames beside params, where every parameter of a group has one', () => {
    const named = threeParams('float64', ['a', 'b', 'c']);
    const sd = adam(named, [[0, 1], [2]]).stateDict();
    expect(sd.paramGroups.map((g) => (g as EditableJson).paramNames)).toEqual([['a', 'b'], ['c']]);
    const partly = threeParams('float64', ['a', 'b', 'c']);
    delete partly[2].name;
    const mixed = adam(partly, [[0, 1], [2]]).stateDict();
    expect(mixed.paramGroups.map((g) => (g as EditableJson).paramNames)).toEqual([
      ['a', 'b'],
      undefined,
    ]);
  });

  it('resumes a model whose parameters were reordered, bit for bit', () => {
    const straight = threeParams('float64', ['a', 'b', 'c']);
    const straightOpt = adam(straight, [[0, 1], [2]]);
    run(straightOpt, straight, 0, 8);

    const first = threeParams('float64', ['a', 'b', 'c']);
    const firstOpt = adam(first, [[0, 1], [2]]);
    run(firstOpt, first, 0, 4);
    const saved = JSON.parse(JSON.stringify(firstOpt.stateDict()));

    // The same model, its parameters listed in another order within group 0.
    const resumed = first.map((p) => param(p.data, { dtype: 'float64', name: p.name }));
    const resumedOpt = adam(resumed, [[1, 0], [2]]);
    resumedOpt.loadStateDict(saved);
    run(resumedOpt, resumed, 4, 8);
    expect(bits(resumed)).toEqual(bits(straight));
  });

  it('resumes what it can of a model that gained a parameter', () => {
    const straight = threeParams('float64', ['a', 'b', 'c']);
    const straightOpt = adam(straight, [[0, 1], [2]]);
    run(straightOpt, straight, 0, 8);

    const first = threeParams('float64', ['a', 'b', 'c']);
    const firstOpt = adam(first, [[0, 1], [2]]);
    run(firstOpt, first, 0, 4);
    const saved = JSON.parse(JSON.stringify(firstOpt.stateDict()));

    const resumed = [
      ...first.map((p) => param(p.data, { dtype: 'float64', name: p.name })),
      param([1, 2], { dtype: 'float64', name: 'new' }),
    ];
    const resumedOpt = adam(resumed, [[3, 0, 1], [2]]);
    resumedOpt.loadStateDict(saved);
    expect(resumedOpt.state.has(resumed[3])).toBe(false);
    run(resumedOpt, resumed, 4, 8);
    expect(bits(resumed.slice(0, 3))).toEqual(bits(straight));
    expect((resumedOpt.state.get(resumed[3]) as { step: number }).step).toBe(4);
  });

  it('refuses a name the optimizer lacks, or a length that changed, naming it', () => {
    const first = threeParams('float64', ['a', 'b', 'c']);
    const firstOpt = adam(first, [[0, 1], [2]]);
    run(firstOpt, first, 0, 2);
    const saved = JSON.parse(JSON.stringify(firstOpt.stateDict()));

    const renamed = threeParams('float64', ['a', 'x', 'c']);
    const renamedOpt = adam(renamed, [[0, 1], [2]]);
    const before = JSON.stringify(renamedOpt.stateDict());
    expect(() => renamedOpt.loadStateDict(saved)).toThrow(RangeError);
    expect(() => renamedOpt.loadStateDict(saved)).toThrow(
      /^Invalid state dict: paramGroups\[0\]\.paramNames\[1\] is "b", which names no parameter of the optimizer$/,
    );
    expect(JSON.stringify(renamedOpt.stateDict())).toBe(before);

    const reshaped = threeParams('float64', ['a', 'b', 'c']);
    reshaped[1] = param([1, 2, 3, 4, 5], { dtype: 'float64', name: 'b' });
    const reshapedOpt = adam(reshaped, [[0, 1], [2]]);
    expect(() => reshapedOpt.loadStateDict(saved)).toThrow(RangeError);
    expect(() => reshapedOpt.loadStateDict(saved)).toThrow(
      /^Invalid state dict: state\[1\] \(parameter "b"\)\.expAvg is a float64 array of length 3, expected float64 of length 5$/,
    );
    expect(reshapedOpt.state.size).toBe(0);
  });

  it('matches by position when either side lacks names, or names repeat', () => {
    const first = threeParams('float64', ['a', 'b', 'c']);
    const firstOpt = adam(first, [[0, 1], [2]]);
    run(firstOpt, first, 0, 2);
    const saved = JSON.parse(JSON.stringify(firstOpt.stateDict()));
    const state = (opt: AnyOptimizer, p: Param) => JSON.stringify(encode(opt.state.get(p)));

    // Unnamed parameters: by position.
    const unnamed = threeParams('float64');
    const unnamedOpt = adam(unnamed, [[0, 1], [2]]);
    unnamedOpt.loadStateDict(saved);
    expect(state(unnamedOpt, unnamed[0])).toBe(state(firstOpt, first[0]));

    // Names without paramNames in the state dict: by position too, so a's state goes to the
    // parameter now first, named a but of c's length.
    const stripped = JSON.parse(JSON.stringify(saved));
    for (const group of stripped.paramGroups) delete group.paramNames;
    const named = threeParams('float64', ['c', 'b', 'a']);
    const namedOpt = adam([named[2], named[1], named[0]], [[0, 1], [2]]);
    expect(() => namedOpt.loadStateDict(stripped)).toThrow(
      /^Invalid state dict: state\[0\]\.expAvg is a float64 array of length 4, expected float64 of length 2$/,
    );

    // Repeated names cannot be matched: by position.
    const twins = threeParams('float64', ['w', 'w', 'c']);
    const twinsOpt = adam(twins, [[0, 1], [2]]);
    twinsOpt.loadStateDict(saved);
    expect(state(twinsOpt, twins[1])).toBe(state(firstOpt, first[1]));
  });
});

describe('a state saved after amsgrad was switched on, before its next step', () => {
  it.each([
    ['Adam', optim.Adam],
    ['AdamW', optim.AdamW],
  ] as const)('%s loads it and resumes bit for bit', (_, cls) => {
    // Found by the differential soak: the parameter had no maximum yet, and loading refused it.
    const run = (resume: boolean) => {
      const p = param([1, 2], { dtype: 'float64' });
      const opt = new cls([p], { lr: 0.01 });
      p.grad.set([0.1, 0.2]);
      opt.step();
      opt.paramGroups[0].amsgrad = true;
      let stepping = opt;
      let q = p;
      if (resume) {
        q = param(p.data, { dtype: 'float64' });
        stepping = new cls([q], { lr: 0.01 });
        stepping.loadStateDict(JSON.parse(JSON.stringify(opt.stateDict())));
      }
      q.grad.set([-0.3, 0.05]);
      stepping.step();
      return [...q.data];
    };
    expect(run(true)).toEqual(run(false));
  });
});
