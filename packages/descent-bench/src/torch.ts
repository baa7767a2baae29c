import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OptimizerSpec } from './optimizers.js';
import { packageRoot } from './paths.js';
import type { Budget, Timing } from './timing.js';

/** Debian's python3, which has python3-torch; the benchmark uses no other. */
export const PYTHON = '/usr/bin/python3';

export interface TorchResult extends Timing {
  optimizer: string;
  size: number;
  foreach: boolean;
  /** Threads of the better timing: all cores or one. */
  threads: number;
  /** For the many-small-tensors case: 'many' tensors or 'one' of the same total size. */
  layout?: 'many' | 'one';
}

export interface TorchRun {
  torch: string;
  threads: number;
  results: TorchResult[];
}

/**
 * PyTorch's CPU step times (foreach and single-tensor) from src/torch_bench.py, or null when
 * /usr/bin/python3 cannot import torch.
 */
export function timeTorch(
  specs: OptimizerSpec[],
  sizes: number[],
  manySmall: { count: number; size: number; total: number } | null,
  budget: Budget,
): TorchRun | null {
  if (!existsSync(PYTHON)) return null;
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
  if (probe.status !== 0) return null;
  const job = {
    sizes,
    optimizers: specs
      .filter((s) => s.torch !== undefined)
      .map((s) => ({ name: s.name, torch: s.torch!.name, options: s.torch!.options })),
    manySmall,
    budgetMs: budget.budgetMs,
    minReps: budget.minReps,
    maxReps: budget.maxReps,
  };
  const script = fileURLToPath(new URL('src/torch_bench.py', packageRoot()));
  const run = spawnSync(PYTHON, [script], {
    input: JSON.stringify(job),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`bench: ${script} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as TorchRun;
}
