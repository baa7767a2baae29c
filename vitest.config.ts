import { defaultServerConditions } from 'vite';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * One Vitest run (`npm test`) over the workspaces, as six projects:
 * - `descent`: the library's tests (packages/descent/test), but the differential suite;
 * - `differential`: the library's randomized differential suite (test/optim/differential/), and beside it
 *   the arena's memory test (memory.test.ts), whose worker runs with --expose-gc so they can
 *   force collections (`npx vitest run --project
 *   differential`; the soak: `npm run soak`, scripts/soak.mjs);
 * - `descent-lab`: the command line's and the lab's tests;
 * - `descent-bench`: the benchmark's (that it runs, and its arithmetic; never timings);
 * - `docs`: the repository's own (test/: the README's and CONTRIBUTING's examples compile);
 * - `browser`: the playground in Chromium (`*.browser.test.ts`, through playwright-core), which
 *   `npm test` leaves out (`--project '!browser'`) so that it passes without a browser; `npm run
 *   test:browser` runs it.
 *
 * Every project resolves `descent` through its "descent-source" export condition, to the library's
 * TypeScript sources: the applications' tests run the current library, not its last build.
 */
const differential = 'packages/descent/test/optim/differential';

export default defineConfig({
  ssr: { resolve: { conditions: ['descent-source', ...defaultServerConditions] } },
  test: {
    testTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'descent',
          include: ['packages/descent/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, `${differential}/**`],
        },
      },
      {
        extends: true,
        test: {
          name: 'differential',
          include: [`${differential}/*.test.ts`],
          execArgv: ['--expose-gc'],
        },
      },
      {
        extends: true,
        test: {
          name: 'descent-lab',
          include: ['packages/descent-lab/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, '**/*.browser.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['packages/descent-lab/test/playground/*.browser.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: { name: 'descent-bench', include: ['packages/descent-bench/test/**/*.test.ts'] },
      },
      { extends: true, test: { name: 'docs', include: ['test/**/*.test.ts'] } },
    ],
  },
});
