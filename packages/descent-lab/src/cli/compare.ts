import { type Command, Option } from 'commander';
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
import { createProgress, resumeNote } from './progress.js';

interface CompareFlags {
  task: 'airfoil';
  optimizers: string[];
  lr?: number[];
  set?: string[];
  stateDtypes?: string[];
  epochs: number;
  batchSize: number;
  seed: number;
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

export function registerCompare(program: Command): void {
  const [checkpoint, resume] = checkpointOptions('each run', '<optimizer>');
  program
    .command('compare')
    .description(
      'train the chapter’s airfoil model with each optimizer and write the loss curves (SVG) and a table',
    )
    .addOption(
      new Option('--task <name>', 'the training task').choices(['airfoil']).default('airfoil'),
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
      'each optimizer once per state dtype, comma-separated: float32, bfloat16, int8 (the table gives each final loss against float32 state)',
      list,
    )
    .option('--epochs <n>', 'epochs per run', integer(1, 1000), 2)
    .option('--batch-size <n>', 'minibatch size', integer(1, 1500), 10)
    .option('--seed <n>', 'seed of the initial weights and the shuffles', integer(0, 0xffffffff), 0)
    .option(
      '--out <dir>',
      'directory for the figures, compare.md and results.json',
      './compare-report',
    )
    .addOption(checkpoint)
    .addOption(resume)
    .addHelpText('after', optimizersHelp)
    .action(async (flags: CompareFlags, command: Command) => {
      const { compareOptimizers, comparisonTable, resolveComparison, writeComparison } =
        await import('../lab/compare.js');
      const format = await import('../lab/format.js');
      const options = {
        optimizers: flags.optimizers,
        lr: flags.lr,
        set: flags.set,
        stateDtypes: flags.stateDtypes,
        epochs: flags.epochs,
        batchSize: flags.batchSize,
        seed: flags.seed,
        resume: flags.resume,
        checkpoint: flags.checkpoint,
      };
      const out = checkUsage(command, () => {
        options.checkpoint = checkCheckpointFlags(flags);
        resolveComparison(options);
        return prepareOutputDirectory('--out', flags.out).dir;
      });
      const progress = createProgress();
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
      const files = await writeComparison(out, comparison);
      const { head, rows } = comparisonTable(comparison);
      console.log(formatTable(head, rows, terminalWidth()));
      console.log(`\nwrote ${files.map((f) => `${out}/${f}`).join(', ')}`);
      // A run whose loss blew up compared nothing: the command fails, naming it.
      const failed = comparison.runs.filter((r) => r.diverged);
      if (failed.length > 0) {
        const which = failed.map(
          ({ name, result }) =>
            `${name} diverged at lr ${format.short(Number(result.settings.lr))} (loss ${format.short(result.finalLoss)})`,
        );
        throw new Error(`${which.join(', ')}; try a smaller --lr`);
      }
    });
}
