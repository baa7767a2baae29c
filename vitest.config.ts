import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Two projects, both run by `vitest run` (and so by `npm test`):
 * - `unit`: every test file but the differential suite, as before;
 * - `differential`: the randomized differential suite (test/optim/differential/), whose worker
 *   runs with --expose-gc so the suite can force collections (`npx vitest run --project
 *   differential`; the soak: `npm run soak`, scripts/soak.mjs).
 */
const differential = 'test/optim/differential/**';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, differential],
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
    ],
  },
});
