import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FloatArray, type Param, param } from '../../src/core/param.js';
import { decode, encode } from '../../src/core/serialize.js';
import * as optim from '../../src/optim/index.js';
import { Optimizer } from '../../src/optim/optimizer.js';
import {
  applyTreeMutation,
  at,
  type Json,
  sites,
  type TreeMutation,
  treeMutations,
} from '../json-mutations.js';

/**
 * Loading under fuzzing: thousands of state dicts made by mutating a real one (numbers turned to
 * NaN, -1, infinities or text, keys deleted or added, prototype keys, arrays swapped, resized or
 * retyped, indices and names permuted, duplicated or out of range). Each must either load exactly
 * what it says, and then step to finite parameters (the same as the unmutated state dict's step
 * when the mutation only renumbers or reorders consistently), or throw a TypeError or RangeError
 * and leave the optimizer as it was. Never another exception, a prototype changed, or a loaded
 * state that fails at the next step.
 */

type AnyOptimizer = Optimizer<object>;
type OptimizerClass = new (params: unknown, options?: unknown) => AnyOptimizer;

const classes = Object.entries(optim).filter(
  ([, value]) => typeof value === 'function' && value.prototype instanceof Optimizer,
) as [string, OptimizerClass][];

/** Options that make each optimizer build all of its state. */
const exercised: Record<string, Record<string, unknown>> = {
  SGD: { lr: 0.05, momentum: 0.9, weightDecay: 0.01 },
  Adam: { amsgrad: true, weightDecay: 0.01 },
  AdamW: { amsgrad: true },
  RMSprop: { centered: true, momentum: 0.5 },
  Adagrad: { lrDecay: 0.01, initialAccumulatorValue: 0.1 },
  ASGD: { t0: 1 },
  LBFGS: { maxIter: 3, historySize: 3 },
  Newton: {
    lr: 0.5,
    damping: 1,
    // Hessian of the loss below: diagonal 2 + x², over the concatenated parameters.
    hessian: (ps: Param[]) => {
      const x = ps.flatMap((p) => [...p.data]);
      const h = new Float64Array(x.length * x.length);
      x.forEach((xi, i) => {
        h[i * x.length + i] = 2 + xi * xi;
      });
      return h;
    },
  },
};

/** The loss Σ x² + x⁴/12 + s x, s fixed per element and shifted by t: its gradient. */
function writeGradients(params: Param<FloatArray>[], t: number): number {
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

function setup(name: string, cls: OptimizerClass) {
  // Matrices for Muon (2 × 2, 3 × 1, 1 × 2), which takes no other; vectors for the rest.
  const muon = name === 'Muon';
  const params = [
    param([0.5, -1.5, 2, 0.25], { dtype: 'float64', name: 'a', ...(muon && { shape: [2, 2] }) }),
    param([-0.75, 1, 3], { dtype: 'float64', name: 'b', ...(muon && { shape: [3, 1] }) }),
    param([0.1, -0.2], { dtype: 'float64', name: 'c', ...(muon && { shape: [1, 2] }) }),
  ];
  const groups =
    name === 'LBFGS'
      ? [{ params }]
      : [{ params: [params[0], params[1]] }, { params: [params[2]], lr: 0.003 }];
  const opt = new cls(groups, exercised[name] ?? {});
  const step = (t: number) => {
    if (name === 'LBFGS') opt.step(() => writeGradients(params, t));
    else {
      // A Schedule-Free state may load in eval mode (x in the parameters), where a step is
      // refused: a training loop calls train() first, which does nothing in train mode.
      if ('train' in opt && typeof opt.train === 'function') opt.train();
      writeGradients(params, t);
      opt.step();
    }
  };
  return { opt, params, step };
}

const bits = (params: Param[]) =>
  params.map((p) => [...new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength)]);

const f64 = (values: number[]) => encodeArray(new Float64Array(values));
const f32 = (values: number[]) => encodeArray(new Float32Array(values));
function encodeArray(array: Float32Array | Float64Array): Json {
  return JSON.parse(JSON.stringify(encode(array)));
}

/** What a mutation may write in place of a value. */
const replacements: Json[] = [
  { float: 'NaN' },
  -1,
  { float: 'Infinity' },
  { float: '-Infinity' },
  { float: '-0' },
  1.5,
  0,
  1,
  2,
  1e300,
  'x',
  '1',
  null,
  true,
  false,
  [],
  {},
  [0.5, 1],
  f64([]),
  f64([0.5, -1, 2]),
  f64([0.25, 0.5, 1, 2]),
  f64([-0.5, 1]),
  f32([0.25, 0.5, 1, 2]),
  { dtype: 'float16', base64: '' },
  { dtype: 'float64', base64: '!!!!' },
  { dtype: 'float64', base64: 'AAAA' },
  { float: 'nan' },
  { float: 1 },
];

/** Keys a mutation may add to an object. */
const addedKeys = ['extra', '__proto__', 'constructor', 'prototype', 'toString', 'step', 'expAvg'];

type Mutation =
  | TreeMutation
  | { kind: 'resize'; site: number; grow: boolean; retype: boolean }
  | { kind: 'relabel'; order: number[] }
  | { kind: 'reorderNamed'; group: number; order: number[] }
  | { kind: 'reorderIndices'; group: number; order: number[] };

/** Mutations that keep the state dict's meaning: each parameter keeps its state and group. */
const meaningKept = new Set(['relabel', 'reorderNamed']);

const mutation: fc.Arbitrary<Mutation> = fc.oneof<fc.MaybeWeightedArbitrary<Mutation>[]>(
  ...treeMutations(replacements.length, addedKeys.length),
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('resize' as const),
      site: fc.nat(),
      grow: fc.boolean(),
      retype: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('relabel' as const),
      order: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
    }),
  },
  ...(['reorderNamed', 'reorderIndices'] as const).map((kind) => ({
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant(kind),
      group: fc.nat(1),
      order: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
    }),
  })),
);

/** The permutation that sorts `keys` (ties by position): a permutation of keys.length items. */
function permutation(keys: number[], n: number): number[] {
  return Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (keys[a % keys.length] ?? 0) - (keys[b % keys.length] ?? 0) || a - b,
  );
}

/** Whether the groups still list their parameters (and names), so that renumbering applies. */
function wellFormed(dict: Json): boolean {
  return (
    dict.state !== null &&
    typeof dict.state === 'object' &&
    Array.isArray(dict.paramGroups) &&
    dict.paramGroups.length > 0 &&
    dict.paramGroups.every(
      (g: Json) =>
        g !== null &&
        Array.isArray(g.params) &&
        g.params.every((i: unknown) => Number.isInteger(i)) &&
        Array.isArray(g.paramNames) &&
        g.paramNames.length === g.params.length,
    )
  );
}

function apply(dict: Json, m: Mutation): void {
  if ((m.kind === 'relabel' || m.kind.startsWith('reorder')) && !wellFormed(dict)) return;
  if (m.kind === 'relabel') {
    const n = dict.paramGroups.reduce((sum: number, g: Json) => sum + g.params.length, 0);
    const to = permutation(m.order, n);
    for (const group of dict.paramGroups) group.params = group.params.map((i: number) => to[i]);
    dict.state = Object.fromEntries(
      Object.entries(dict.state).map(([key, value]) => [String(to[Number(key)]), value]),
    );
    return;
  }
  if (m.kind === 'reorderNamed' || m.kind === 'reorderIndices') {
    const group = dict.paramGroups[m.group % dict.paramGroups.length];
    const order = permutation(m.order, group.params.length);
    group.params = order.map((k) => group.params[k]);
    if (m.kind === 'reorderNamed') group.paramNames = order.map((k) => group.paramNames[k]);
    return;
  }
  if (m.kind !== 'resize') {
    const all = sites(dict).map((path) => ['root', ...path]);
    applyTreeMutation({ root: dict }, m, all, replacements, addedKeys);
    return;
  }
  const all = sites(dict);
  if (all.length === 0) return;
  const path = all[m.site % all.length];
  const target = at(dict, path);
  if (target === null || typeof target !== 'object' || typeof target.base64 !== 'string') {
    return;
  }
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(target.base64), (c) => c.charCodeAt(0));
  } catch {
    return;
  }
  const width = target.dtype === 'float32' ? 4 : 8;
  const grown = new Uint8Array(Math.max(0, bytes.length + (m.grow ? width : -width)));
  grown.set(bytes.subarray(0, grown.length));
  target.base64 = btoa(String.fromCharCode(...grown));
  if (m.retype) target.dtype = target.dtype === 'float32' ? 'float64' : 'float32';
}

/** The parameter each saved index now belongs to, as the state dict says (after loading). */
function expectedTargets(opt: AnyOptimizer, dict: Json): Map<number, Param> {
  const own = opt.paramGroups.flatMap((g) => g.params);
  const groups = decode(dict.paramGroups, 'paramGroups') as Json[];
  const names = groups.flatMap((g: Json) => g.paramNames ?? []);
  const byName =
    groups.every((g: Json) => Array.isArray(g.paramNames) || g.params.length === 0) &&
    names.length > 0 &&
    new Set(names).size === names.length;
  const targets = new Map<number, Param>();
  groups.forEach((group: Json, g: number) => {
    group.params.forEach((i: number, k: number) => {
      targets.set(
        i,
        byName ? own.find((p) => p.name === group.paramNames[k])! : opt.paramGroups[g].params[k],
      );
    });
  });
  return targets;
}

const json = (value: unknown) => JSON.stringify(encode(value));

/** Loaded exactly: each parameter's state and each group's options are the state dict's. */
function expectLoadedExactly(opt: AnyOptimizer, dict: Json): void {
  const targets = expectedTargets(opt, dict);
  const withState = new Set<Param>();
  for (const [key, entry] of Object.entries(dict.state)) {
    const p = targets.get(Number(key))!;
    withState.add(p);
    expect(json(opt.state.get(p))).toBe(json(decode(entry, 'state')));
  }
  for (const p of opt.paramGroups.flatMap((g) => g.params)) {
    expect(opt.state.has(p)).toBe(withState.has(p));
  }
  dict.paramGroups.forEach((group: Json, g: number) => {
    for (const [key, value] of Object.entries(group)) {
      if (key === 'params' || key === 'paramNames') continue;
      expect(json(opt.paramGroups[g][key])).toBe(json(decode(value, 'group')));
    }
  });
}

const prototypeNames = () =>
  [Object.prototype, Array.prototype, Function.prototype].map((proto) =>
    Object.getOwnPropertyNames(proto).join(),
  );

const runs = Number(process.env.LOAD_STATE_RUNS ?? 300);
const seed =
  process.env.LOAD_STATE_SEED === undefined ? undefined : Number(process.env.LOAD_STATE_SEED);

describe.each(classes)('%s loading mutated state dicts', (name, cls) => {
  it('loads exactly and steps, or refuses with a TypeError or RangeError and changes nothing', () => {
    const { opt, params, step } = setup(name, cls);
    for (let t = 0; t < 3; t++) step(t);
    const good: Json = JSON.parse(JSON.stringify(opt.stateDict()));
    expect(good.paramGroups[0].paramNames).toBeDefined();
    const start = params.map((p) => p.data.slice());
    const restore = () => {
      params.forEach((p, i) => {
        p.data.set(start[i]);
      });
      opt.loadStateDict(good);
    };
    restore();
    step(3);
    const reference = bits(params);
    const prototypes = prototypeNames();
    const outcomes = { loaded: 0, refused: 0, kept: 0 };

    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        restore();
        const dict = structuredClone(good);
        for (const m of mutations) apply(dict, m);
        const kept = mutations.every((m) => meaningKept.has(m.kind));
        const groups = opt.paramGroups;
        const state = opt.state;
        const before = JSON.stringify(opt.stateDict());
        let loaded = false;
        try {
          opt.loadStateDict(dict);
          loaded = true;
        } catch (error) {
          if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
          expect(error.message).toMatch(/^Invalid /);
          expect(opt.paramGroups).toBe(groups);
          expect(opt.state).toBe(state);
          expect(JSON.stringify(opt.stateDict())).toBe(before);
          expect(kept, `refused a state dict that keeps its meaning: ${error.message}`).toBe(false);
        }
        expect(prototypeNames()).toEqual(prototypes);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        for (const group of opt.paramGroups) {
          expect(Object.getPrototypeOf(group)).toBe(Object.prototype);
        }
        if (!loaded) {
          outcomes.refused++;
          return;
        }
        outcomes.loaded++;
        expectLoadedExactly(opt, dict);
        step(3);
        // A finite number of its kind may still overflow (1e300 for a step length): arithmetic's
        // doing, not loading's. Anything else that loads must leave the parameters finite.
        // So may Muon's Newton–Schulz iteration, whose polynomial of other coefficients than its
        // own (PyTorch takes any) may grow without bound.
        const huge =
          mutations.some((m) => 'value' in m && replacements[m.value] === 1e300) ||
          (name === 'Muon' &&
            opt.paramGroups.some(
              (g) =>
                JSON.stringify(g.nsCoefficients) !==
                JSON.stringify((opt.defaults as { nsCoefficients?: unknown }).nsCoefficients),
            ));
        for (const p of params) {
          if (!huge) expect(p.data.every(Number.isFinite), JSON.stringify(dict)).toBe(true);
        }
        // What a step makes of a state that loaded loads again.
        if (!huge) opt.loadStateDict(JSON.parse(JSON.stringify(opt.stateDict())));
        if (kept) {
          outcomes.kept++;
          expect(bits(params)).toEqual(reference);
        }
      }),
      { numRuns: runs, seed },
    );
    // The mutations reach both outcomes, and the meaning-keeping ones load.
    expect(outcomes.refused).toBeGreaterThan(runs / 4);
    expect(outcomes.loaded).toBeGreaterThan(runs / 50);
    expect(outcomes.kept).toBeGreaterThan(0);
  });
});
