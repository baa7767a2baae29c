import { type Command, Option } from 'commander';
import type { ClassifierTask } from '../lab/compare-classifier.js';
import { optimizerOptions } from '../lab/optimizers.js';
import {
  checkCheckpointFlags,
  checkpointOptions,
  checkUsage,
  formatTable,
  integer,
  list,
  numberList,
  prepareOutputDirectory,
  terminalWidth,
} from './options.js';
import { createProgress, type Progress, resumeNote } from './progress.js';

interface CompareFlags {
  task: 'airfoil' | ClassifierTask;
  optimizers: string[];
  lr?: number[];
  set?: string[];
  stateDtypes?: string[];
  epochs: number;
  batchSize?: number;
  seed: number;
  fashionMnist?: string;
  trainSize?: number;
  out: string;
  checkpoint?: string;
  resume?: boolean;
}

/** Every --set collected, in order. */
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * The optimizers and the options --set takes, from their specs, each with the value a run starts
 * from (the book's setting, else the default), wrapped to the terminal.
 */
function optimizersHelp(): string {
  const width = Math.max(60, terminalWidth());
  const lines = [
    '',
    'Optimizers and their options, for --set, each with the value a run starts',
    'from: the book’s setting, else descent’s default (their ranges: descent’s',
    'optimizerSpec(name), or its API reference):',
  ];
  for (const { name, className, options } of optimizerOptions()) {
    let line = `  ${name.padEnd(9)} ${className}:`;
    for (const [i, option] of options.entries()) {
      const item = ` ${option}${i < options.length - 1 ? ',' : ''}`;
      if (line.length + item.length > width) {
        lines.push(line);
        line = ' '.repeat(13);
      }
      line += item;
    }
    lines.push(line);
  }
  lines.push(
    '',
    'Example: descent compare --optimizers adam,sgd --set betas=0.9,0.99 --set sgd.momentum=0.9',
  );
  return lines.join('\n');
}

/** The tasks --task takes: the airfoil model, and the MLP on Fashion-MNIST or on synthetic images. */
const tasks = ['airfoil', 'fashion-mnist', 'synthetic'] as const;

/** Flags that only some tasks take: each with the tasks that do, for the error naming them. */
const taskFlags: { flag: string; key: keyof CompareFlags; tasks: readonly string[] }[] = [
  { flag: '--fashion-mnist', key: 'fashionMnist', tasks: ['fashion-mnist'] },
  { flag: '--train-size', key: 'trainSize', tasks: ['fashion-mnist', 'synthetic'] },
  // The classifier tasks train for minutes at most; their loop saves no checkpoints.
  { flag: '--checkpoint', key: 'checkpoint', tasks: ['airfoil'] },
  { flag: '--resume', key: 'resume', tasks: ['airfoil'] },
];

/** Refuses a flag the task does not take, rather than ignoring it. */
function checkTaskFlags(flags: CompareFlags): void {
  for (const { flag, key, tasks: takers } of taskFlags) {
    if (flags[key] !== undefined && !takers.includes(flags.task)) {
      throw new RangeError(
        `Invalid ${flag}: the ${flags.task} task does not take it (it is for --task ${takers.join(' and ')})`,
      );
    }
  }
}

export function registerCompare(program: Command): void {
  const [checkpoint, resume] = checkpointOptions('each run', '<optimizer>');
  program
    .command('compare')
    .description(
      'train a model with each optimizer and write the curves (SVG) and a table: the chapter’s airfoil model (loss), or an MLP on Fashion-MNIST or synthetic images (test accuracy)',
    )
    .addOption(
      new Option(
        '--task <name>',
        'airfoil: linear regression, the chapter’s; fashion-mnist: an MLP (784 → 512 → 10) through descent/tfjs on Fashion-MNIST; synthetic: the same MLP on generated images (seeded, no data set needed)',
      )
        .choices(tasks)
        .default('airfoil'),
    )
    .requiredOption(
      '--optimizers <names>',
      'comma-separated: sgd, momentum, adagrad, rmsprop, adadelta, adam, yogi, or any optimizer of descent by class name',
      list,
    )
    .option(
      '--lr <rates>',
      'one learning rate for all, or one per optimizer (default: the book’s for each)',
      numberList,
    )
    .option(
      '--set <option=value>',
      'an option of every optimizer that takes it, or optimizer.option=value for one (repeatable; lists as 0.9,0.99)',
      collect,
    )
    .option(
      '--state-dtypes <dtypes>',
      'each optimizer once per state dtype, comma-separated: float32, bfloat16, int8 (the table gives each final loss, or test accuracy, against float32 state)',
      list,
    )
    .option('--epochs <n>', 'epochs per run', integer(1, 1000), 2)
    .option(
      '--batch-size <n>',
      'minibatch size (default: 10 for airfoil, 256 for the MLP)',
      integer(1, 1500),
    )
    .option('--seed <n>', 'seed of the initial weights and the shuffles', integer(0, 0xffffffff), 0)
    .option(
      '--fashion-mnist <dir>',
      "directory of Fashion-MNIST's IDX files (default: Debian's dataset-fashion-mnist)",
    )
    .option(
      '--train-size <n>',
      'the MLP trains on the first n training images (default: all 60,000 of Fashion-MNIST; 10,000 synthetic ones)',
      integer(1, 60_000),
    )
    .option(
      '--out <dir>',
      'directory for the figures, compare.md and results.json',
      './compare-report',
    )
    .addOption(checkpoint)
    .addOption(resume)
    .addHelpText('after', optimizersHelp)
    .action(async (flags: CompareFlags, command: Command) => {
      const format = await import('../lab/format.js');
      const progress = createProgress();
      const finished = await (flags.task === 'airfoil'
        ? compareAirfoil(flags, command, progress)
        : compareClassifier(flags as CompareFlags & { task: ClassifierTask }, command, progress));
      const { out, files, table, failed } = finished;
      console.log(formatTable(table.head, table.rows, terminalWidth()));
      console.log(`\nwrote ${files.map((f) => `${out}/${f}`).join(', ')}`);
      // A run whose loss blew up compared nothing: the command fails, naming it.
      if (failed.length > 0) {
        const which = failed.map(
          ({ name, lr, loss }) =>
            `${name} diverged at lr ${format.short(lr)} (loss ${format.short(loss)})`,
        );
        throw new Error(`${which.join(', ')}; try a smaller --lr`);
      }
    });
}

/** What a task's comparison left: where it wrote, its table, and the runs that diverged. */
interface Finished {
  out: string;
  files: string[];
  table: { head: string[]; rows: string[][] };
  failed: { name: string; lr: number; loss: number }[];
}

/** The runs that diverged, each with its learning rate and the loss it ended with. */
function divergedRuns<R extends { settings: Record<string, unknown> }>(
  runs: readonly { name: string; result: R; diverged: boolean }[],
  lossOf: (result: R) => number,
): Finished['failed'] {
  return runs
    .filter((run) => run.diverged)
    .map(({ name, result }) => ({ name, lr: Number(result.settings.lr), loss: lossOf(result) }));
}

/** The options every task takes, from the flags. */
const commonOptions = (flags: CompareFlags) => ({
  optimizers: flags.optimizers,
  lr: flags.lr,
  set: flags.set,
  stateDtypes: flags.stateDtypes,
  epochs: flags.epochs,
  batchSize: flags.batchSize,
  seed: flags.seed,
});

async function compareAirfoil(
  flags: CompareFlags,
  command: Command,
  progress: Progress,
): Promise<Finished> {
  const { compareOptimizers, comparisonTable, resolveComparison, writeComparison } = await import(
    '../lab/compare.js'
  );
  const format = await import('../lab/format.js');
  const options = {
    ...commonOptions(flags),
    resume: flags.resume,
    checkpoint: flags.checkpoint,
  };
  const out = checkUsage(command, () => {
    checkTaskFlags(flags);
    options.checkpoint = checkCheckpointFlags(flags);
    resolveComparison(options);
    return prepareOutputDirectory('--out', flags.out).dir;
  });
  const comparison = compareOptimizers({
    ...options,
    onResume: (name, file, done) => progress.note(resumeNote(name, file, done)),
    onStart: (name, total) => progress.start(name, total),
    onProgress: (_, done, total) => progress.update(done, total),
    onResult: (_, result, diverged) => {
      if (diverged) progress.fail(`diverged (loss ${format.short(result.finalLoss)})`);
      else progress.stop(`loss ${result.finalLoss.toFixed(4)}`);
    },
  });
  return {
    out,
    files: await writeComparison(out, comparison),
    table: comparisonTable(comparison),
    failed: divergedRuns(comparison.runs, (result) => result.finalLoss),
  };
}

async function compareClassifier(
  flags: CompareFlags & { task: ClassifierTask },
  command: Command,
  progress: Progress,
): Promise<Finished> {
  const { resolveComparison } = await import('../lab/compare.js');
  const { FashionMnistError } = await import('../data/fashion-mnist.js');
  const { classifierData, classifierTable, compareClassifiers, writeClassifierComparison } =
    await import('../lab/compare-classifier.js');
  const options = {
    ...commonOptions(flags),
    task: flags.task,
    fashionMnist: flags.fashionMnist,
    trainSize: flags.trainSize,
  };
  const { dir: out, undo } = checkUsage(command, () => {
    checkTaskFlags(flags);
    resolveComparison(options);
    return prepareOutputDirectory('--out', flags.out);
  });
  let images: ReturnType<typeof classifierData>;
  try {
    images = classifierData(options);
  } catch (error) {
    undo();
    // The data is never swapped silently: the message says where the other data is.
    if (error instanceof FashionMnistError) {
      throw new Error(`${error.message}; or train on generated images: --task synthetic`);
    }
    throw error;
  }
  progress.note(`training on ${images.about}`);
  const comparison = await compareClassifiers(
    {
      ...options,
      onStart: (name, total) => progress.start(name, total),
      onProgress: (_, done, total) => progress.update(done, total),
      onResult: (_, result, diverged) => {
        const accuracy = `test accuracy ${(100 * result.testAccuracy).toFixed(2)}%`;
        if (diverged) progress.fail(`diverged (test loss ${result.testLoss})`);
        else progress.stop(`${accuracy}, test loss ${result.testLoss.toFixed(4)}`);
      },
    },
    images,
  );
  return {
    out,
    files: await writeClassifierComparison(out, comparison),
    table: classifierTable(comparison),
    failed: divergedRuns(comparison.runs, (result) => result.testLoss),
  };
}
