import { describe, expect, it } from 'vitest';
import { deadLetterMsgId, lostFileMsgId, runEventMsgId, runRequestMsgId, scheduledRunMsgId, workMsgId } from './message-ids';
import { STREAMS } from './subjects';

const work = (runId: string, dataset: string, key: string) => ({ runId, dataset, source: { key, etag: '"e"', size: 1 } });

describe('message ids', () => {
  // Ids already stored in a stream's duplicate window are compared with the ones a new version builds (a retried
  // request during an upgrade): the format is part of the contract.
  it('keep the formats the streams already hold', () => {
    expect(runRequestMsgId('r-1')).toBe('run:r-1');
    expect(scheduledRunMsgId('2026-11-30T06:00:00.000Z')).toBe('schedule:2026-11-30T06:00:00.000Z');
    expect(workMsgId(work('r-1', 'fhvhv', 'fhvhv_tripdata_2024-01.parquet'))).toBe('r-1:fhvhv:fhvhv_tripdata_2024-01.parquet');
    expect(runEventMsgId('accepted', 'r-1')).toBe('accepted:r-1');
    expect(runEventMsgId('planned', 'r-1')).toBe('planned:r-1');
    expect(runEventMsgId('completed', 'r-1')).toBe('completed:r-1');
    expect(lostFileMsgId('r-1', 'fhvhv_tripdata_2024-01.parquet')).toBe('lost:r-1:fhvhv_tripdata_2024-01.parquet');
    expect(deadLetterMsgId({ stream: STREAMS.work, streamSeq: 42 })).toBe('dlq:PIPELINE_WORK:42');
  });

  it('work: one id per file of a run, whatever else the message says; another file, dataset or run is another id', () => {
    const jan = work('r-1', 'fhvhv', 'fhvhv_tripdata_2024-01.parquet');
    const replaced = { ...jan, source: { ...jan.source, etag: '"other"' } };
    expect(workMsgId(replaced)).toBe(workMsgId(jan));
    const others = [
      work('r-1', 'fhvhv', 'fhvhv_tripdata_2024-02.parquet'),
      work('r-1', 'yellow', 'fhvhv_tripdata_2024-01.parquet'),
      work('r-2', 'fhvhv', 'fhvhv_tripdata_2024-01.parquet'),
    ];
    expect(new Set([jan, ...others].map(workMsgId)).size).toBe(4);
  });

  it('the events stream never confuses two once-only events: each type, run and lost file has its own id', () => {
    const ids = ['r-1', 'r-2'].flatMap((runId) => [
      runEventMsgId('accepted', runId),
      runEventMsgId('planned', runId),
      runEventMsgId('completed', runId),
      lostFileMsgId(runId, 'fhvhv_tripdata_2024-01.parquet'),
      lostFileMsgId(runId, 'fhvhv_tripdata_2024-02.parquet'),
    ]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a run request, a scheduled tick and a dead letter are told apart from any other of their kind', () => {
    expect(runRequestMsgId('r-1')).not.toBe(runRequestMsgId('r-2'));
    expect(scheduledRunMsgId('2026-11-30T06:00:00.000Z')).not.toBe(scheduledRunMsgId('2026-12-07T06:00:00.000Z'));
    const letters = [
      { stream: STREAMS.work, streamSeq: 1 },
      { stream: STREAMS.work, streamSeq: 2 },
      { stream: STREAMS.control, streamSeq: 1 },
    ];
    expect(new Set(letters.map(deadLetterMsgId)).size).toBe(3);
  });
});
