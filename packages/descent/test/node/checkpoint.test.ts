import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DType, type FloatArray, type Param, param } from '../../src/core/param.js';
import {
  CheckpointError,
  type CheckpointTarget,
  loadCheckpoint,
  loadCheckpointSync,
  type Stateful,
  saveCheckpoint,
  saveCheckpointSync,
} from '../../src/node/index.js';
import * as optim from '../../src/optim/index.js';
import { Optimizer } from '../../src/optim/optimizer.js';
import {
  CosineAnnealingLR,
  OneCycleLR,
  ReduceLROnPlateau,
  StepLR,
} from '../../src/schedules/index.js';
import { bitsOf, readSpec, specChecksum, writeSpec } from './spec.js';

const dir = mkdtempSync(join(tmpdir(), 'descent-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newPath = (stem = 'run') => join(dir, `${stem}-${files++}.safetensors`);

type AnyOptimizer = Optimizer<object>;
type OptimizerClass = new (params: unknown, options?: unknown) => AnyOptimizer;

/** Options that make each optimizer build all of its state (as test/optim/state-dict.test.ts). */
const exercised: Record<string, Record<string, unknown>> = {
  SGD: { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 },
  Adam: { amsgrad: true, weightDecay: 0.01 },
  AdamW: { amsgrad: true },
  RMSprop: { centered: true, momentum: 0.5 },
  Adagrad: { lrDecay: 0.01, initialAccumulatorValue: 0.1 },
  ASGD: { t0: 2 },
  Newton: { lr: 0.5, damping: 1 },
  LBFGS: { lr: 0.5, historySize: 3, maxIter: 4, lineSearchFn: 'strong_wolfe' },
};

const classes = Object.entries(optim).filter(
  ([, value]) => typeof value === 'function' && value.prototype instanceof Optimizer,
) as [string, OptimizerClass][];

/** f(p) = Σ p² + p⁴/12 + sin(t + 3i + j)·p: its gradient depends on the point and the step. */
function objective(params: Param<FloatArray>[], t: number): number {
  let loss = 0;
  params.forEach((p, i) => {
    for (let j = 0; j < p.data.length; j++) {
      const x = p.data[j];
      const s = Math.sin(t + 3 * i + j);
      loss += x * x + x ** 4 / 12 + s * x;
      p.grad[j] = 2 * x + x ** 3 / 3 + s;
    }
  });
  return loss;
}

function make(name: string, cls: OptimizerClass, params: Param[]): AnyOptimizer {
  const options: Record<string, unknown> = { ...exercised[name] };
  if (name === 'Newton') {
    options.hessian = (ps: Param[]) => {
      const x = ps.flatMap((p) => [...p.data]);
      const h = new Float64Array(x.length * x.length);
      x.forEach((xi, i) => {
        h[i * x.length + i] = 2 + xi * xi;
      });
      return h;
    };
  }
  // L-BFGS takes one group, as PyTorch's; the others get two, with their own learning rates.
  if (name === 'LBFGS') return new cls(params, options);
  return new cls([{ params: [params[0]] }, { params: [params[1]], lr: 0.003 }], options);
}

/**
 * Parameters named and not, as a model has them; `zero` gives fresh ones to load into. Matrices
 * (2 × 2 and 3 × 1) for Muon, which takes no other.
 */
function makeParams(dtype: DType, zero = false, optimizer = ''): Param<FloatArray>[] {
  const values = [
    [0.5, -1.5, 2, 0.25],
    [-0.75, 1, 3],
  ];
  const muon = optimizer === 'Muon';
  return [
    param(zero ? values[0].length : values[0], {
      dtype,
      name: 'layer.weight',
      ...(muon && { shape: [2, 2] }),
    }),
    param(zero ? values[1].length : values[1], { dtype, ...(muon && { shape: [3, 1] }) }),
  ];
}

/** One training step at t: the closure's loss, or the plain gradient then the step. */
function trainStep(
  name: string,
  opt: AnyOptimizer,
  params: Param<FloatArray>[],
  t: number,
): number {
  if (name === 'LBFGS') return opt.step(() => objective(params, t)) as number;
  const loss = objective(params, t);
  opt.step();
  return loss;
}

const bits = (params: Param[]) => params.map((p) => bitsOf(p.data));

describe.each(classes)('%s resumes from a checkpoint bit for bit', (name, cls) => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`with CosineAnnealingLR (${dtype})`, async () => {
      const steps = 9;
      const at = 4;
      const straight = makeParams(dtype, false, name);
      const straightOpt = make(name, cls, straight);
      const straightSched = new CosineAnnealingLR(straightOpt, { TMax: 6, etaMin: 0.001 });
      const straightLosses: number[] = [];
      for (let t = 0; t < steps; t++) {
        straightLosses.push(trainStep(name, straightOpt, straight, t));
        straightSched.step();
      }

      const first = makeParams(dtype, false, name);
      const firstOpt = make(name, cls, first);
      const firstSched = new CosineAnnealingLR(firstOpt, { TMax: 6, etaMin: 0.001 });
      const losses: number[] = [];
      for (let t = 0; t < at; t++) {
        losses.push(trainStep(name, firstOpt, first, t));
        firstSched.step();
      }
      const path = newPath(name);
      await saveCheckpoint(path, {
        params: first,
        optimizer: firstOpt,
        scheduler: firstSched,
        extra: { step: at },
      });

      const resumed = makeParams(dtype, true, name);
      const resumedOpt = make(name, cls, resumed);
      const resumedSched = new CosineAnnealingLR(resumedOpt, { TMax: 6, etaMin: 0.001 });
      const { extra } = await loadCheckpoint(path, {
        params: resumed,
        optimizer: resumedOpt,
        scheduler: resumedSched,
      });
      expect(extra).toEqual({ step: at });
      expect(bits(resumed)).toEqual(bits(first));
      for (let t = at; t < steps; t++) {
        losses.push(trainStep(name, resumedOpt, resumed, t));
        resumedSched.step();
      }
      expect(losses).toEqual(straightLosses);
      expect(bits(resumed)).toEqual(bits(straight));
      expect(JSON.stringify(resumedOpt.stateDict())).toBe(JSON.stringify(straightOpt.stateDict()));
      expect(JSON.stringify(resumedSched.stateDict())).toBe(
        JSON.stringify(straightSched.stateDict()),
      );
    });
  }
});

describe.each([
  [
    'OneCycleLR, Adam',
    'Adam',
    (o: AnyOptimizer) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 12 }),
  ],
  [
    'OneCycleLR, SGD with momentum',
    'SGD',
    (o: AnyOptimizer) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 12, threePhase: true }),
  ],
  [
    'ReduceLROnPlateau, RMSprop',
    'RMSprop',
    (o: AnyOptimizer) => new ReduceLROnPlateau(o, { patience: 1, factor: 0.5, threshold: 0.5 }),
  ],
  [
    'ReduceLROnPlateau, SGD',
    'SGD',
    (o: AnyOptimizer) => new ReduceLROnPlateau(o, { mode: 'max', patience: 0, cooldown: 1 }),
  ],
] as const)('%s resumes bit for bit', (_, name, schedule) => {
  const cls = (optim as unknown as Record<string, OptimizerClass>)[name];
  const stepSchedule = (s: Stateful, loss: number) => {
    if (s instanceof ReduceLROnPlateau) s.step(loss);
    else (s as OneCycleLR).step();
  };

  it.each([3, 7])('saved after step %i (synchronous calls)', (at) => {
    const steps = 11;
    const straight = makeParams('float64');
    const straightOpt = make(name, cls, straight);
    const straightSched = schedule(straightOpt);
    const lrs: number[] = [];
    for (let t = 0; t < steps; t++) {
      stepSchedule(straightSched, trainStep(name, straightOpt, straight, t));
      lrs.push(straightOpt.paramGroups[1].lr as number);
    }
    // The schedule moved (else this would test nothing).
    expect(new Set(lrs).size).toBeGreaterThan(1);

    const first = makeParams('float64');
    const firstOpt = make(name, cls, first);
    const firstSched = schedule(firstOpt);
    for (let t = 0; t < at; t++) stepSchedule(firstSched, trainStep(name, firstOpt, first, t));
    const path = newPath('schedule');
    saveCheckpointSync(path, { params: first, optimizer: firstOpt, scheduler: firstSched });

    const resumed = makeParams('float64', true);
    const resumedOpt = make(name, cls, resumed);
    const resumedSched = schedule(resumedOpt);
    loadCheckpointSync(path, { params: resumed, optimizer: resumedOpt, scheduler: resumedSched });
    for (let t = at; t < steps; t++) {
      stepSchedule(resumedSched, trainStep(name, resumedOpt, resumed, t));
    }
    expect(bits(resumed)).toEqual(bits(straight));
    expect(JSON.stringify(resumedSched.stateDict())).toBe(
      JSON.stringify(straightSched.stateDict()),
    );
    expect(JSON.stringify(resumedOpt.stateDict())).toBe(JSON.stringify(straightOpt.stateDict()));
  });
});

describe('optimizer state in bfloat16 and int8', () => {
  /** Tensors of 700 and 300 elements (int8 at min8bitSize 256) and of 100 (float32 under int8). */
  const build = () => {
    const params = [700, 300, 100].map((n, k) =>
      param(
        Float32Array.from({ length: n }, (_, i) => Math.cos(i + k)),
        { name: `w${k}` },
      ),
    );
    return params;
  };
  const step = (opt: AnyOptimizer, params: Param<FloatArray>[], t: number) => {
    params.forEach((p, k) => {
      for (let i = 0; i < p.data.length; i++)
        p.grad[i] = Math.sin(i * 0.37 + t * 1.3 + k) * (1 + (i % 7));
    });
    opt.step();
  };
  const runs: [string, string, Record<string, unknown>][] = [
    ['Adam, bfloat16', 'Adam', { lr: 0.01, amsgrad: true, stateDtype: 'bfloat16' }],
    [
      'AdamW, bfloat16 stochastic',
      'AdamW',
      { lr: 0.01, stateDtype: 'bfloat16', stochasticRounding: true, seed: 9 },
    ],
    [
      'SGD, bfloat16 stochastic',
      'SGD',
      { lr: 0.01, momentum: 0.9, stateDtype: 'bfloat16', stochasticRounding: true },
    ],
    ['Adam, int8', 'Adam', { lr: 0.01, stateDtype: 'int8', min8bitSize: 256 }],
    ['RMSprop, int8', 'RMSprop', { lr: 0.01, momentum: 0.5, stateDtype: 'int8', min8bitSize: 256 }],
  ];
  for (const [label, name, options] of runs) {
    it(`${label}: the file holds BF16 and U8 tensors, and the run resumes from it bit for bit`, async () => {
      const cls = (optim as unknown as Record<string, OptimizerClass>)[name];
      const straight = build();
      const straightOpt = new cls([{ params: straight, ...options }]);
      for (let t = 0; t < 6; t++) step(straightOpt, straight, t);

      const first = build();
      const firstOpt = new cls([{ params: first, ...options }]);
      for (let t = 0; t < 3; t++) step(firstOpt, first, t);
      const path = newPath('state-dtype');
      await saveCheckpoint(path, { params: first, optimizer: firstOpt });

      // Every array of the state is a tensor of its own type, bits as the state holds them.
      const file = readSpec(readFileSync(path));
      const types = new Set<string>();
      first.forEach((p, i) => {
        for (const [key, value] of Object.entries(firstOpt.state.get(p)!)) {
          if (typeof value === 'number' || value === null) continue;
          const array = value as Float32Array | Uint16Array | Uint8Array;
          const tensor = file.tensors.get(`optimizer.state.${i}.${key}`)!;
          const dtype =
            array instanceof Uint16Array ? 'BF16' : array instanceof Uint8Array ? 'U8' : 'F32';
          types.add(dtype);
          expect(tensor.dtype, `${i}.${key}`).toBe(dtype);
          expect(tensor.bits, `${i}.${key}`).toEqual(bitsOf(array));
          expect(tensor.at % array.BYTES_PER_ELEMENT).toBe(0);
        }
      });
      expect([...types].sort()).toEqual(options.stateDtype === 'int8' ? ['F32', 'U8'] : ['BF16']);

      const resumed = build().map((p) => param(p.data.length, { name: p.name }));
      const resumedOpt = new cls([{ params: resumed, ...options }]);
      await loadCheckpoint(path, { params: resumed, optimizer: resumedOpt });
      expect(JSON.stringify(resumedOpt.stateDict())).toBe(JSON.stringify(firstOpt.stateDict()));
      for (let t = 3; t < 6; t++) step(resumedOpt, resumed, t);
      expect(bits(resumed)).toEqual(bits(straight));
      expect(JSON.stringify(resumedOpt.stateDict())).toBe(JSON.stringify(straightOpt.stateDict()));
    });
  }

  it('a checkpoint with another state dtype is refused, naming both, and nothing changes', () => {
    const params = build();
    const opt = new optim.Adam([{ params, lr: 0.01, stateDtype: 'int8', min8bitSize: 256 }]);
    step(opt, params, 0);
    const path = newPath('state-dtype-other');
    saveCheckpointSync(path, { params, optimizer: opt });
    const target = build();
    const targetOpt = new optim.Adam([{ params: target, lr: 0.01, stateDtype: 'bfloat16' }]);
    step(targetOpt, target, 0);
    const before = JSON.stringify(targetOpt.stateDict());
    const values = bits(target);
    expect(() => loadCheckpointSync(path, { params: target, optimizer: targetOpt })).toThrow(
      /the optimizer refuses its state: .*stateDtype is "int8", the optimizer's group has "bfloat16"/,
    );
    expect(JSON.stringify(targetOpt.stateDict())).toBe(before);
    expect(bits(target)).toEqual(values);
  });
});

describe('the file', () => {
  it('is safetensors as the format describes it, with every array as a tensor', () => {
    const params = [
      param([1.5, -2, Number.NaN, -0], { dtype: 'float64', name: 'encoder.weight', shape: [2, 2] }),
      param([0.25, 3], { dtype: 'float32' }),
      param([7], { dtype: 'float64', name: 'bias' }),
    ];
    const opt = new optim.Adam(params, { amsgrad: true });
    const sched = new StepLR(opt, { stepSize: 2 });
    for (let t = 0; t < 3; t++) {
      for (const p of params) p.grad.fill(0.1 * (t + 1));
      opt.step();
      sched.step();
    }
    const path = newPath('format');
    const extra = { epoch: 3, best: Number.POSITIVE_INFINITY, note: 'ünïcode ✓' };
    saveCheckpointSync(path, { params, optimizer: opt, scheduler: sched, extra });
    const bytes = readFileSync(path);
    const file = readSpec(bytes);

    expect(file.headerLength % 8).toBe(0);
    const names = ['encoder.weight', 'param.1', 'bias'];
    const stateNames = [0, 1, 2].flatMap((i) =>
      ['expAvg', 'expAvgSq', 'maxExpAvgSq'].map((key) => `optimizer.state.${i}.${key}`),
    );
    expect([...file.tensors.keys()].sort()).toEqual([...names, ...stateNames].sort());
    params.forEach((p, i) => {
      const tensor = file.tensors.get(names[i])!;
      expect(tensor.dtype).toBe(p.data instanceof Float64Array ? 'F64' : 'F32');
      // A parameter's tensor has its shape, as PyTorch would read it back.
      expect(tensor.shape).toEqual(i === 0 ? [2, 2] : [p.data.length]);
      expect(tensor.bits).toEqual(bitsOf(p.data));
      expect(tensor.at % p.data.BYTES_PER_ELEMENT).toBe(0);
      const state = opt.state.get(p) as Record<string, Float32Array | Float64Array>;
      for (const key of ['expAvg', 'expAvgSq', 'maxExpAvgSq']) {
        expect(file.tensors.get(`optimizer.state.${i}.${key}`)!.bits).toEqual(bitsOf(state[key]));
      }
    });

    const { metadata } = file;
    expect(Object.keys(metadata).sort()).toEqual([
      'descent.checkpoint',
      'descent.extra',
      'descent.optimizer',
      'descent.params',
      'descent.scheduler',
      'descent.sha256',
    ]);
    expect(metadata['descent.checkpoint']).toBe('1');
    expect(JSON.parse(metadata['descent.params'])).toEqual(names);
    const saved = JSON.parse(metadata['descent.optimizer']);
    expect(saved.class).toBe('Adam');
    expect(saved.stateDict.state['1'].expAvg).toEqual({ $tensor: 'optimizer.state.1.expAvg' });
    expect(saved.stateDict.state['1'].step).toBe(3);
    expect(saved.stateDict.paramGroups[0].lr).toBe(opt.paramGroups[0].lr);
    expect(JSON.parse(metadata['descent.scheduler'])).toEqual({
      class: 'StepLR',
      stateDict: sched.stateDict(),
    });
    expect(JSON.parse(metadata['descent.extra'])).toEqual({
      epoch: 3,
      best: { float: 'Infinity' },
      note: 'ünïcode ✓',
    });
    expect(metadata['descent.sha256']).toBe(specChecksum(bytes));

    const fresh = params.map((p) =>
      param(p.data.length, {
        dtype: p.data instanceof Float64Array ? 'float64' : 'float32',
        name: p.name,
      }),
    );
    const loaded = loadCheckpointSync(path, {
      params: fresh,
      optimizer: new optim.Adam(fresh, { amsgrad: true }),
    });
    expect(loaded.extra).toEqual(extra);
    expect(loaded.metadata['descent.checkpoint']).toBe('1');
  });

  it("records a parameter's shape, and loads by length whatever the shapes", () => {
    const path = newPath('shapes');
    const matrix = param([1, 2, 3, 4, 5, 6], { dtype: 'float64', name: 'w', shape: [2, 3] });
    const optimizer = new optim.Adam([matrix]);
    saveCheckpointSync(path, { params: [matrix], optimizer });
    expect(readSpec(readFileSync(path)).tensors.get('w')!.shape).toEqual([2, 3]);
    // A vector of the same length (as a checkpoint written before shapes holds) takes it.
    const flat = param(6, { dtype: 'float64', name: 'w' });
    loadCheckpointSync(path, { params: [flat], optimizer: new optim.Adam([flat]) });
    expect([...flat.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('names the arrays in lists by their place (L-BFGS history)', () => {
    const params = makeParams('float64');
    const opt = make('LBFGS', optim.LBFGS as unknown as OptimizerClass, params);
    for (let t = 0; t < 3; t++) trainStep('LBFGS', opt, params, t);
    const path = newPath('lbfgs');
    saveCheckpointSync(path, { params, optimizer: opt });
    const names = [...readSpec(readFileSync(path)).tensors.keys()];
    expect(names).toContain('optimizer.state.0.oldDirs.0');
    expect(names).toContain('optimizer.state.0.oldStps.2');
    expect(names).toContain('optimizer.state.0.prevFlatGrad');
  });

  it('an async save takes its snapshot at the call', async () => {
    const params = makeParams('float64');
    const opt = new optim.SGD(params, { lr: 0.1, momentum: 0.9 });
    trainStep('SGD', opt, params, 0);
    const expected = bits(params);
    const path = newPath('snapshot');
    const saving = saveCheckpoint(path, { params, optimizer: opt });
    for (let t = 1; t < 4; t++) trainStep('SGD', opt, params, t);
    await saving;
    const fresh = makeParams('float64', true);
    await loadCheckpoint(path, { params: fresh, optimizer: new optim.SGD(fresh, { lr: 0.1 }) });
    expect(bits(fresh)).toEqual(expected);
  });

  it('refuses to save parameters it could not tell apart, and writes nothing', () => {
    const params = [param(2, { name: 'w' }), param(3, { name: 'w' })];
    const path = newPath('duplicate');
    expect(() => saveCheckpointSync(path, { params, optimizer: new optim.SGD(params) })).toThrow(
      `Cannot save checkpoint ${path}: params[1] and params[0] would both be the tensor "w"`,
    );
    expect(readdirSync(dir).filter((f) => f.includes('duplicate'))).toEqual([]);
  });
});

describe('what is refused, changing nothing', () => {
  /** A live run: what loading a bad file must leave exactly as it is. */
  function live() {
    const params = makeParams('float64');
    const optimizer = new optim.Adam(params, { lr: 0.01 });
    const scheduler = new CosineAnnealingLR(optimizer, { TMax: 10 });
    for (let t = 0; t < 3; t++) {
      trainStep('Adam', optimizer, params, t);
      scheduler.step();
    }
    const snapshot = () =>
      JSON.stringify({
        params: bits(params).map(String),
        optimizer: optimizer.stateDict(),
        scheduler: scheduler.stateDict(),
      });
    return { target: { params, optimizer, scheduler }, before: snapshot(), snapshot };
  }

  /** A good checkpoint of a run like `live()`'s, two steps further on. */
  function goodFile(): Uint8Array {
    const params = makeParams('float64');
    const optimizer = new optim.Adam(params, { lr: 0.01 });
    const scheduler = new CosineAnnealingLR(optimizer, { TMax: 10 });
    for (let t = 0; t < 5; t++) {
      trainStep('Adam', optimizer, params, t);
      scheduler.step();
    }
    const path = newPath('good');
    saveCheckpointSync(path, { params, optimizer, scheduler, extra: { epoch: 5 } });
    return readFileSync(path);
  }
  const good = goodFile();

  async function expectRefused(
    bytes: Uint8Array | string,
    problem: RegExp,
    setup: { target: CheckpointTarget; before: string; snapshot: () => string } = live(),
  ): Promise<void> {
    const path = newPath('bad');
    writeFileSync(path, bytes);
    const { target, before, snapshot } = setup;
    const message = new RegExp(
      `^Invalid checkpoint ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${problem.source}`,
    );
    let error: unknown;
    try {
      await loadCheckpoint(path, target);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).path).toBe(path);
    expect((error as Error).message).toMatch(message);
    expect(() => loadCheckpointSync(path, target)).toThrow(message);
    expect(snapshot()).toBe(before);
  }

  it('the good file loads (so that what follows fails for its own reason)', async () => {
    const { target, before, snapshot } = live();
    const path = newPath('good-copy');
    writeFileSync(path, good);
    expect((await loadCheckpoint(path, target)).extra).toEqual({ epoch: 5 });
    expect(snapshot()).not.toBe(before);
  });

  it('truncated files', async () => {
    const n = Number(Buffer.from(good).readBigUInt64LE(0));
    for (const [length, problem] of [
      [0, /truncated or not a safetensors file: 0 bytes, fewer than the 8 of the header length/],
      [5, /truncated or not a safetensors file: 5 bytes/],
      [8, /truncated or not a safetensors file: the header length is \d+ bytes, and only 0 follow/],
      [8 + n - 1, /truncated or not a safetensors file: the header length/],
      [8 + n, /truncated: its tensors take \d+ bytes after the header, and the file has 0/],
      [8 + n + 13, /truncated: its tensors take \d+ bytes after the header, and the file has 13/],
      [good.length - 1, /truncated: its tensors take \d+ bytes after the header, and the file has/],
    ] as const) {
      await expectRefused(good.subarray(0, length), problem);
    }
  });

  it('corrupted files: a byte changed in the data or in the header', async () => {
    const n = Number(Buffer.from(good).readBigUInt64LE(0));
    for (const at of [8 + n, 8 + n + 40, good.length - 1]) {
      const bad = Buffer.from(good);
      bad[at] ^= 0x01;
      await expectRefused(
        bad,
        /corrupted: its SHA-256 is [0-9a-f]{64}, and it was saved with [0-9a-f]{64}$/,
      );
    }
    // A counter in the optimizer's state, one digit, same length: only the checksum sees it.
    const text = Buffer.from(good).toString('latin1');
    const at = text.indexOf('\\"step\\":5');
    expect(at).toBeGreaterThan(0);
    const bad = Buffer.from(good);
    bad.write('6', at + '\\"step\\":'.length, 'latin1');
    await expectRefused(bad, /corrupted: its SHA-256 is/);
    // The checksum itself.
    const digits = text.indexOf('"descent.sha256":"') + '"descent.sha256":"'.length;
    const badSum = Buffer.from(good);
    badSum.write(badSum[digits] === 0x30 ? '1' : '0', digits, 'latin1');
    await expectRefused(badSum, /corrupted: its SHA-256 is/);
  });

  it('foreign files', async () => {
    await expectRefused('hello, world\n', /truncated or not a safetensors file: the header length/);
    await expectRefused('{"state": {}, "paramGroups": []}', /truncated or not a safetensors file/);
    const noBrace = Buffer.from(good);
    noBrace[8] = 0x20;
    await expectRefused(noBrace, /not a safetensors file: the header does not begin with "\{"/);
    const notJson = writeSpec([], {}).fill(0x7b, 8, 9).fill(0x5b, 9, 10);
    await expectRefused(notJson, /not a safetensors file: its header is not UTF-8 JSON/);
    const tensor = { name: 'w', dtype: 'F64', shape: [1], bytes: new Uint8Array(8) };
    await expectRefused(
      writeSpec([tensor], undefined),
      /not a descent checkpoint \(a safetensors file with no descent\.checkpoint in its metadata\)$/,
    );
    await expectRefused(writeSpec([tensor], { format: 'pt' }), /not a descent checkpoint/);
    await expectRefused(
      writeSpec([tensor], { 'descent.checkpoint': '2' }, { checksum: true }),
      /a descent checkpoint of version "2"; this descent reads version 1$/,
    );
    await expectRefused(
      writeSpec([{ ...tensor, dtype: 'F16', bytes: new Uint8Array(2) }], {
        'descent.checkpoint': '1',
      }),
      /tensor "w" has dtype "F16" \(descent reads F32, F64, BF16 and U8\)$/,
    );
    const big = Buffer.alloc(16);
    big.writeBigUInt64LE(2n ** 63n);
    await expectRefused(
      big,
      /truncated or not a safetensors file: the header length is 9223372036854775808 bytes/,
    );
  });

  it('files whose layout breaks the format', async () => {
    const meta = { 'descent.checkpoint': '1' };
    const t = (name: string, offsets?: [number, number]) => ({
      name,
      dtype: 'F64',
      shape: [1],
      bytes: new Uint8Array(8),
      offsets,
    });
    await expectRefused(
      writeSpec([t('a'), t('b', [16, 24])], meta),
      /not a safetensors file: tensor "b" begins at byte 16 of the data, where 8 was expected \(a gap\)$/,
    );
    await expectRefused(
      writeSpec([t('a', [0, 8]), t('b', [0, 8])], meta),
      /not a safetensors file: tensor "b" begins at byte 0 of the data, where 8 was expected \(an overlap\)$/,
    );
    await expectRefused(
      writeSpec([t('a')], meta, { trailing: new Uint8Array(3) }),
      /not a safetensors file: 3 bytes follow the last tensor$/,
    );
    await expectRefused(
      writeSpec([{ ...t('a'), shape: [2] }], meta),
      /not a safetensors file: tensor "a" spans bytes 0–8, and its shape \[2\] of F64 takes 16$/,
    );
    await expectRefused(
      writeSpec([t('a')], { ...meta, n: 5 as unknown as string }),
      /not a safetensors file: __metadata__ entry "n" is not a string$/,
    );
  });

  it('checkpoints that do not fit the parameters', async () => {
    const saved = (params: Param<FloatArray>[]) => {
      const optimizer = new optim.Adam(params, { lr: 0.01 });
      const scheduler = new CosineAnnealingLR(optimizer, { TMax: 10 });
      trainStep('Adam', optimizer, params, 0);
      const path = newPath('other');
      saveCheckpointSync(path, { params, optimizer, scheduler });
      return readFileSync(path);
    };
    const [weight, second] = makeParams('float64');
    await expectRefused(
      saved([weight]),
      /it holds 1 parameters \("layer\.weight"\), and 2 were given$/,
    );
    await expectRefused(
      saved([weight, second, param(2, { dtype: 'float64', name: 'extra' })]),
      /it holds 3 parameters \("layer\.weight", "param\.1", "extra"\), and 2 were given$/,
    );
    await expectRefused(
      saved([param(weight.data, { name: 'layer.bias' }), second]),
      /parameter 0 is "layer\.bias" in the checkpoint, and "layer\.weight" here$/,
    );
    await expectRefused(
      saved([weight, param(second.data, { dtype: 'float64', name: 'bias' })]),
      /parameter 1 is "bias" in the checkpoint, and "param\.1" here$/,
    );
    await expectRefused(
      saved([weight, param(second.data, { dtype: 'float32' })]),
      /parameter "param\.1" is F32 in the checkpoint, and F64 \(float64\) here$/,
    );
    await expectRefused(
      saved([weight, param(5, { dtype: 'float64' })]),
      /parameter "param\.1" has 5 elements in the checkpoint, and 3 here$/,
    );
  });

  it('checkpoints of another optimizer or scheduler, or state they refuse', async () => {
    const save = (contents: (params: Param[]) => { optimizer: Stateful; scheduler?: Stateful }) => {
      const params = makeParams('float64');
      const path = newPath('other');
      saveCheckpointSync(path, { params, ...contents(params) });
      return readFileSync(path);
    };
    await expectRefused(
      save((params) => ({ optimizer: new optim.SGD(params, { lr: 0.01 }) })),
      /its optimizer is SGD, and the optimizer given is Adam$/,
    );
    await expectRefused(
      save((params) => ({ optimizer: new optim.Adam(params) })),
      /it has no scheduler state, and a scheduler was given$/,
    );
    await expectRefused(
      save((params) => {
        const optimizer = new optim.Adam(params);
        return { optimizer, scheduler: new StepLR(optimizer, { stepSize: 3 }) };
      }),
      /its scheduler is StepLR, and the scheduler given is CosineAnnealingLR$/,
    );
    const twoGroups = save((params) => ({
      optimizer: new optim.Adam([{ params: [params[0]] }, { params: [params[1]] }]),
    }));
    const withoutScheduler = live();
    await expectRefused(
      twoGroups,
      /the optimizer refuses its state: Invalid state dict: it has 2 parameter groups, the optimizer 1$/,
      { ...withoutScheduler, target: { ...withoutScheduler.target, scheduler: undefined } },
    );
    // A scheduler that refuses its state.
    const refusing = {
      stateDict: () => ({ phase: 1 }),
      loadStateDict: () => {
        throw new RangeError('Invalid state dict: phase 1 is unknown');
      },
    };
    const setup = live();
    await expectRefused(
      save((params) => ({ optimizer: new optim.Adam(params), scheduler: refusing })),
      /the scheduler refuses its state: Invalid state dict: phase 1 is unknown$/,
      {
        ...setup,
        target: { ...setup.target, scheduler: refusing },
      },
    );
    // The scheduler takes its state, then the optimizer refuses its own: the scheduler goes back.
    class Phase {
      phase = 'saved';
      stateDict() {
        return { phase: this.phase };
      }
      loadStateDict(stateDict: { phase: string }) {
        this.phase = stateDict.phase;
      }
    }
    const phased = save((params) => ({
      optimizer: new optim.Adam([{ params: [params[0]] }, { params: [params[1]] }]),
      scheduler: new Phase(),
    }));
    const scheduler = new Phase();
    scheduler.phase = 'live';
    const other = live();
    await expectRefused(
      phased,
      /the optimizer refuses its state: Invalid state dict: it has 2 parameter groups, the optimizer 1$/,
      {
        ...other,
        target: { ...other.target, scheduler },
      },
    );
    expect(scheduler.phase).toBe('live');
  });

  it('forged checkpoints with a valid checksum', async () => {
    const weight = { name: 'layer.weight', dtype: 'F64', shape: [4], bytes: new Uint8Array(32) };
    const other = { name: 'param.1', dtype: 'F64', shape: [3], bytes: new Uint8Array(24) };
    const optimizerOf = (stateDict: unknown) => JSON.stringify({ class: 'Adam', stateDict });
    const base = {
      'descent.checkpoint': '1',
      'descent.params': '["layer.weight","param.1"]',
      'descent.scheduler': JSON.stringify({
        class: 'CosineAnnealingLR',
        stateDict: live().target.scheduler.stateDict(),
      }),
    };
    const groups = [{ ...(live().target.optimizer.stateDict().paramGroups[0] as object) }];
    const forge = (metadata: Record<string, string>, tensors = [weight, other]) =>
      writeSpec(tensors, { ...base, ...metadata }, { checksum: true });
    await expectRefused(
      forge({ 'descent.optimizer': optimizerOf({ state: {}, paramGroups: groups }) }, [
        weight,
        other,
        { ...other, name: 'stray' },
      ]),
      /its tensor "stray" belongs to nothing in it$/,
    );
    await expectRefused(
      forge({
        'descent.optimizer': optimizerOf({
          state: { 0: { step: 1, expAvg: { $tensor: 'nowhere' } } },
          paramGroups: groups,
        }),
      }),
      /its descent\.optimizer refers to a tensor "nowhere" that it does not have$/,
    );
    await expectRefused(
      forge({
        'descent.optimizer': `{"class":"Adam","stateDict":{"state":{"0":{"__proto__":{"polluted":true}}},"paramGroups":${JSON.stringify(groups)}}}`,
      }),
      /the optimizer refuses its state: Invalid key in state\.0: "__proto__"$/,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await expectRefused(
      forge({ 'descent.optimizer': '{"class":' }),
      /its metadata descent\.optimizer is not JSON$/,
    );
    await expectRefused(
      forge({
        'descent.optimizer': optimizerOf({ state: {}, paramGroups: [] }),
        'descent.params': '"w"',
      }),
      /its metadata descent\.params is not a list of names$/,
    );
    await expectRefused(
      forge({
        'descent.optimizer': optimizerOf({ state: {}, paramGroups: groups }),
        'descent.extra': '{"constructor":1}',
      }),
      /its metadata descent\.extra: Invalid key in extra: "constructor"$/,
    );
  });

  it('a checkpoint with a scheduler loads without one', () => {
    const path = newPath('no-scheduler');
    writeFileSync(path, good);
    const params = makeParams('float64', true);
    const optimizer = new optim.Adam(params, { lr: 0.01 });
    expect(loadCheckpointSync(path, { params, optimizer }).extra).toEqual({ epoch: 5 });
    expect(optimizer.state.get(params[0])?.step).toBe(5);
  });
});
