import { existsSync } from 'node:fs';

/**
 * The repository's root, as a directory URL: the benchmark runs from bench/ (tests) or from its
 * compiled copy in .bench/bench/ (npm run bench), so it looks upwards for package.json.
 */
export function repoRoot(): URL {
  let dir = new URL('.', import.meta.url);
  while (!existsSync(new URL('package.json', dir))) {
    const parent = new URL('..', dir);
    if (parent.href === dir.href) throw new Error('bench: cannot find the repository root');
    dir = parent;
  }
  return dir;
}
