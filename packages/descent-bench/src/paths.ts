import { existsSync } from 'node:fs';

/**
 * The benchmark package's folder (packages/descent-bench/), as a directory URL: the benchmark
 * runs from src/ (tests) or from its compiled copy in .bench/descent-bench/src/ (npm run bench),
 * so it looks upwards for its package.json.
 */
export function packageRoot(): URL {
  let dir = new URL('.', import.meta.url);
  while (!existsSync(new URL('package.json', dir))) {
    const parent = new URL('..', dir);
    if (parent.href === dir.href) throw new Error('bench: cannot find its package.json');
    dir = parent;
  }
  return dir;
}
