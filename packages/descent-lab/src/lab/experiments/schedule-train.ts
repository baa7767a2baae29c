import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  cosineScheduler,
  factorScheduler,
  multiFactorScheduler,
  squareRootScheduler,
} from 'descent';
import {
  type FashionMnist,
  FashionMnistError,
  fashionMnistHint,
  findFashionMnist,
  loadFashionMnist,
} from '../../data/fashion-mnist.js';
import type { EpochRecord, LeNetProgress } from '../lenet.js';
import { type Figure, lineChart } from '../plot.js';
import { isRecord, resumable } from '../resume.js';
import type { Experiment, NotRunResult, Result, RunContext, SeriesResult } from '../types.js';
import { define, seriesFigure } from './common.js';

/**
 * The section's training runs: the book's modernized LeNet on Fashion-MNIST, minibatch SGD with
 * batch 256 for 30 epochs, base learning rate 0.3 under each of the book's schedules (their
 * shapes as in the schedule plots, their base set to 0.3) and under a constant rate. The rate of
 * epoch t = 0, 1, ... is schedule(t). The multi-factor run trains with the book's
 * MultiFactorScheduler, MXNet's class, as the book's MXNet code does: it halves the rate from
 * epoch 16 on, one epoch after the MultiStepLR of the plot. Trained with TensorFlow.js through
 * descent's tfjs adapter; see ../lenet.ts for the network and the loop. With a checkpoint
 * directory, each run saves itself there after every epoch and can resume (../resume.ts).
 */

const baseLr = 0.3;
const batchSize = 256;

const runs: { name: string; description: string; schedule: (t: number) => number }[] = [
  { name: 'constant', description: `constant lr ${baseLr}`, schedule: () => baseLr },
  {
    name: 'square-root',
    description: `squareRootScheduler({ lr: ${baseLr} })`,
    schedule: squareRootScheduler({ lr: baseLr }),
  },
  {
    name: 'factor',
    description: `factorScheduler({ factor: 0.9, stopFactorLr: 1e-2, baseLr: ${baseLr} })`,
    schedule: factorScheduler({ factor: 0.9, stopFactorLr: 1e-2, baseLr }),
  },
  {
    name: 'multi-factor',
    description: `multiFactorScheduler({ step: [15, 30], factor: 0.5, baseLr: ${baseLr} })`,
    schedule: multiFactorScheduler({ step: [15, 30], factor: 0.5, baseLr }),
  },
  {
    name: 'cosine',
    description: `cosineScheduler({ maxUpdate: 20, baseLr: ${baseLr}, finalLr: 0.01 })`,
    schedule: cosineScheduler({ maxUpdate: 20, baseLr, finalLr: 0.01 }),
  },
  {
    name: 'cosine-warmup',
    description: `cosineScheduler({ maxUpdate: 20, baseLr: ${baseLr}, finalLr: 0.01, warmupSteps: 5 })`,
    schedule: cosineScheduler({ maxUpdate: 20, baseLr, finalLr: 0.01, warmupSteps: 5 }),
  },
];

/** The book's length of each run; `descent lab --epochs 30` trains that long. */
export const bookEpochs = 30;

let loaded: FashionMnist | undefined;

/** The data set, read once for all six runs, or why it cannot be. */
function dataset(context: RunContext): FashionMnist | NotRunResult {
  const dir = findFashionMnist(context.fashionMnist);
  if (dir === null) {
    return {
      kind: 'not-run',
      reason: `needs Fashion-MNIST, which is not installed: ${fashionMnistHint}`,
    };
  }
  try {
    if (loaded?.dir !== dir) loaded = loadFashionMnist(dir);
    return loaded;
  } catch (error) {
    if (error instanceof FashionMnistError) return { kind: 'not-run', reason: error.message };
    throw error;
  }
}

/** The training loop, or why it cannot load: tfjs is an optional dependency of descent. */
async function trainer(): Promise<typeof import('../lenet.js') | NotRunResult> {
  try {
    return await import('../lenet.js');
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    if (code === 'ERR_MODULE_NOT_FOUND' && message.includes('@tensorflow/')) {
      return {
        kind: 'not-run',
        reason: 'needs TensorFlow.js: npm install @tensorflow/tfjs @tensorflow/tfjs-backend-wasm',
      };
    }
    throw error;
  }
}

/** The SHA-256 of a data set's images and labels, which a checkpoint records, once per load. */
const fingerprints = new WeakMap<FashionMnist, string>();
function fingerprint(data: FashionMnist): string {
  let digest = fingerprints.get(data);
  if (digest === undefined) {
    const hash = createHash('sha256');
    for (const set of [data.train, data.test]) {
      hash.update(`${set.count} ${set.rows} ${set.cols}\n`).update(set.images).update(set.labels);
    }
    digest = hash.digest('hex');
    fingerprints.set(data, digest);
  }
  return digest;
}

const recordKeys = ['lr', 'trainLoss', 'trainAcc', 'testAcc', 'trainSeconds', 'testSeconds'];

/** The records of a run's checkpoint, one per epoch done, checked and copied. */
function readRecords(saved: Record<string, unknown>): LeNetProgress | undefined {
  const { epoch, records } = saved;
  if (
    !Array.isArray(records) ||
    records.length !== epoch ||
    !records.every((r) => isRecord(r) && recordKeys.every((key) => typeof r[key] === 'number'))
  ) {
    return undefined;
  }
  return {
    epoch: epoch as number,
    records: (records as EpochRecord[]).map(
      ({ lr, trainLoss, trainAcc, testAcc, testLoss, trainSeconds, testSeconds }) => ({
        lr,
        trainLoss,
        trainAcc,
        testAcc,
        // Checkpoints written before the loop recorded the test loss have none: unknown.
        testLoss: typeof testLoss === 'number' ? testLoss : Number.NaN,
        trainSeconds,
        testSeconds,
      }),
    ),
  };
}

const isNotRun = (value: object): value is NotRunResult => (value as Result).kind === 'not-run';

async function train(
  run: (typeof runs)[number],
  context: RunContext,
): Promise<SeriesResult | NotRunResult> {
  // Quick runs are the tests' and must stay short wherever the data happens to be installed.
  if (context.quick)
    return { kind: 'not-run', reason: 'skipped by --quick (each run trains LeNet for minutes)' };
  // An epoch of LeNet takes about 35 s on a 2-core machine (18 minutes a run at the book's
  // length), so the lab trains only when asked and otherwise still finishes in seconds.
  if (context.epochs === undefined) {
    return {
      kind: 'not-run',
      reason: `not run by default: training takes about 35 s an epoch on 2 cores; \`descent lab --epochs ${bookEpochs}\` runs the book's ${bookEpochs} epochs (add --only schedule-train-cosine, say, for one schedule)`,
    };
  }
  const data = dataset(context);
  if (isNotRun(data)) return data;
  const lenet = await trainer();
  if (isNotRun(lenet)) return lenet;
  const { checkpoint, epochs } = context;
  // What the run is: resuming from a checkpoint of any other would splice two runs together.
  const identity = {
    experiment: `schedule-train-${run.name}`,
    schedule: run.description,
    optimizer: 'SGD',
    batchSize,
    seed: context.seed,
    data: { train: data.train.count, test: data.test.count, sha256: fingerprint(data) },
  };
  const saving =
    checkpoint === undefined
      ? undefined
      : resumable<LeNetProgress>({
          file: join(checkpoint.dir, `${identity.experiment}.safetensors`),
          resume: checkpoint.resume,
          identity,
          epochs,
          writer: 'descent lab',
          readProgress: readRecords,
          onResume: checkpoint.onResume,
        });
  const records = await lenet.trainLeNet(data, {
    schedule: run.schedule,
    epochs,
    batchSize,
    random: context.random,
    onProgress: context.progress,
    resume: saving && ((model) => saving.restore(model)),
    onEpoch: saving && ((progress, model) => saving.save(model, progress)),
  });
  const x = records.map((_, t) => t + 1);
  const last = records[records.length - 1];
  const mean = (f: (r: (typeof records)[number]) => number) =>
    records.reduce((sum, r) => sum + f(r), 0) / records.length;
  return {
    kind: 'series',
    xTitle: 'epoch',
    yTitle: '',
    series: [
      { name: 'train loss', x, y: records.map((r) => r.trainLoss) },
      { name: 'train acc', x, y: records.map((r) => r.trainAcc) },
      { name: 'test acc', x, y: records.map((r) => r.testAcc) },
      { name: 'learning rate', x, y: records.map((r) => r.lr) },
    ],
    values: {
      'test accuracy': last.testAcc,
      'train accuracy': last.trainAcc,
      'train loss': last.trainLoss,
      epochs: records.length,
      'seconds per epoch (training)': mean((r) => r.trainSeconds),
      'seconds per test evaluation': mean((r) => r.testSeconds),
    },
  };
}

/** The six `schedule-train-*` experiments of section 12.11. */
export const scheduleTrainingRuns: Experiment[] = runs.map((run) =>
  define<SeriesResult | NotRunResult>({
    id: `schedule-train-${run.name}`,
    title: `LeNet on Fashion-MNIST, SGD, batch 256, ${run.description}`,
    run: (context) => train(run, context),
    figures: (result) => {
      if (result.kind !== 'series') return [];
      const { values = {} } = result;
      // The book's figure: loss and accuracies; the rate has its own plot in the section.
      const shown = { ...result, series: result.series.filter((s) => s.name !== 'learning rate') };
      return [
        seriesFigure(`schedule-train-${run.name}`, run.description, shown, [
          `LeNet (ReLU, max pooling), SGD, batch 256, ${values.epochs} epochs`,
          `final test accuracy ${values['test accuracy'].toFixed(3)}, train accuracy ${values['train accuracy'].toFixed(3)}, train loss ${values['train loss'].toFixed(3)}`,
        ]),
      ];
    },
  }),
);

/** Test accuracy against epochs for every run that trained, one line per schedule. */
export function scheduleTrainingFigures(results: ReadonlyMap<string, Result>): Figure[] {
  const trained = runs.flatMap((run) => {
    const result = results.get(`schedule-train-${run.name}`);
    const test =
      result?.kind === 'series' ? result.series.find((s) => s.name === 'test acc') : undefined;
    return test === undefined ? [] : [{ run, test }];
  });
  if (trained.length === 0) return [];
  const title = 'LeNet on Fashion-MNIST: test accuracy under each schedule';
  return [
    {
      id: 'schedule-train-test-accuracy',
      title,
      spec: lineChart({
        title,
        subtitle: 'SGD, batch 256, base learning rate 0.3',
        x: { title: 'epoch' },
        y: { title: 'test accuracy' },
        series: trained.map(({ run, test }) => ({
          name: `${run.name}: ${test.y[test.y.length - 1].toFixed(3)}`,
          points: test.x.map((x, i) => [x, test.y[i]] as const),
          style: 'line+points' as const,
        })),
      }),
    },
  ];
}
