import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line, "tests: N passed, N failed", which CI reads whatever the test
 * runner; Vitest's own summary stays above it.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) counts[test.result().state] += 1;
    }
    const failedModules = testModules.filter(
      (m) => m.state() === 'failed' && !m.children.size,
    ).length;
    const failed = counts.failed + failedModules;
    console.log(`\ntests: ${counts.passed} passed, ${failed} failed, ${counts.skipped} skipped`);
  }
}
