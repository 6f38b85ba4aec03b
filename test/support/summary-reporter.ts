// Ends every run with one plain line, `tests: N passed, N failed, N skipped`, that CI and scripts can read.
import type { Reporter, TestModule } from 'vitest/node' with { 'resolution-mode': 'import' };

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      let tests = 0;
      for (const test of module.children.allTests()) {
        tests += 1;
        const state = test.result().state;
        if (state === 'passed') counts.passed += 1;
        else if (state === 'failed') counts.failed += 1;
        else counts.skipped += 1;
      }
      // A file that failed to load has no tests but must not count as green.
      if (tests === 0 && module.state() === 'failed') counts.failed += 1;
    }
    // An error outside any test (an unhandled rejection) fails the run: say so in the line too.
    counts.failed += unhandledErrors.length;
    process.stdout.write(`\ntests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
