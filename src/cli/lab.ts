import { resolve } from 'node:path';
import type { Command } from 'commander';
import { checkUsage, formatTable, integer, list } from './options.js';
import { createProgress } from './progress.js';

interface LabFlags {
  out: string;
  only?: string[];
  seed: number;
  quick?: boolean;
  list?: boolean;
  fashionMnist?: string;
  epochs?: number;
}

export function registerLab(program: Command): void {
  program
    .command('lab')
    .description(
      'run every experiment of the optimization chapter of Dive into Deep Learning with descent and write a report (index.html, report.md, results.json, figures/)',
    )
    .option('--out <dir>', 'directory of the report', './lab-report')
    .option('--only <ids>', 'run only these experiments (comma-separated ids; see --list)', list)
    .option(
      '--seed <n>',
      'seed of the random experiments (noise, initial weights, shuffles)',
      integer(0, 0xffffffff),
      0,
    )
    .option(
      '--quick',
      'for tests: brief matrix-product timings and no Fashion-MNIST training; the rest runs in full',
    )
    .option('--list', 'list the experiment ids by section and exit')
    .option(
      '--fashion-mnist <dir>',
      "directory of Fashion-MNIST's IDX files (default: Debian's dataset-fashion-mnist)",
    )
    .option(
      '--epochs <n>',
      'train the Fashion-MNIST runs for n epochs (the book: 30, about 18 min a run here); without it they are listed, not run',
      integer(1),
    )
    .action(async (flags: LabFlags, command: Command) => {
      const { checkIds, runLab, sections } = await import('../lab/run.js');
      const { resultSummary, summary, writeReport } = await import('../lab/report.js');
      if (flags.list) {
        for (const section of sections) {
          console.log(`${section.number} ${section.title}`);
          for (const e of section.experiments) console.log(`  ${e.id.padEnd(30)} ${e.title}`);
        }
        return;
      }
      checkUsage(command, () => checkIds(flags.only ?? []));
      const progress = createProgress();
      const run = await runLab({
        only: flags.only,
        seed: flags.seed,
        quick: flags.quick,
        fashionMnist: flags.fashionMnist,
        epochs: flags.epochs,
        onEvent: (event) => {
          if (event.type === 'start')
            progress.start(`[${event.index + 1}/${event.count}] ${event.id}`, 1);
          else if (event.type === 'progress') progress.update(event.done, event.total);
          else
            progress.stop(
              `${resultSummary(event.result).join('  ')}  (${event.seconds.toFixed(2)} s)`,
            );
        },
      });
      progress.start('figures', 1);
      const out = resolve(flags.out);
      const { files } = await writeReport(out, run, (done, total) => progress.update(done, total));
      progress.stop(`${files.length} files`);
      console.log(
        formatTable(
          ['experiment', 'result', 'check'],
          run.runs.map((r) => [r.id, ...resultSummary(r.result)]),
        ),
      );
      console.log('');
      for (const line of summary(run)) console.log(line);
      console.log(`report: ${out}/index.html`);
    });
}
