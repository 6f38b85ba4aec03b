// Ends every run with one plain line, `tests: N passed, N failed, N skipped`, that CI and scripts can read.
import type { File, Reporter, Task } from 'vitest';

export default class SummaryReporter implements Reporter {
  onFinished(files: File[] = []): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const visit = (task: Task) => {
      if (task.type === 'suite') {
        task.tasks.forEach(visit);
        // A file that failed to load has no tests but must not count as green.
        if (task.result?.state === 'fail' && task.tasks.length === 0) counts.failed += 1;
        return;
      }
      const state = task.result?.state;
      if (state === 'pass') counts.passed += 1;
      else if (state === 'fail') counts.failed += 1;
      else counts.skipped += 1;
    };
    files.forEach(visit);
    process.stdout.write(`\ntests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
