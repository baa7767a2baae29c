import { statSync } from 'node:fs';
import { type Command, Option } from 'commander';
import {
  checkUsage,
  formatTable,
  integer,
  list,
  numberList,
  prepareOutputDirectory,
  terminalWidth,
} from './options.js';
import { createProgress } from './progress.js';

interface CompareFlags {
  task: 'airfoil';
  optimizers: string[];
  lr?: number[];
  epochs: number;
  batchSize: number;
  seed: number;
  out: string;
  checkpoint?: string;
  resume?: boolean;
}

export function registerCompare(program: Command): void {
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
    .option('--epochs <n>', 'epochs per run', integer(1, 1000), 2)
    .option('--batch-size <n>', 'minibatch size', integer(1, 1500), 10)
    .option('--seed <n>', 'seed of the initial weights and the shuffles', integer(0, 0xffffffff), 0)
    .option(
      '--out <dir>',
      'directory for the figures, compare.md and results.json',
      './compare-report',
    )
    .option(
      '--checkpoint <dir>',
      'save each run after every epoch in this directory, as <dir>/<optimizer>.safetensors',
    )
    .option(
      '--resume',
      'continue each run from its checkpoint in --checkpoint to --epochs (a run without one starts afresh)',
    )
    .action(async (flags: CompareFlags, command: Command) => {
      const { compareOptimizers, comparisonTable, resolveComparison, writeComparison } =
        await import('../lab/compare.js');
      const format = await import('../lab/format.js');
      const options = {
        optimizers: flags.optimizers,
        lr: flags.lr,
        epochs: flags.epochs,
        batchSize: flags.batchSize,
        seed: flags.seed,
        resume: flags.resume,
        checkpoint: flags.checkpoint,
      };
      const out = checkUsage(command, () => {
        if (flags.resume && flags.checkpoint === undefined) {
          throw new RangeError('Invalid --resume: it continues from --checkpoint <dir>, not given');
        }
        resolveComparison(options);
        if (flags.checkpoint !== undefined) {
          // A directory to resume from must be there: a mistyped one would start every run afresh.
          if (flags.resume && !isDirectory(flags.checkpoint)) {
            throw new RangeError(
              `Invalid --checkpoint: ${JSON.stringify(flags.checkpoint)} (no such directory to resume from)`,
            );
          }
          options.checkpoint = prepareOutputDirectory('--checkpoint', flags.checkpoint).dir;
        }
        return prepareOutputDirectory('--out', flags.out).dir;
      });
      const progress = createProgress();
      const comparison = compareOptimizers({
        ...options,
        onResume: (name, file, done) => {
          console.error(
            done === null
              ? `${name}: no checkpoint at ${file}, starting afresh`
              : `${name}: resuming from ${file} after epoch ${done}`,
          );
        },
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

function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}
