import { Command } from 'commander';

/** The `descent` command line. Each subcommand lives in its own module under src/cli/. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('descent')
    .description('Optimizers and learning-rate schedules for deep learning, and the lab that reproduces the optimization chapter')
    .exitOverride((error) => {
      process.exit(error.exitCode === 0 ? 0 : 2);
    });
  await program.parseAsync(argv);
}
