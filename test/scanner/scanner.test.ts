// The scanner process alone (no workers): planning, Msg-Id de-duplication, one active run, cancel, poison messages.
import { jetstream } from '@nats-io/jetstream';
import { DURABLES, FileDiscoveredSchema, runReportKey, STREAMS, SUBJECTS } from '@sluice/contracts';
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipelineHarness, waitFor, type PipelineHarness } from '../support';

describe('scanner', () => {
  let h: PipelineHarness;
  const workMessages = async () => (await h.jsm.streams.info(STREAMS.work)).state.messages;
  const publishRaw = (subject: string, body: string) => jetstream(h.nc).publish(subject, body);

  beforeAll(async () => {
    h = await startPipelineHarness();
    const file = generateFhvhvParquet({ month: '2024-01', rows: 500, seed: 1 });
    for (const month of ['2024-01', '2024-02', '2024-03']) await h.source.put(`fhvhv_tripdata_${month}.parquet`, file);
    await h.source.put('README.txt', 'not a trip file');
    await h.startService('scanner');
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('enqueues one work message per planned file, each once, in dataset-month order', async () => {
    await jetstream(h.nc).publish(SUBJECTS.run, JSON.stringify({ intent: 'reprocess', runId: 'plan-1', months: ['2024-01', '2024-02'] }));
    await waitFor(async () => (await workMessages()) === 2, { what: 'two work messages' });
    const record = (await h.runs.get('plan-1'))!;
    expect(record).toMatchObject({ state: 'running', total: 2, candidates: 2, intent: 'reprocess' });
    const consumer = await jetstream(h.nc).consumers.get(DURABLES.transformers.stream, DURABLES.transformers.consumer);
    const first = FileDiscoveredSchema.parse((await consumer.next({ expires: 2_000 }))!.json());
    expect(first).toMatchObject({ runId: 'plan-1', dataset: 'fhvhv', month: '2024-01', reason: 'reprocess', target: 'production' });
    expect(first.source.etag).toBe((await h.source.head('fhvhv_tripdata_2024-01.parquet'))!.etag);
  });

  it('a redelivered or repeated pipeline.run resumes the same run: Msg-Ids keep every file enqueued once', async () => {
    const before = (await h.jsm.consumers.info(DURABLES.scanner.stream, DURABLES.scanner.consumer)).ack_floor.stream_seq;
    await jetstream(h.nc).publish(SUBJECTS.run, JSON.stringify({ intent: 'reprocess', runId: 'plan-1', months: ['2024-01', '2024-02'] }));
    await waitFor(async () => (await h.jsm.consumers.info(DURABLES.scanner.stream, DURABLES.scanner.consumer)).ack_floor.stream_seq > before, {
      what: 'the repeated request handled',
    });
    expect(await workMessages()).toBe(2);
  });

  it('rejects a second run while one is active, visibly', async () => {
    await jetstream(h.nc).publish(SUBJECTS.run, JSON.stringify({ intent: 'incremental', runId: 'plan-2' }));
    const rejected = await waitFor(() => h.runEvents.find((e) => e.runId === 'plan-2' && e.type === 'rejected'), { what: 'rejected event' });
    expect(rejected).toMatchObject({ activeRunId: 'plan-1' });
    expect(await h.runs.get('plan-2')).toBeUndefined();
  });

  it('cancel stops the run: queued files dropped, state cancelled, report written, lock released', async () => {
    await jetstream(h.nc).publish(SUBJECTS.cancel, JSON.stringify({ runId: 'plan-1', reason: 'test' }));
    await waitFor(async () => (await h.runs.get('plan-1'))?.state === 'cancelled', { what: 'run cancelled' });
    expect(await workMessages()).toBe(0);
    // Released after the report is written, a moment after the state changes.
    await waitFor(async () => (await h.runs.activeLock()) === undefined, { what: 'the active-run lock released' });
    const report = JSON.parse(Buffer.from((await h.sink.getBytes(runReportKey('plan-1')))!).toString());
    expect(report).toMatchObject({ state: 'cancelled', cancelReason: 'test' });
    expect(h.runEvents.find((e) => e.runId === 'plan-1' && e.type === 'completed')).toMatchObject({ state: 'cancelled' });
  });

  it('a run with no files completes at once, with nothing enqueued', async () => {
    await jetstream(h.nc).publish(SUBJECTS.run, JSON.stringify({ intent: '', runId: 'plan-3', months: ['1999-01'] }));
    const done = await waitFor(async () => {
      const r = await h.runs.get('plan-3');
      return r?.state === 'succeeded' ? r : undefined;
    }, { what: 'empty run completed' });
    expect(done).toMatchObject({ intent: 'incremental', total: 0, candidates: 0 });
    expect(await workMessages()).toBe(0);
  });

  it('sends poison messages to the dead-letter stream and keeps serving', async () => {
    await publishRaw(SUBJECTS.run, 'not json at all');
    await publishRaw(SUBJECTS.run, JSON.stringify({ intent: 'everything' }));
    await publishRaw(SUBJECTS.run, JSON.stringify({ intent: 'incremental', runId: '../../etc' }));
    await publishRaw(SUBJECTS.cancel, JSON.stringify({}));
    await jetstream(h.nc).publish(SUBJECTS.run, JSON.stringify({ intent: 'test_subset', runId: 'plan-4' }));
    await waitFor(async () => (await h.runs.get('plan-4'))?.state === 'running', { what: 'the next valid run accepted' });
    const letters = await h.deadLetters();
    expect(letters.map((d) => [d.subject, d.code])).toEqual([
      [SUBJECTS.run, 'invalid_json'],
      [SUBJECTS.run, 'invalid_message'],
      [SUBJECTS.run, 'invalid_message'],
      [SUBJECTS.cancel, 'invalid_message'],
    ]);
    expect(letters[1].reason).toMatch(/intent/);
    expect(letters[2].reason).toMatch(/runId/);
    expect((await h.runs.get('plan-4'))!).toMatchObject({ target: 'test', total: 1 });
    expect(h.runEvents.filter((e) => e.type === 'planned' && e.runId === 'plan-4')).toHaveLength(1);
  });
});
