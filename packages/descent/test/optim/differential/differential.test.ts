import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as descent from '../../../src/index.js';
import { type ChildProgram, limiter, transpile } from './build.js';
import { quick, type Scale, type Scenario, scenario, soak, THRESHOLD, variants } from './plan.js';
import type { Lib, RunSpec } from './runner.js';
import { checkScenario, collect, reached, sleep } from './scenario.js';

/**
 * The differential suite: randomized scenarios of what users do (parameter groups of 1–50
 * tensors, float32 and float64, in the arena and in ordinary arrays, steps, checkpoints through
 * `stateDict()` and JSON, dropped optimizers, garbage collections, timeouts, thread counts and
 * thresholds), each run compared bit for bit with its first execution in this process and with
 * the same run in a fresh process, and to tolerance with the TypeScript kernels (scenario.ts).
 * It guards against the bug of 523ca47: the arena handed out memory freed by a collected run
 * without zeroing it, so the same run gave other numbers the second time.
 *
 * Runs in its own Vitest project, `differential`, whose worker has `--expose-gc`:
 *   npx vitest run --project differential
 * Deterministic: fast-check's seed is fixed (DESCENT_DIFF_SEED overrides it). A failure prints
 * the seed and the shrunk scenario, and writes that scenario to a JSON file, which
 * DESCENT_DIFF_REPLAY=<file> npx vitest run --project differential -t replay runs alone.
 * DESCENT_DIFF_RUNS raises the number of random scenarios, DESCENT_DIFF_SCALE=soak the sizes:
 * scripts/soak.mjs runs both for minutes.
 */

const lib = descent as unknown as Lib;
const env = process.env;
const seed = env.DESCENT_DIFF_SEED === undefined ? 20_240_523 : Number(env.DESCENT_DIFF_SEED);
const numRuns = env.DESCENT_DIFF_RUNS === undefined ? 16 : Number(env.DESCENT_DIFF_RUNS);
const scale: Scale = env.DESCENT_DIFF_SCALE === 'soak' ? soak : quick;
/** Child processes at a time: they run while the test's own process works. */
const limit = limiter(Number(env.DESCENT_DIFF_CHILDREN ?? 2));
const soaking = env.DESCENT_DIFF_SCALE === 'soak';
const timeout = soaking ? 24 * 3600_000 : 300_000;

let program: ChildProgram;

beforeAll(() => {
  program = transpile();
});

afterAll(() => {
  program?.remove();
  console.log(`differential: ${JSON.stringify(reached)}`);
});

/**
 * Checks the properties on scenarios drawn from `arbitrary`. Shrinking re-runs scenarios,
 * children included: once a failure has been shrunk for 30 s (the soak: 10 min), every further
 * candidate passes at once, so fast-check ends and reports the smallest failure found so far.
 * That scenario is also written as JSON to a file the error names, for DESCENT_DIFF_REPLAY.
 */
async function assertScenarios(
  arbitrary: fc.Arbitrary<Scenario>,
  runs: number,
  offset: number,
): Promise<void> {
  const shrinkMs = soaking ? 600_000 : 30_000;
  let failedAt: number | null = null;
  let smallest: Scenario | null = null;
  const property = fc.asyncProperty(arbitrary, async (s) => {
    if (failedAt !== null && performance.now() - failedAt > shrinkMs) return;
    try {
      await checkScenario(lib, program, s, limit);
    } catch (error) {
      failedAt ??= performance.now();
      smallest = s;
      throw error;
    }
  });
  try {
    await fc.assert(property, { seed: seed + offset, numRuns: runs });
  } catch (error) {
    if (smallest !== null && error instanceof Error) {
      const file = join(tmpdir(), `descent-differential-${seed + offset}.json`);
      writeFileSync(file, `${JSON.stringify(smallest, null, 1)}\n`);
      error.message += `\n\nThe smallest failing scenario is in ${file}. Replay it alone:\n  DESCENT_DIFF_REPLAY=${file} npx vitest run --project differential -t replay\nor the whole test: DESCENT_DIFF_SEED=${seed}${soaking ? ` DESCENT_DIFF_SCALE=soak DESCENT_DIFF_RUNS=${numRuns}` : ''} npx vitest run --project differential`;
    }
    throw error;
  }
}

// Registered only when asked for, so that an ordinary run reports no skipped test.
const replayFile = env.DESCENT_DIFF_REPLAY;
if (replayFile !== undefined) {
  describe('replay', () => {
    it(`the scenario in ${replayFile}`, { timeout }, async () => {
      const saved = JSON.parse(readFileSync(replayFile, 'utf8')) as Scenario;
      await checkScenario(lib, program, saved, limit);
    });
  });
}

describe('the regression of 523ca47 (the arena reused a freed block without zeroing it)', () => {
  /** The repro from the bug report, as a user would write it. */
  function train(): Float32Array[] {
    const params = [300000, 1000].map((n, k) =>
      descent.param(Float32Array.from({ length: n }, (_, i) => Math.cos(i + k))),
    );
    const optimizer = new descent.AdamW(params, { lr: 1e-3, weightDecay: 0.01 });
    for (let t = 0; t < 14; t++) {
      params.forEach((p, k) => {
        for (let i = 0; i < p.data.length; i++) p.grad[i] = Math.sin(0.001 * i + 0.7 * t + k);
      });
      optimizer.step();
    }
    return params.map((p) => Float32Array.from(p.data));
  }

  function differ(a: Float32Array, b: Float32Array): number {
    const x = new Uint32Array(a.buffer);
    const y = new Uint32Array(b.buffer);
    let n = 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) n++;
    return n;
  }

  it('two identical runs, the first collected before the second, give the same bits', async () => {
    const first = train();
    await collect();
    await sleep(20);
    const second = train();
    expect(`${differ(first[0], second[0])} of 300000`).toBe('0 of 300000');
    expect(`${differ(first[1], second[1])} of 1000 elements differ`).toBe(
      '0 of 1000 elements differ',
    );
  });

  const repro: RunSpec = {
    optimizer: 'AdamW',
    options: { lr: 1e-3, weightDecay: 0.01 },
    groups: [
      {
        tensors: [
          { n: 300000, dtype: 'float32', storage: 'arena' },
          { n: 1000, dtype: 'float32', storage: 'arena' },
        ],
        options: {},
      },
    ],
    steps: 14,
    seed: 0,
    values: 'trig',
    skips: false,
    decay: false,
    cycle: false,
    late: false,
  };

  it('the repro as a scenario: run twice, collected between, and in fresh processes', async () => {
    await checkScenario(
      lib,
      program,
      {
        runs: [repro],
        executions: [0, 0],
        ops: [
          ...Array.from({ length: 14 }, () => ({ op: 'step' as const, execution: 0 })),
          { op: 'drop', execution: 0 },
          { op: 'gc' },
          { op: 'sleep', ms: 20 },
        ],
        start: { threads: 2, parallelThreshold: 1 << 19 },
        child: [{ threads: 4, parallelThreshold: 1000 }],
        referenceArena: [false],
      },
      limit,
    );
  });
});

describe('steps shared between threads', () => {
  it('a group past the threshold, threads changed between steps, reloaded, collected', async () => {
    const big: RunSpec = {
      optimizer: 'Adam',
      options: { lr: 0.01, amsgrad: true, weightDecay: 0.1 },
      groups: [
        {
          tensors: [
            { n: THRESHOLD + 17, dtype: 'float32', storage: 'arena' },
            { n: 100, dtype: 'float64', storage: 'arena' },
            { n: 7, dtype: 'float32', storage: 'plain' },
          ],
          options: {},
        },
        { tensors: [{ n: 3000, dtype: 'float64', storage: 'arena' }], options: { lr: 0.02 } },
      ],
      steps: 5,
      seed: 7,
      values: 'noise',
      skips: false,
      decay: true,
      cycle: true,
      late: true,
    };
    const before = descent.simdInfo().parallelSteps;
    await checkScenario(
      lib,
      program,
      {
        runs: [big],
        executions: [0, 0],
        ops: [
          { op: 'step', execution: 0 },
          { op: 'threads', threads: 4, parallelThreshold: THRESHOLD },
          { op: 'step', execution: 1 },
          { op: 'step', execution: 0 },
          { op: 'reload', execution: 0, json: true },
          { op: 'gc' },
          { op: 'threads', threads: 1, parallelThreshold: THRESHOLD },
          { op: 'step', execution: 0 },
          { op: 'threads', threads: 3, parallelThreshold: 0 },
          { op: 'step', execution: 1 },
          { op: 'drop', execution: 1 },
          { op: 'gc' },
          { op: 'step', execution: 0 },
        ],
        start: { threads: 2, parallelThreshold: THRESHOLD },
        child: [{ threads: 1, parallelThreshold: THRESHOLD }],
        referenceArena: [true],
      },
      limit,
    );
    expect(descent.simdInfo().parallelSteps - before).toBeGreaterThan(5);
  });
});

describe('a group of more tensors than the first step table holds (64 rows)', () => {
  it('grows the table mid-step, here and in a fresh process', async () => {
    const many: RunSpec = {
      optimizer: 'RMSprop',
      options: { lr: 0.01, momentum: 0.9, centered: true },
      groups: [
        {
          tensors: Array.from({ length: 70 }, (_, k) => ({
            n: 1 + ((k * 37) % 90),
            dtype: k % 3 === 0 ? ('float64' as const) : ('float32' as const),
            storage: k % 11 === 5 ? ('plain' as const) : ('arena' as const),
          })),
          options: {},
        },
      ],
      steps: 4,
      seed: 70,
      values: 'noise',
      skips: true,
      decay: false,
      cycle: true,
      late: false,
    };
    await checkScenario(
      lib,
      program,
      {
        runs: [many],
        executions: [0],
        ops: [
          { op: 'step', execution: 0 },
          { op: 'gc' },
          { op: 'reload', execution: 0, json: false },
        ],
        start: { threads: 2, parallelThreshold: 0 },
        child: [{ threads: 1, parallelThreshold: THRESHOLD }],
        referenceArena: [true],
      },
      limit,
    );
  });
});

describe('every optimizer (Newton aside), in a random scenario of its own', () => {
  variants.forEach(([name, options], v) => {
    it(`${name} ${JSON.stringify(options)}`, { timeout }, async () => {
      // One scenario of this variant alone (fast-check's seed fixed per variant).
      const own = scenario(
        { ...scale, maxRuns: 1, maxOps: Math.min(scale.maxOps, 10), bigPerMille: 0 },
        v,
      );
      await assertScenarios(own, soaking ? 4 : 1, 1000 + v);
    });
  });
});

describe('random scenarios over all optimizers', () => {
  it(`${numRuns} scenarios, bit for bit`, { timeout }, async () => {
    await assertScenarios(scenario(scale), numRuns, 0);
    expect(reached.scenarios).toBeGreaterThanOrEqual(numRuns);
    // The scenarios reached WebAssembly, its threads, and fresh processes on threads.
    expect(reached.rows).toBeGreaterThan(0);
    expect(reached.parallelSteps).toBeGreaterThan(0);
    expect(reached.children).toBeGreaterThanOrEqual(numRuns);
  });
});
