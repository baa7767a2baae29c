#!/usr/bin/env node
/**
 * The suite's strength, measured: applies each mutation below (one wrong line in src/, bench/ or
 * assembly/, of the kind a mutation audit found no test catching), runs the tests that should
 * notice, and expects them to fail. A mutant that survives is a hole in the suite.
 *
 *     npm run mutants                 every mutant, each against the test files it names
 *     npm run mutants -- --full       each against the whole suite (slow: a minute a mutant)
 *     npm run mutants -- arena        only the mutants whose name contains "arena"
 *
 * The work happens in a copy of the working tree (tracked and untracked files, git's ignores
 * aside) under the system's temporary folder, with node_modules linked, so the checkout is never
 * touched. Exit code 0 when every mutant is killed, 1 when one survives or no longer applies
 * (its `from` text is gone: update the list with the code).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** file, the text to change, what it becomes, and the tests that must then fail. */
const mutants = [
  {
    name: 'state dtype: a state dict of another stateDtype loads',
    file: 'packages/descent/src/optim/optimizer.ts',
    from: 'checkSameStateDtype(\n',
    to: '((..._: unknown[]) => {})(\n',
    tests: ['packages/descent/test/optim/state-dtype.test.ts'],
  },
  {
    name: 'state dtype: the update reads the bfloat16 moment before it is rounded',
    file: 'packages/descent/src/kernels/moment.ts',
    from: 'array[i] = bfloat16Value(bits);',
    to: 'void bits;',
    tests: ['packages/descent/test/optim/state-dtype.test.ts'],
  },
  {
    name: "state dtype: stochastic rounding's key ignores the step",
    file: 'packages/descent/src/optim/state-dtype.ts',
    from: 'roundingKey(rounding.seed, rounding.stream, rounding.step, rounding.which)',
    to: 'roundingKey(rounding.seed, rounding.stream, 1, rounding.which)',
    tests: ['packages/descent/test/optim/state-dtype.test.ts'],
  },
  {
    name: 'state dtype: centered RMSprop takes int8 state',
    file: 'packages/descent/src/optim/rmsprop.ts',
    from: "if (o.centered && o.stateDtype === 'int8')",
    to: 'if (false)',
    tests: ['packages/descent/test/optim/state-dtype.test.ts'],
  },
  {
    name: "state dtype: int8's sign fix is left out",
    file: 'packages/descent/src/kernels/blockwise.ts',
    from: 'if (signed && signBit(map[code]) !== signBit(x))',
    to: 'if (!signed && signBit(map[code]) !== signBit(x))',
    tests: ['packages/descent/test/kernels/blockwise.test.ts'],
  },
  {
    name: 'state dtype: a NaN in an int8 block is hidden by the values after it',
    file: 'packages/descent/src/kernels/blockwise.ts',
    from: 'max = Math.max(max, Math.abs(values[i]));',
    to: 'if (!(Math.abs(values[i]) <= max)) max = Math.abs(values[i]);',
    tests: ['packages/descent/test/kernels/blockwise.test.ts'],
  },
  {
    name: 'adafactor: a matrix row split between two threads is summed by both',
    file: 'packages/descent/assembly/adafactor.ts',
    from: 'for (let q = lo / n + (lo % n != 0 ? 1 : 0); q * n < hi; q++)',
    to: 'for (let q = lo / n; q * n < hi; q++)',
    tests: ['packages/descent/test/kernels/wasm/kernels.test.ts'],
  },
  {
    name: 'adafactor: a tile of columns starting before a range is summed by its thread too',
    file: 'packages/descent/assembly/adafactor.ts',
    from: 'let t: u32 = lo > base ? (lo - base + tile - 1) / tile : 0;',
    to: 'let t: u32 = lo > base ? (lo - base) / tile : 0;',
    tests: ['packages/descent/test/kernels/wasm/kernels.test.ts'],
  },
  {
    name: 'arena: a block the bump pointer takes back is not zeroed (identical runs differed)',
    file: 'packages/descent/src/kernels/wasm/arena.ts',
    from: 'if (start < clean) new Uint8Array',
    to: 'if (start < 0) new Uint8Array',
    tests: [
      'packages/descent/test/kernels/wasm/arena.test.ts',
      'packages/descent/test/optim/differential',
    ],
  },
  {
    name: 'arena: the block of a collected array is kept',
    file: 'packages/descent/src/kernels/wasm/arena.ts',
    from: 'new FinalizationRegistry<number>((start) => release(start));',
    to: 'new FinalizationRegistry<number>(() => {});',
    tests: ['packages/descent/test/optim/differential/memory.test.ts'],
  },
  {
    name: 'arena: freed arrays are stepped',
    file: 'packages/descent/src/kernels/wasm/arena.ts',
    from: 'return freed.has(array);',
    to: 'return false;',
    tests: ['packages/descent/test/optim/step-checks.test.ts'],
  },
  {
    name: 'optimizer: unknown options accepted',
    file: 'packages/descent/src/optim/optimizer.ts',
    from: 'checkKnownOptions(options, this.optionNames, new.target.name);',
    to: '',
    tests: ['packages/descent/test/optim/step-checks.test.ts'],
  },
  {
    name: 'optimizer: a replaced params list is not checked before the step',
    file: 'packages/descent/src/optim/optimizer.ts',
    from: 'this.validateOptions(group);\n      checkParamList(group.params, ',
    to: 'this.validateOptions(group);\n      (() => {})(group.params, ',
    tests: ['packages/descent/test/optim/step-checks.test.ts'],
  },
  {
    name: 'optimizer: a gradient partly overlapping its parameter is stepped',
    file: 'packages/descent/src/optim/optimizer.ts',
    from: 'if (grad.byteOffset < dataEnd && data.byteOffset < gradEnd) {',
    to: 'if (false) {',
    tests: ['packages/descent/test/optim/step-checks.test.ts'],
  },
  {
    name: 'optimizer: a replaced gradient runs on the TypeScript kernels',
    file: 'packages/descent/src/kernels/wasm/staging.ts',
    from: 'if (inArena(grad) || !inArena(data) || !simdEnabledNow()) return grad;',
    to: 'return grad;',
    tests: ['packages/descent/test/optim/step-checks.test.ts'],
  },
  {
    name: 'validate: an infinite learning rate is accepted',
    file: 'packages/descent/src/core/validate.ts',
    from: 'if (!infinite && !Number.isFinite(number)) {',
    to: 'if (false) {',
    tests: ['packages/descent/test/optim/step-checks.test.ts'],
  },
  {
    name: 'validate: an exclusive upper bound of a spec is taken as inclusive (betas of 1)',
    file: 'packages/descent/src/core/validate.ts',
    from: '(maxExclusive ? !(number < max) : number > max)',
    to: 'number > max',
    tests: ['packages/descent/test/optim/adam.test.ts', 'packages/descent/test/core/spec.test.ts'],
  },
  {
    name: "validate: a pair's own element bounds are ignored (Rprop's etas)",
    file: 'packages/descent/src/core/validate.ts',
    from: 'spec.items?.[i] ?? spec',
    to: 'spec',
    tests: ['packages/descent/test/optim/rprop.test.ts', 'packages/descent/test/core/spec.test.ts'],
  },
  {
    name: "validate: an option fixed at its default takes any value (AdamW's decoupledWeightDecay)",
    file: 'packages/descent/src/core/validate.ts',
    from: 'if (spec.fixed !== undefined && value !== spec.default) {',
    to: 'if (false) {',
    tests: ['packages/descent/test/optim/adamw.test.ts'],
  },
  {
    name: 'Adam (TypeScript kernel): second moment weighted by 1 − β₁',
    file: 'packages/descent/src/kernels/adam.ts',
    from: 'const weight2 = 1 - beta2;',
    to: 'const weight2 = 1 - beta1;',
    tests: [
      'packages/descent/test/kernels/wasm/replay.test.ts',
      'packages/descent/test/optim/adam.test.ts',
    ],
  },
  {
    name: 'benchmark: "all cores" run on one thread',
    file: 'packages/descent-bench/src/descent.ts',
    from: 'configureSimd({ parallelThreshold: allCores ? ALL_CORES : NEVER });',
    to: 'configureSimd({ parallelThreshold: NEVER });',
    tests: ['packages/descent-bench/test'],
  },
  {
    name: 'loading: a negative step count accepted',
    file: 'packages/descent/src/core/serialize.ts',
    from: '(x) => Number.isSafeInteger(x) && x >= 0),',
    to: '(x) => Number.isSafeInteger(x)),',
    tests: [
      'packages/descent/test/optim/state-dict.test.ts',
      'packages/descent/test/optim/load-state.test.ts',
    ],
  },
  {
    name: 'scheduler: a constructor refused by its first step leaves initialLr on the groups',
    file: 'packages/descent/src/schedules/lr-scheduler.ts',
    from: 'for (const key of Object.keys(group)) if (!(key in before)) delete group[key];',
    to: '',
    tests: ['packages/descent/test/schedules/constructor-checks.test.ts'],
  },
  {
    name: 'scheduler: a factor whose reciprocal overflows accepted',
    file: 'packages/descent/src/schedules/lr-scheduler.ts',
    from: 'if (!Number.isFinite(1 / factor)) {',
    to: 'if (false) {',
    tests: ['packages/descent/test/schedules/constructor-checks.test.ts'],
  },
  {
    name: 'polynomialSchedule: 1 − f^p instead of (1 − f)^p',
    file: 'packages/descent/src/schedules/pure/decay.ts',
    from: '(initValue - endValue) * (1 - f) ** power',
    to: '(initValue - endValue) * (1 - f ** power)',
    tests: ['packages/descent/test/schedules'],
  },
  {
    name: 'exponentialDecay: staircase ignored',
    file: 'packages/descent/src/schedules/pure/decay.ts',
    from: 'const exponent = staircase ? Math.floor(t / transitionSteps) : t / transitionSteps;',
    to: 'const exponent = t / transitionSteps;',
    tests: ['packages/descent/test/schedules'],
  },
  {
    name: "lab: Adagrad's eps 0 instead of 1e-6",
    file: 'packages/descent-lab/src/lab/optimizers.ts',
    from: "['adagrad', { className: 'Adagrad', options: { lr: 0.1, eps: 1e-6 } }],",
    to: "['adagrad', { className: 'Adagrad', options: { lr: 0.1, eps: 0 } }],",
    tests: ['packages/descent-lab/test/lab'],
  },
  {
    name: "lab: 'yogi' runs Adam",
    file: 'packages/descent-lab/src/lab/optimizers.ts',
    from: "['yogi', { className: 'Yogi',",
    to: "['yogi', { className: 'Adam',",
    tests: ['packages/descent-lab/test/lab'],
  },
  {
    name: 'benchmark: GB/s off by a factor of 1,000',
    file: 'packages/descent-bench/src/timing.ts',
    from: 'return bytes / ms / 1e6;',
    to: 'return bytes / ms / 1e3;',
    tests: ['packages/descent-bench/test'],
  },
  {
    name: 'utilities: clipGradNorm divides by the norm without its 1e-6',
    file: 'packages/descent/src/optim/clip-grad.ts',
    from: 'Math.min(maxNorm / (total + 1e-6), 1)',
    to: 'Math.min(maxNorm / total, 1)',
    tests: ['packages/descent/test/optim/clip-grad.test.ts'],
  },
  {
    name: "utilities: Lookahead checks its slow weights' fit only after the inner step",
    file: 'packages/descent/src/optim/lookahead.ts',
    from: "    checkFits(params, slow, 'slow weights');\n",
    to: '',
    tests: ['packages/descent/test/optim/lookahead.test.ts'],
  },
  {
    name: 'utilities: skipNonFinite skips one step more than maxConsecutive',
    file: 'packages/descent/src/optim/skip-non-finite.ts',
    from: 'if (this.notfiniteCount >= maxConsecutive) {',
    to: 'if (this.notfiniteCount > maxConsecutive) {',
    tests: ['packages/descent/test/optim/skip-non-finite.test.ts'],
  },
  {
    name: 'utilities: a loaded skipNonFinite state may say the last step was finite while skipping',
    file: 'packages/descent/src/optim/skip-non-finite.ts',
    from: 'if (lastFinite !== (notfiniteCount === 0)) {',
    to: 'if (false) {',
    tests: ['packages/descent/test/optim/skip-non-finite.test.ts'],
  },
];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const full = args.includes('--full');
const only = args.filter((a) => !a.startsWith('--'));
const chosen = mutants.filter((m) => only.length === 0 || only.some((o) => m.name.includes(o)));

const copy = mkdtempSync(join(tmpdir(), 'descent-mutants-'));
const listed = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
  cwd: root,
  encoding: 'utf8',
});
if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
for (const file of listed.stdout.split('\0').filter(Boolean)) {
  try {
    cpSync(join(root, file), join(copy, file), { recursive: true });
  } catch {
    // a file deleted in the working tree but still tracked
  }
}
symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
// bin/descent.js and the benchmark run compiled code: build the copy once, as `npm ci` would.
const built = spawnSync('npm', ['run', 'build'], { cwd: copy, stdio: 'ignore' });
if (built.status !== 0) throw new Error('npm run build failed in the copy');

let survivors = 0;
for (const m of chosen) {
  const path = join(copy, m.file);
  const original = readFileSync(path, 'utf8');
  const count = original.split(m.from).length - 1;
  if (count !== 1) {
    console.log(`STALE    ${m.name}: ${m.file} has the text ${count} times, not once`);
    survivors++;
    continue;
  }
  writeFileSync(path, original.replace(m.from, m.to));
  // The tests import src/ as it is; a kernel in assembly/ reaches them through the embedded binary.
  const kernel = m.file.includes('/assembly/');
  const rebuild = () =>
    spawnSync('npm', ['run', 'build:wasm', '-w', 'descent'], { cwd: copy, stdio: 'ignore' });
  if (kernel) rebuild();
  const started = Date.now();
  const run = spawnSync('npx', ['vitest', 'run', ...(full ? [] : m.tests)], {
    cwd: copy,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  writeFileSync(path, original);
  if (kernel) rebuild();
  const failed = /tests: (\d+) passed, (\d+) failed/.exec(run.stdout);
  if (run.status !== 0) {
    console.log(
      `killed   ${m.name} (${failed ? `${failed[2]} failing tests` : 'failed'}, ${seconds} s)`,
    );
  } else {
    console.log(`SURVIVED ${m.name} (${m.file}; ran ${full ? 'the suite' : m.tests.join(' ')})`);
    survivors++;
  }
}
rmSync(copy, { recursive: true, force: true });
console.log(`${chosen.length - survivors} of ${chosen.length} mutants killed`);
process.exit(survivors === 0 ? 0 : 1);
