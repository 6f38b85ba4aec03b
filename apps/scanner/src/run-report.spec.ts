import { describe, expect, it } from 'vitest';
import { RunRecordSchema } from '@sluice/contracts';
import { buildRunReport } from './run-report';
import { applyFileEvent } from './run-tracker';
import { doneEvent, failedEvent, manifestFor, runRecord } from './__tests__/run-fixtures';

describe('buildRunReport', () => {
  it("lists each failed file with its failure's code, reason and attempt as fields", () => {
    const failed = applyFileEvent(runRecord(), failedEvent('b', '2024-02'))!;
    const settled = applyFileEvent(failed, doneEvent('a', '2024-01'), { manifest: manifestFor('a', '2024-01') })!;
    const report = buildRunReport({ ...settled, state: 'completed_with_failures', finishedAt: '2026-01-01T00:01:00.000Z' });
    expect(report.reportVersion).toBe(2);
    expect(report.counts).toMatchObject({ total: 2, done: 1, failed: 1 });
    expect(report.failures).toEqual([{ sourceKey: 'b', code: 'not_parquet', reason: 'HTML page', attempt: 1 }]);
  });

  it('reports the failures of a run recorded in the string form by the previous version', () => {
    const stored = JSON.parse(JSON.stringify(runRecord()));
    stored.failed = 1;
    stored.files.b = { ...stored.files.b, status: 'failed', error: 'truncated: the footer claims 4,096 bytes, the file has 100', errorCode: 'truncated' };
    const report = buildRunReport(RunRecordSchema.parse(stored));
    expect(report.failures).toEqual([{ sourceKey: 'b', code: 'truncated', reason: 'the footer claims 4,096 bytes, the file has 100' }]);
  });
});
