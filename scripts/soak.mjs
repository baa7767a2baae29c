#!/usr/bin/env node
/**
 * Soak of the differential suite (test/optim/differential/): the same properties as the quick
 * run in `npm test`, bit for bit against each run's first execution and a fresh process, and to
 * tolerance against the TypeScript kernels, over many more and bigger random scenarios: up to 20
 * steps, 4 runs, 40 operations and 150 tensors per optimizer (past the 64 rows of the first step
 * table), with 2.5% of tensors around or past the thread threshold of 2^19 elements (0.4% quick).
 *
 *   npm run soak                          # rounds for 60 minutes, 40 scenarios each
 *   npm run soak -- --minutes 240 --runs 100
 *   npm run soak -- --seed 12345          # one round from that seed (reproduces a failure)
 *
 * Each round is `vitest run --project differential` with DESCENT_DIFF_SCALE=soak,
 * DESCENT_DIFF_RUNS and a fresh DESCENT_DIFF_SEED (printed first). The first failing round stops
 * the soak; fast-check prints the shrunk scenario (also saved as JSON, replayed alone with
 * DESCENT_DIFF_REPLAY, as the error says), and the line printed after it reruns the round.
 * A round of 40 scenarios (and 4 per optimizer setting) takes about 5 minutes on 2 cores, more
 * when a test fails (its shrinking goes on for up to 10 minutes); a round always finishes, so the
 * soak may run past --minutes by one round.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    runs: { type: 'string', default: '40' },
    seed: { type: 'string' },
  },
});
const minutes = Number(values.minutes);
const runs = Number(values.runs);
if (!(minutes > 0) || !Number.isInteger(runs) || runs < 1) {
  console.error('usage: node scripts/soak.mjs [--minutes M] [--runs N] [--seed S]');
  process.exit(2);
}

const deadline = Date.now() + minutes * 60_000;
let seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
let round = 0;
do {
  round++;
  const env = {
    ...process.env,
    DESCENT_DIFF_SCALE: 'soak',
    DESCENT_DIFF_RUNS: String(runs),
    DESCENT_DIFF_SEED: String(seed),
  };
  const rerun = `DESCENT_DIFF_SCALE=soak DESCENT_DIFF_RUNS=${runs} DESCENT_DIFF_SEED=${seed} npx vitest run --project differential`;
  console.log(`\nsoak round ${round}: seed ${seed}, ${runs} scenarios`);
  const started = Date.now();
  const result = spawnSync('npx', ['vitest', 'run', '--project', 'differential'], {
    stdio: 'inherit',
    env,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (result.status !== 0) {
    console.log(`\nsoak round ${round} FAILED after ${seconds} s; to rerun it:\n  ${rerun}`);
    process.exit(1);
  }
  console.log(`soak round ${round} passed in ${seconds} s`);
  seed = (seed + 7919) % 2 ** 31;
} while (values.seed === undefined && Date.now() < deadline);
console.log(`\nsoak: ${round} round(s) passed`);
