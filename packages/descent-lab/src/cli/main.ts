import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerCompare } from './compare.js';
import { registerLab } from './lab.js';
import { registerPlayground } from './playground.js';
import { registerPlot } from './plot.js';

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
);

/**
 * The `descent` command line. Each subcommand lives in its own module under src/cli/ and imports
 * the lab only when it runs, so that `--help` answers at once. Usage errors (unknown options, bad
 * values) print one line and exit with code 2; a failure while running exits with 1.
 */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('descent')
    .description(
      'Optimizers and learning-rate schedules for deep learning, and the lab that reproduces the optimization chapter',
    )
    .version(version)
    .showSuggestionAfterError()
    .exitOverride((error) => {
      process.exit(error.exitCode === 0 ? 0 : 2);
    });
  registerLab(program);
  registerPlot(program);
  registerCompare(program);
  registerPlayground(program);
  await program.parseAsync(argv);
}
