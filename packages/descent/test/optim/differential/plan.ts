import fc from 'fast-check';
import type { GroupSpec, RunSpec, Storage, TensorSpec } from './runner.js';

/**
 * What the differential suite generates: runs (`RunSpec`) and scenarios, the sequences of what
 * users do around them, executed by scenario.ts.
 */

/**
 * Every elementwise optimizer, with settings that reach each branch of its kernels: momentum
 * kinds, weight decay coupled and decoupled, maximize, AMSGrad, centering, betas below 0.5, RAdam
 * before and after rectification, ASGD before and after averaging starts; and L-BFGS. (Newton,
 * whose Hessian is a function of the user's, is left out.) The options of a run may change
 * between steps as well (`cycle` and `late` in runner.ts).
 */
export const variants: [string, Record<string, unknown>][] = [
  ['SGD', { lr: 0.05 }],
  ['SGD', { lr: 0.05, momentum: 0.9 }],
  ['SGD', { lr: 0.05, momentum: 0.9, dampening: 0.2, weightDecay: 0.1 }],
  ['SGD', { lr: 0.05, momentum: 0.8, nesterov: true, maximize: true }],
  ['SGD', { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01 }],
  ['Adagrad', { lr: 0.05 }],
  ['Adagrad', { lr: 0.05, lrDecay: 0.1, weightDecay: 0.1, initialAccumulatorValue: 0.1 }],
  ['Adagrad', { lr: 0.05, maximize: true, eps: 1e-6 }],
  ['RMSprop', { lr: 0.01 }],
  ['RMSprop', { lr: 0.01, momentum: 0.9 }],
  ['RMSprop', { lr: 1e-3, centered: true, momentum: 0.9, weightDecay: 0.1, maximize: true }],
  ['RMSprop', { lr: 0.01, alpha: 0.3, centered: true }],
  ['Adadelta', {}],
  ['Adadelta', { lr: 0.5, rho: 0.6, weightDecay: 0.1, maximize: true }],
  ['Adam', { lr: 0.01 }],
  ['Adam', { lr: 0.01, amsgrad: true }],
  ['Adam', { lr: 0.01, amsgrad: true, weightDecay: 0.1, maximize: true }],
  ['Adam', { lr: 0.01, betas: [0.3, 0.9], weightDecay: 0.05, decoupledWeightDecay: true }],
  ['AdamW', { lr: 1e-3, weightDecay: 0.01 }],
  ['AdamW', { lr: 0.01, weightDecay: 0.1, amsgrad: true, maximize: true }],
  ['Adamax', { lr: 0.01 }],
  ['Adamax', { lr: 0.01, weightDecay: 0.1 }],
  ['Adamax', { lr: 0.01, betas: [0.2, 0.9], maximize: true }],
  ['NAdam', { lr: 0.01 }],
  ['NAdam', { lr: 0.01, weightDecay: 0.1, momentumDecay: 0.01 }],
  ['NAdam', { lr: 0.01, weightDecay: 0.1, decoupledWeightDecay: true, betas: [0.4, 0.99] }],
  ['RAdam', { lr: 0.01 }],
  ['RAdam', { lr: 0.01, weightDecay: 0.1, maximize: true }],
  ['RAdam', { lr: 0.01, weightDecay: 0.1, decoupledWeightDecay: true, betas: [0.3, 0.9] }],
  ['Yogi', { lr: 0.01 }],
  ['Yogi', { lr: 0.01, weightDecay: 0.1 }],
  ['Yogi', { lr: 0.01, maximize: true, eps: 1e-6 }],
  ['Rprop', { lr: 0.01 }],
  ['Rprop', { lr: 0.01, etas: [0.3, 1.5], stepSizes: [1e-3, 0.02], maximize: true }],
  ['ASGD', { lr: 0.01 }],
  ['ASGD', { lr: 0.01, t0: 2, lambd: 0.01, weightDecay: 0.1 }],
  ['ASGD', { lr: 0.02, t0: 0, alpha: 0.5, maximize: true }],
  ['Lion', { lr: 1e-3 }],
  ['Lion', { lr: 1e-3, betas: [0.5, 0.9], weightDecay: 0.5, maximize: true }],
  ['LAMB', { lr: 0.01 }],
  ['LAMB', { lr: 0.01, weightDecay: 0.1, epsRoot: 1e-8, maximize: true }],
  // The suite's tensors have no shape: Adafactor's are vectors (matrices: adafactor.test.ts).
  ['Adafactor', {}],
  ['Adafactor', { lr: 0.05, weightDecay: 0.1, eps: [1e-20, 1e-2], d: 2, maximize: true }],
  // Not elementwise: one group of one element type, gradients from a closure (runner.ts).
  ['LBFGS', { lr: 1, maxIter: 4 }],
  ['LBFGS', { lr: 0.5, maxIter: 4, historySize: 3, lineSearchFn: 'strong_wolfe' }],
];

/** The most elements an L-BFGS run steps. */
const LBFGS_ELEMENTS = 50_000;

/** The thread threshold's default: steps of at least 2^19 elements are shared between threads. */
export const THRESHOLD = 1 << 19;

/** How big the generated cases get. The soak raises them (scripts/soak.mjs). */
export interface Scale {
  /** Most tensors per optimizer (over all its groups). */
  maxTensors: number;
  /** Relative frequency of a tensor around and above the thread threshold, against 1000. */
  bigPerMille: number;
  maxSteps: number;
  maxRuns: number;
  maxOps: number;
}

export const quick: Scale = { maxTensors: 50, bigPerMille: 4, maxSteps: 8, maxRuns: 3, maxOps: 14 };
/** The soak also goes past 64 tensors, the rows of the first step table (batch.ts). */
export const soak: Scale = {
  maxTensors: 150,
  bigPerMille: 25,
  maxSteps: 20,
  maxRuns: 4,
  maxOps: 40,
};

/** Lengths: mostly small, around the kernels' 4-vector blocks, sometimes past the threshold. */
function size(scale: Scale): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 500, arbitrary: fc.integer({ min: 1, max: 70 }) },
    { weight: 350, arbitrary: fc.integer({ min: 1, max: 2500 }) },
    { weight: 150 - scale.bigPerMille, arbitrary: fc.integer({ min: 2500, max: 40_000 }) },
    {
      weight: scale.bigPerMille,
      arbitrary: fc.oneof(
        fc.constantFrom(THRESHOLD - 1, THRESHOLD, THRESHOLD + 1, THRESHOLD + 17),
        fc.integer({ min: THRESHOLD - 100, max: THRESHOLD + 100_000 }),
      ),
    },
  );
}

const storage: fc.Arbitrary<Storage> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('arena' as const) },
  { weight: 2, arbitrary: fc.constant('plain' as const) },
  { weight: 1, arbitrary: fc.constant('plainGrad' as const) },
);

function tensor(scale: Scale): fc.Arbitrary<TensorSpec> {
  return fc.record({
    n: size(scale),
    dtype: fc.constantFrom('float32' as const, 'float64' as const),
    storage,
  });
}

/** One to three groups, 1 to `maxTensors` tensors in all; a group may have its own lr. */
function groups(scale: Scale): fc.Arbitrary<GroupSpec[]> {
  const count = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 6 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: scale.maxTensors }) },
  );
  return fc
    .tuple(fc.integer({ min: 1, max: 3 }), count)
    .chain(([g, n]) =>
      fc.tuple(
        fc.array(tensor(scale), { minLength: n, maxLength: n }),
        fc.array(fc.constantFrom(1, 1, 0.5, 2), { minLength: g, maxLength: g }),
        fc.array(fc.nat(), { minLength: g - 1, maxLength: g - 1 }),
      ),
    )
    .map(([tensors, lrFactors, cuts]) => {
      // Split the tensors into the groups at sorted cut points (a group may get none: dropped).
      const points = cuts.map((c) => c % (tensors.length + 1)).sort((a, b) => a - b);
      const bounds = [0, ...points, tensors.length];
      const out: GroupSpec[] = [];
      for (let i = 0; i + 1 < bounds.length; i++) {
        const part = tensors.slice(bounds[i], bounds[i + 1]);
        if (part.length === 0) continue;
        out.push({ tensors: part, options: lrFactors[i] === 1 ? {} : { lrFactor: lrFactors[i] } });
      }
      return out;
    });
}

/** A group's `lrFactor` (a generator's device) becomes its lr: the optimizer's lr times it. */
export function resolveGroups(optimizer: string, options: Record<string, unknown>, g: GroupSpec[]) {
  const base = (options.lr as number | undefined) ?? defaultLr[optimizer];
  return g.map(({ tensors, options: o }) => ({
    tensors,
    options: o.lrFactor === undefined ? {} : { lr: base * (o.lrFactor as number) },
  }));
}

const defaultLr: Record<string, number> = { Adadelta: 1, Adam: 1e-3, AdamW: 1e-3 };

export function runSpec(scale: Scale, variant?: number): fc.Arbitrary<RunSpec> {
  return fc
    .record({
      variant: variant === undefined ? fc.nat(variants.length - 1) : fc.constant(variant),
      groups: groups(scale),
      steps: fc.integer({ min: 1, max: scale.maxSteps }),
      seed: fc.nat(),
      values: fc.constantFrom('noise' as const, 'noise' as const, 'wide' as const),
      skips: fc.boolean(),
      decay: fc.boolean(),
      cycle: fc.boolean(),
      late: fc.boolean(),
    })
    .map(({ variant: v, groups: g, steps, seed, values, skips, decay, cycle, late }) => {
      const [optimizer, options] = variants[v];
      if (optimizer === 'LBFGS') {
        // One group, its tensors all of the first one's element type, 50,000 elements at most:
        // its history holds up to 2 · historySize vectors of them (and is saved whole).
        const { dtype } = g[0].tensors[0];
        let room = LBFGS_ELEMENTS;
        const tensors: TensorSpec[] = [];
        for (const t of g.flatMap((group) => group.tensors)) {
          if (room === 0) break;
          const n = Math.min(t.n, room);
          room -= n;
          tensors.push({ ...t, n, dtype });
        }
        g = [{ tensors, options: {} }];
      }
      return {
        optimizer,
        options,
        groups: resolveGroups(optimizer, options, g),
        steps,
        seed,
        values,
        skips,
        decay,
        cycle,
        late,
      };
    });
}

/** A thread configuration: threads 1..4, and a threshold that may share even tiny steps. */
export interface ThreadConfig {
  threads: number;
  parallelThreshold: number;
}

export const threadConfig: fc.Arbitrary<ThreadConfig> = fc.record({
  threads: fc.integer({ min: 1, max: 4 }),
  parallelThreshold: fc.constantFrom(THRESHOLD, THRESHOLD, 0, 1, 1000, 50_000),
});

/**
 * What happens between steps. `step` advances an execution (starting it on its first step);
 * `drop` abandons one mid-run; `reload` saves its state (through JSON text or not) and goes on
 * with a fresh optimizer over fresh parameters; `gc` collects garbage and waits for the arena's
 * finalizers; `sleep` awaits a timeout; `threads` reconfigures the kernels.
 */
export type Op =
  | { op: 'step'; execution: number }
  | { op: 'drop'; execution: number }
  | { op: 'reload'; execution: number; json: boolean }
  | { op: 'gc' }
  | { op: 'sleep'; ms: number }
  | ({ op: 'threads' } & ThreadConfig);

/**
 * A scenario: distinct runs; executions of them (each run at least once; a run may be executed
 * twice at once, or again after it ended); the operations, interleaved; the configuration each
 * run's child process uses; whether each run's TypeScript reference keeps its arrays in the arena.
 */
export interface Scenario {
  runs: RunSpec[];
  executions: number[];
  ops: Op[];
  start: ThreadConfig;
  child: ThreadConfig[];
  referenceArena: boolean[];
}

function op(executions: number): fc.Arbitrary<Op> {
  const execution = fc.nat(executions - 1);
  return fc.oneof(
    { weight: 12, arbitrary: fc.record({ op: fc.constant('step' as const), execution }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('drop' as const), execution }) },
    {
      weight: 3,
      arbitrary: fc.record({ op: fc.constant('reload' as const), execution, json: fc.boolean() }),
    },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('gc' as const) }) },
    {
      weight: 2,
      arbitrary: fc.record({ op: fc.constant('sleep' as const), ms: fc.constantFrom(0, 1, 20) }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constant('threads' as const), threadConfig).map(([o, c]) => ({
        op: o,
        ...c,
      })),
    },
  );
}

/** A scenario; with `variant`, its first run is of that variant (index in `variants`). */
export function scenario(scale: Scale, variant?: number): fc.Arbitrary<Scenario> {
  return fc
    .integer({ min: 1, max: scale.maxRuns })
    .chain((m) =>
      fc.tuple(
        fc
          .tuple(
            runSpec(scale, variant),
            fc.array(runSpec(scale), { minLength: m - 1, maxLength: m - 1 }),
          )
          .map(([head, tail]) => [head, ...tail]),
        fc.array(fc.nat(m - 1), { maxLength: m }),
        fc.array(threadConfig, { minLength: m, maxLength: m }),
        fc.array(fc.boolean(), { minLength: m, maxLength: m }),
        threadConfig,
      ),
    )
    .chain(([runs, extra, child, referenceArena, start]) => {
      const executions = [...runs.keys(), ...extra];
      return fc
        .array(op(executions.length), { maxLength: scale.maxOps })
        .map((ops) => ({ runs, executions, ops, start, child, referenceArena }));
    });
}
