import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AlgorithmSpec, optimizerSpecs } from 'descent';
import {
  type CurvePoint,
  type Dataset,
  loadAirfoil,
  squaredLoss,
  type TrainProgress,
} from './airfoil.js';
import { airfoilFigures, airfoilOptimum, trainAirfoil } from './experiments/common.js';
import * as format from './format.js';
import { parseSettings, type ResolvedOptimizer, resolveOptimizer } from './optimizers.js';
import { type Figure, renderSvg } from './plot.js';
import { createRandom } from './random.js';
import { isRecord, resumable } from './resume.js';
import type { TrainingResult } from './types.js';

export interface CompareOptions {
  /** Names `resolveOptimizer` knows. */
  optimizers: readonly string[];
  /** One learning rate for all, or one per optimizer; default: the book's for each. */
  lr?: readonly number[];
  /**
   * Options over the book's settings (and `lr`), `option=value` for every optimizer that takes
   * it or `optimizer.option=value` for one: parsed and checked by each optimizer's spec.
   */
  set?: readonly string[];
  /**
   * Runs each optimizer once per state dtype (its `stateDtype` option: 'float32', 'bfloat16',
   * 'int8'), named `<optimizer>-<dtype>`; the table then gives each final loss against the
   * optimizer's float32 run, when there is one.
   */
  stateDtypes?: readonly string[];
  epochs?: number;
  batchSize?: number;
  seed?: number;
  /**
   * A directory where each run saves a checkpoint after every epoch, `<dir>/<name>.safetensors`
   * (src/node/checkpoint.ts), replaced atomically: a run killed midway loses at most an epoch.
   */
  checkpoint?: string;
  /**
   * Continues each run from its checkpoint in `checkpoint` (required), where it has one, to
   * `epochs` in all: the result is the one an uninterrupted run gives. A run without one starts
   * afresh.
   */
  resume?: boolean;
  /** Before a run starts: the epochs its checkpoint had done, or null when it has none. */
  onResume?(name: string, file: string, epochsDone: number | null): void;
  /** Start, progress (examples seen) and result of each optimizer's run. */
  onStart?(name: string, total: number): void;
  onProgress?(name: string, done: number, total: number): void;
  /** `diverged`: the run ended with a loss above its start, or not finite (see `Comparison`). */
  onResult?(name: string, result: TrainingResult, diverged: boolean): void;
}

export interface Comparison {
  task: 'airfoil';
  seed: number;
  /**
   * Each optimizer's run. One that `diverged` ended with a loss that is not finite, or above the
   * loss of the untrained model (weights and bias zero, where training starts, give or take
   * weights of 0.01): its numbers compare nothing.
   */
  runs: { name: string; title: string; result: TrainingResult; diverged: boolean }[];
}

/** Checks every name and option, and builds each optimizer once; throws before anything trains. */
export function resolveComparison(
  options: Pick<
    CompareOptions,
    'optimizers' | 'lr' | 'set' | 'stateDtypes' | 'checkpoint' | 'resume'
  >,
): ResolvedOptimizer[] {
  const { optimizers, lr } = options;
  if (optimizers.length === 0)
    throw new RangeError('Invalid optimizers: expected at least one name');
  if (lr !== undefined && lr.length !== 1 && lr.length !== optimizers.length) {
    throw new RangeError(
      `Invalid lr: ${lr.length} learning rates for ${optimizers.length} optimizers (expected 1 or ${optimizers.length})`,
    );
  }
  if (options.resume === true && options.checkpoint === undefined) {
    throw new RangeError('Invalid resume: true (it continues from checkpoint, which is not given)');
  }
  const settings = parseSettings(optimizers, options.set ?? []);
  const dtypes = stateDtypesOf(options.stateDtypes);
  return optimizers.flatMap((name, i) => {
    const overrides = {
      ...(lr === undefined ? {} : { lr: lr.length === 1 ? lr[0] : lr[i] }),
      ...settings[i],
    };
    if (dtypes === null) return [resolveOptimizer(name, overrides)];
    return dtypes.map((stateDtype) => {
      const resolved = resolveOptimizer(name, overrides);
      if (!takesStateDtype(resolved.spec)) {
        throw new RangeError(
          `Invalid stateDtypes: ${resolved.className} keeps no moments to store in another type (${stateDtypeClasses()} do)`,
        );
      }
      const run = resolveOptimizer(name, { ...overrides, stateDtype });
      return { ...run, name: `${run.name}-${stateDtype}` };
    });
  });
}

const STATE_DTYPES = ['float32', 'bfloat16', 'int8'];

/** The state dtypes asked for, checked, or null for none (each optimizer runs once, as it is). */
function stateDtypesOf(dtypes: readonly string[] | undefined): readonly string[] | null {
  if (dtypes === undefined) return null;
  if (dtypes.length === 0) throw new RangeError('Invalid stateDtypes: expected at least one');
  for (const dtype of dtypes) {
    if (!STATE_DTYPES.includes(dtype)) {
      throw new RangeError(
        `Invalid stateDtypes: ${JSON.stringify(dtype)} (expected ${STATE_DTYPES.join(', ')})`,
      );
    }
  }
  if (new Set(dtypes).size !== dtypes.length) {
    throw new RangeError(`Invalid stateDtypes: ${dtypes.join(',')} names one twice`);
  }
  return dtypes;
}

const takesStateDtype = (spec: AlgorithmSpec): boolean =>
  spec.options.some((option) => option.name === 'stateDtype');

/** The optimizers that take stateDtype, by class name, for an error that names them. */
function stateDtypeClasses(): string {
  return optimizerSpecs
    .filter((spec) => spec.kind === 'optimizer' && takesStateDtype(spec))
    .map((spec) => spec.name)
    .join(', ');
}

/**
 * Trains the airfoil model once per optimizer. Every run starts from the same initial weights
 * and sees the same minibatches, so the curves differ by the optimizer alone.
 */
export function compareOptimizers(options: CompareOptions): Comparison {
  const resolved = resolveComparison(options);
  const seed = options.seed ?? 0;
  const data = loadAirfoil();
  const epochs = options.epochs ?? 2;
  const untrained = squaredLoss(data, new Float64Array(data.columns), 0);
  const runs = resolved.map((optimizer) => {
    const batchSize = options.batchSize ?? 10;
    const onProgress = (done: number, total: number) =>
      options.onProgress?.(optimizer.name, done, total);
    let result: TrainingResult;
    if (options.checkpoint === undefined) {
      options.onStart?.(optimizer.name, epochs * data.rows);
      result = trainAirfoil(optimizer, {
        data,
        batchSize,
        epochs,
        random: createRandom(seed, 'compare'),
        seed,
        onProgress,
      });
    } else {
      result = trainWithCheckpoints(optimizer, {
        data,
        batchSize,
        epochs,
        seed,
        file: join(options.checkpoint, `${optimizer.name}.safetensors`),
        resume: options.resume === true,
        onResume: (file, done) => options.onResume?.(optimizer.name, file, done),
        onStart: (total) => options.onStart?.(optimizer.name, total),
        onProgress,
      });
    }
    const diverged =
      !(result.finalLoss <= untrained) || result.curve.some((p) => !Number.isFinite(p.loss));
    options.onResult?.(optimizer.name, result, diverged);
    return {
      name: optimizer.name,
      title: `${optimizer.className}, lr ${format.short(Number(optimizer.settings.lr ?? Number.NaN))}`,
      result,
      diverged,
    };
  });
  return { task: 'airfoil', seed, runs };
}

/**
 * `trainAirfoil`, saving a checkpoint after every epoch (src/lab/resume.ts): the parameters, the
 * optimizer's state, and in `extra` the run's identity (optimizer, settings, batch size, seed),
 * the epochs and examples done, the training time and the curve. Resuming restores them, and the
 * training loop replays the shuffles of the epochs done, so the run continues exactly as it
 * would have (test/cli/cli.test.ts compares the two).
 */
function trainWithCheckpoints(
  optimizer: ResolvedOptimizer,
  o: {
    data: Dataset;
    batchSize: number;
    epochs: number;
    seed: number;
    file: string;
    resume: boolean;
    onResume: (file: string, epochsDone: number | null) => void;
    onStart: (total: number) => void;
    onProgress: (done: number, total: number) => void;
  },
): TrainingResult {
  const { data, batchSize, epochs, seed } = o;
  const run = resumable<TrainProgress>({
    file: o.file,
    resume: o.resume,
    identity: {
      optimizer: optimizer.className,
      // Its options as JSON, as the checkpoint keeps them (their lists are read-only arrays).
      settings: JSON.parse(JSON.stringify(optimizer.settings)),
      batchSize,
      seed,
    },
    epochs,
    writer: 'descent compare',
    readProgress: readCurve,
    onResume: o.onResume,
  });
  return trainAirfoil(optimizer, {
    data,
    batchSize,
    epochs,
    seed,
    random: createRandom(seed, 'compare'),
    onProgress: o.onProgress,
    resume: ({ w, b, optimizer: model }) => {
      const saved = run.restore({ params: [w, b], optimizer: model });
      o.onStart(epochs * data.rows);
      return saved;
    },
    onEpoch: (progress, { w, b, optimizer: model }) => {
      run.save({ params: [w, b], optimizer: model }, progress);
    },
  });
}

/** A compare run's progress as its checkpoint keeps it, checked and copied. */
function readCurve(saved: Record<string, unknown>): TrainProgress | undefined {
  const numbers = (value: unknown, keys: string[]) =>
    isRecord(value) && keys.every((key) => typeof value[key] === 'number');
  const { curve } = saved;
  if (
    !numbers(saved, ['epoch', 'examples', 'seconds']) ||
    !Array.isArray(curve) ||
    !curve.every((point) => numbers(point, ['epoch', 'loss', 'seconds']))
  ) {
    return undefined;
  }
  return {
    epoch: saved.epoch as number,
    examples: saved.examples as number,
    seconds: saved.seconds as number,
    curve: (curve as CurvePoint[]).map(({ epoch, loss, seconds }) => ({ epoch, loss, seconds })),
  };
}

export function comparisonTable(comparison: Comparison): { head: string[]; rows: string[][] } {
  const best = airfoilOptimum();
  const byDtype = comparison.runs.some((run) => run.result.settings.stateDtype !== undefined);
  return {
    head: [
      'optimizer',
      'settings',
      'final loss',
      'above the optimum',
      ...(byDtype ? ['vs float32 state'] : []),
      'seconds per epoch',
    ],
    rows: comparison.runs.map((run) => [
      run.name,
      format.settings(run.result.settings),
      run.diverged
        ? `diverged (${format.short(run.result.finalLoss)})`
        : run.result.finalLoss.toFixed(4),
      run.diverged ? '—' : format.short(run.result.finalLoss - best),
      ...(byDtype ? [againstFloat32(comparison, run)] : []),
      format.short(run.result.secondsPerEpoch),
    ]),
  };
}

/** What `float32Base` reads of a run: its optimizer, its settings, and whether it diverged. */
export interface StateDtypeRun {
  result: { optimizer: string; settings: Record<string, unknown> };
  diverged: boolean;
}

/**
 * The run `run` is measured against: the float32-state run of the same optimizer and settings
 * but stateDtype; undefined for that run itself, without one, or when either diverged.
 */
export function float32Base<R extends StateDtypeRun>(runs: readonly R[], run: R): R | undefined {
  const { stateDtype: _, ...rest } = run.result.settings;
  const same = (settings: Record<string, unknown>) => {
    const { stateDtype: dtype, ...others } = settings;
    return dtype === 'float32' && JSON.stringify(others) === JSON.stringify(rest);
  };
  const base = runs.find(
    (other) => other.result.optimizer === run.result.optimizer && same(other.result.settings),
  );
  return base === undefined || base === run || base.diverged || run.diverged ? undefined : base;
}

/**
 * A run's final loss relative to the float32-state run of the same optimizer and settings
 * ("+0.0123%", three digits), "—" without one (see `float32Base`).
 */
function againstFloat32(comparison: Comparison, run: Comparison['runs'][number]): string {
  const base = float32Base(comparison.runs, run);
  if (base === undefined) return '—';
  const change = 100 * (run.result.finalLoss / base.result.finalLoss - 1);
  return `${change >= 0 ? '+' : ''}${format.short(change)}%`;
}

/** Writes the loss curves (against epochs and against time), compare.md and results.json. */
export async function writeComparison(dir: string, comparison: Comparison): Promise<string[]> {
  const results = new Map(comparison.runs.map((r) => [r.name, r.result]));
  const runs = Object.fromEntries(
    comparison.runs.map((r) => [r.name, { ...r.result, diverged: r.diverged }]),
  );
  return writeReport(dir, {
    task: comparison.task,
    about: `Linear regression on the airfoil data, seed ${comparison.seed}; least-squares optimum ${airfoilOptimum().toFixed(4)}.`,
    figures: airfoilFigures(
      'compare',
      results,
      comparison.runs.map((r) => ({ id: r.name, title: r.title })),
    ),
    table: comparisonTable(comparison),
    json: { task: comparison.task, seed: comparison.seed, runs },
  });
}

/**
 * What `descent compare` writes for any task: each figure as SVG, compare.md (a heading naming
 * the task, `about`, the table, the figures) and results.json. Returns the files' names.
 */
export async function writeReport(
  dir: string,
  report: {
    task: string;
    about: string;
    figures: readonly Figure[];
    table: { head: string[]; rows: string[][] };
    json: object;
  },
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const figure of report.figures) {
    await writeFile(join(dir, `${figure.id}.svg`), await renderSvg(figure.spec));
    files.push(`${figure.id}.svg`);
  }
  const markdown = [
    `# descent compare: ${report.task}`,
    '',
    report.about,
    '',
    ...format.markdownTable(report.table.head, report.table.rows),
    '',
    ...files.map((file) => `![${file}](${file})`),
    '',
  ].join('\n');
  await writeFile(join(dir, 'compare.md'), markdown);
  await writeFile(join(dir, 'results.json'), `${JSON.stringify(report.json, null, 1)}\n`);
  return [...files, 'compare.md', 'results.json'];
}
