import type { Command } from 'commander';
import {
  checkCheckpointFlags,
  checkpointOptions,
  checkUsage,
  formatTable,
  integer,
  list,
  prepareOutputDirectory,
  terminalWidth,
  wrap,
} from './options.js';
import { createProgress, resumeNote } from './progress.js';

interface LabFlags {
  out: string;
  only?: string[];
  seed: number;
  quick?: boolean;
  list?: boolean;
  fashionMnist?: string;
  epochs?: number;
  checkpoint?: string;
  resume?: boolean;
}

/**
 * The summary table of a lab run, within `width` columns. Why an experiment was not run is a
 * note: its cell keeps the reason's first words and a number, and the note, each one once, comes
 * in full below the table. When the result and its check do not fit side by side in columns,
 * they share one (most rows have only one of them), and what still does not fit wraps.
 */
export function labTable(
  runs: readonly { id: string; summary: readonly [string, string]; notRun?: string }[],
  width: number,
): string {
  const notes: string[] = [];
  const rows = runs.map(({ id, summary, notRun }) => {
    if (notRun === undefined) return [id, ...summary];
    let n = notes.indexOf(notRun) + 1;
    if (n === 0) n = notes.push(notRun);
    const short = notRun.split(/: | \(/)[0];
    return [id, `${short === notRun ? 'not run' : short} [${n}]`, ''];
  });
  let table = formatTable(['experiment', 'result', 'check'], rows);
  if (Math.max(...table.split('\n').map((line) => [...line].length)) > width) {
    const merged = rows.map(([id, result, check]) => [
      id,
      [result, check].filter((cell) => cell !== '').join('  '),
    ]);
    table = formatTable(['experiment', 'result and check'], merged, width);
  }
  const below = notes.flatMap((note, i) => wrap(`[${i + 1}] ${note}`, width, '    '));
  return [table, ...(below.length > 0 ? ['', ...below] : [])].join('\n');
}

export function registerLab(program: Command): void {
  const [checkpoint, resume] = checkpointOptions('each Fashion-MNIST run', '<experiment id>');
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
    .addOption(checkpoint)
    .addOption(resume)
    .addHelpText(
      'after',
      `
A long run: descent lab --epochs 30 --checkpoint ck saves each Fashion-MNIST run
after every epoch. Killed, the same command with --resume continues each run
from its last completed epoch, to the results of an uninterrupted run.`,
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
      let checkpointDir: string | undefined;
      const { dir: out, undo } = checkUsage(command, () => {
        checkIds(flags.only ?? []);
        checkpointDir = checkCheckpointFlags(flags);
        return prepareOutputDirectory('--out', flags.out);
      });
      // An experiment asked for by name that does not run is a failure; in a run of them all,
      // the ones that need what is missing are only listed as not run.
      const asked = new Set(flags.only ?? []);
      const progress = createProgress();
      const run = await runLab({
        only: flags.only,
        seed: flags.seed,
        quick: flags.quick,
        fashionMnist: flags.fashionMnist,
        epochs: flags.epochs,
        checkpoint: checkpointDir,
        resume: flags.resume,
        onEvent: (event) => {
          if (event.type === 'start')
            progress.start(`[${event.index + 1}/${event.count}] ${event.id}`, 1);
          else if (event.type === 'progress') progress.update(event.done, event.total);
          else if (event.type === 'resume')
            progress.note(resumeNote(event.id, event.file, event.epochsDone));
          else if (event.result.kind === 'not-run' && asked.has(event.id))
            progress.fail(event.result.reason);
          else
            progress.stop(
              `${resultSummary(event.result).join('  ')}  (${event.seconds.toFixed(2)} s)`,
            );
        },
      });
      const failed = run.runs.flatMap((r) =>
        r.result.kind === 'not-run' && asked.has(r.id)
          ? [{ id: r.id, reason: r.result.reason }]
          : [],
      );
      if (failed.length < run.runs.length) {
        progress.start('figures', 1);
        const { files } = await writeReport(out, run, (done, total) =>
          progress.update(done, total),
        );
        progress.stop(`${files.length} files`);
        const width = terminalWidth();
        console.log(
          labTable(
            run.runs.map((r) => ({
              id: r.id,
              summary: resultSummary(r.result),
              notRun: r.result.kind === 'not-run' ? r.result.reason : undefined,
            })),
            width,
          ),
        );
        console.log('');
        for (const line of summary(run)) console.log(wrap(line, width, '  ').join('\n'));
        console.log(`report: ${out}/index.html`);
      }
      if (failed.length > 0) {
        if (failed.length === run.runs.length) undo();
        const reasons = [...new Set(failed.map((f) => f.reason))];
        const ids = failed.map((f) => f.id).join(', ');
        throw new Error(`did not run ${ids}: ${reasons.join('; ')}`);
      }
    });
}
