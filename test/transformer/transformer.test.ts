// The transformer process alone, fed work messages directly: commit, bad files, idempotent redelivery,
// graceful stop (finish or nak), and retry of a transient storage outage. The services reach S3 through the fault
// proxy: a stop mid-file holds the worker's read of its source there (small files, no race against the clock).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import {
  CONTRACT_VERSION,
  DURABLES,
  manifestKey,
  outputKey,
  type FileDiscovered,
  type FileEvent,
} from '@sluice/contracts';
import { startS3Server } from '@sluice/embedded';
import { Publisher } from '@sluice/messaging';
import { BAD_FILE_KINDS, generateBadFile, generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_FILE_CODES, fileEventFor, holdSourceRead, planWork, publishWork, startPipelineHarness, waitFor, type PipelineHarness } from '../support';

const MONTHS_BY_KIND = Object.fromEntries(BAD_FILE_KINDS.map((kind, i) => [kind, `2023-${String(i + 1).padStart(2, '0')}`]));

describe('transformer', () => {
  let h: PipelineHarness;
  let stopRestartedS3: (() => Promise<void>) | undefined;

  const work = (runId: string, month: string, key?: string) => publishWork(h, runId, month, key);
  const eventFor = (runId: string, month: string, type: FileEvent['type']) => fileEventFor(h, runId, month, type);
  /** How many times a transformer of this file has logged that it is stopping (they share one log file). */
  const stoppingLogs = () => readFileSync(join(h.logDir, 'transformer.log'), 'utf8').split('\n').filter((l) => l.includes('transformer stopping')).length;
  const backlog = async () => {
    const info = await h.jsm.consumers.info(DURABLES.transformers.stream, DURABLES.transformers.consumer);
    return info.num_pending + info.num_ack_pending;
  };

  beforeAll(async () => {
    h = await startPipelineHarness({ env: { WORK_ACK_WAIT_MS: '10000' }, s3FaultProxy: true });
    await h.source.put('fhvhv_tripdata_2024-01.parquet', generateFhvhvParquet({ month: '2024-01', rows: 5_000, seed: 1 }));
    for (const kind of BAD_FILE_KINDS) await h.source.put(`fhvhv_tripdata_${MONTHS_BY_KIND[kind]}.parquet`, generateBadFile(kind));
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
    await stopRestartedS3?.();
  });

  it('commits a file: output, then manifest, then ack; reports it done', async () => {
    await h.startService('transformer');
    await work('t1', '2024-01');
    const done = await eventFor('t1', '2024-01', 'done');
    expect(done).toMatchObject({ rowsIn: 5_000, outputKey: outputKey('fhvhv', '2024-01') });
    expect(await h.sink.head(outputKey('fhvhv', '2024-01'))).toBeDefined();
    expect((await h.manifests()).map((m) => m.runId)).toEqual(['t1']);
    await waitFor(async () => (await backlog()) === 0, { what: 'work acked' });
  });

  it('a redelivered message for a committed file reports it again without redoing it', async () => {
    const before = (await h.manifests())[0].writtenAt;
    // The same Msg-Id inside the duplicate window would be dropped by the stream: publish without one, as a
    // redelivery after a lost ack looks to the worker.
    const msg = { v: CONTRACT_VERSION, runId: 't1', dataset: 'fhvhv', month: '2024-01', target: 'production', reason: 'new',
      source: { key: 'fhvhv_tripdata_2024-01.parquet', etag: (await h.source.head('fhvhv_tripdata_2024-01.parquet'))!.etag, size: (await h.source.head('fhvhv_tripdata_2024-01.parquet'))!.size } };
    await jetstream(h.nc).publish('pipeline.file.discovered', JSON.stringify(msg));
    await waitFor(() => h.fileEvents.some((e) => e.runId === 't1' && e.type === 'done' && e.alreadyCommitted), { what: 'already-committed done event' });
    expect((await h.manifests())[0].writtenAt).toBe(before);
  });

  it('fails each bad file with a precise reason, as a file event and a dead letter; a zero-row file is valid', async () => {
    for (const kind of BAD_FILE_KINDS) await work('t2', MONTHS_BY_KIND[kind]);
    const zero = await eventFor('t2', MONTHS_BY_KIND['zero-rows'], 'done');
    expect(zero).toMatchObject({ rowsIn: 0, rowsOut: 0 });
    const expected = BAD_FILE_CODES;
    for (const [kind, code] of Object.entries(expected)) {
      const failed = await eventFor('t2', MONTHS_BY_KIND[kind], 'failed');
      expect(failed.type === 'failed' && failed.code, kind).toMatch(code);
      expect(failed.type === 'failed' && failed.reason.length, kind).toBeGreaterThan(10);
      expect(await h.sink.head(outputKey('fhvhv', MONTHS_BY_KIND[kind])), kind).toBeUndefined();
    }
    const letters = await h.deadLetters();
    expect(letters.filter((d) => d.runId === 't2').length).toBe(Object.keys(expected).length);
    await waitFor(async () => (await backlog()) === 0, { what: 'bad files removed from the queue' });
  });

  // Mid-file, deterministically: the worker's read of the source is held in the proxy until the worker has taken
  // the signal (its log says it is stopping), so the file cannot finish before the drain starts, nor the drain
  // time out before the file is released (DRAIN_TIMEOUT_MS 10 s).
  it('SIGTERM mid-file finishes the file before exiting: committed once, nothing left in the queue', async () => {
    await h.source.put('fhvhv_tripdata_2024-05.parquet', generateFhvhvParquet({ month: '2024-05', rows: 5_000, seed: 5 }));
    const read = holdSourceRead(h, 'fhvhv_tripdata_2024-05.parquet');
    await work('t3', '2024-05');
    await eventFor('t3', '2024-05', 'started');
    await read.arrived();
    const worker = h.services.get('transformer')!;
    const stopping = stoppingLogs();
    worker.kill('SIGTERM');
    await waitFor(() => stoppingLogs() > stopping, { what: 'the transformer stopping (its log)' });
    expect(h.fileEvents.filter((e) => e.runId === 't3' && e.type === 'done')).toEqual([]);
    read.release();
    expect((await worker.exited).code).toBe(0);
    await eventFor('t3', '2024-05', 'done'); // published before the exit, but it may still be on its way to this test
    expect(h.fileEvents.filter((e) => e.runId === 't3' && e.type === 'done')).toHaveLength(1);
    expect((await h.manifests()).find((m) => m.month === '2024-05')?.runId).toBe('t3');
    expect(await backlog()).toBe(0);
  });

  it('SIGTERM past the drain timeout naks the file: another worker completes it, exactly once', async () => {
    await h.startService('transformer', { DRAIN_TIMEOUT_MS: '0' });
    await h.source.put('fhvhv_tripdata_2024-06.parquet', generateFhvhvParquet({ month: '2024-06', rows: 5_000, seed: 6 }));
    // The first worker's read of the file is held until it has exited: it cannot finish within any drain timeout.
    const read = holdSourceRead(h, 'fhvhv_tripdata_2024-06.parquet');
    await work('t4', '2024-06');
    await eventFor('t4', '2024-06', 'started');
    await read.arrived();
    const first = h.services.get('transformer')!;
    first.kill('SIGTERM');
    await first.exited;
    read.release(); // its client has gone; the second worker's read is not held
    expect(await h.sink.head(manifestKey('fhvhv', '2024-06'))).toBeUndefined();
    expect(await backlog()).toBe(1);
    await h.startService('transformer');
    await eventFor('t4', '2024-06', 'done');
    expect(h.fileEvents.filter((e) => e.runId === 't4' && e.type === 'done')).toHaveLength(1);
    await waitFor(async () => (await backlog()) === 0, { what: 'work acked by the second worker' });
  });

  it('retries through a storage outage and completes the file when S3 is back', async () => {
    await h.source.put('fhvhv_tripdata_2024-07.parquet', generateFhvhvParquet({ month: '2024-07', rows: 2_000, seed: 7 }));
    await work('t5', '2024-07');
    await eventFor('t5', '2024-07', 'done'); // warm: now stop S3 and send another file
    await h.source.put('fhvhv_tripdata_2024-08.parquet', generateFhvhvParquet({ month: '2024-08', rows: 2_000, seed: 8 }));
    const info = (await h.source.head('fhvhv_tripdata_2024-08.parquet'))!;
    const later: FileDiscovered = {
      v: CONTRACT_VERSION, runId: 't5', dataset: 'fhvhv', month: '2024-08', target: 'production', reason: 'new',
      source: { key: 'fhvhv_tripdata_2024-08.parquet', etag: info.etag, size: info.size },
    };
    await planWork(h, later);
    await h.s3.stop();
    await new Publisher(h.nc).work(later);
    await waitFor(async () => (await h.jsm.consumers.info(DURABLES.transformers.stream, DURABLES.transformers.consumer)).num_redelivered > 0 || h.fileEvents.some((e) => e.runId === 't5' && e.month === '2024-08' && e.type === 'started' && e.attempt > 1), {
      what: 'a retry while S3 is down',
      timeoutMs: 30_000,
    });
    const restarted = await startS3Server({ dir: h.s3.dir, port: Number(new URL(h.s3.endpoint).port) });
    stopRestartedS3 = () => restarted.stop();
    const done = await eventFor('t5', '2024-08', 'done');
    expect(done).toMatchObject({ rowsIn: 2_000 });
    expect(h.fileEvents.some((e) => e.runId === 't5' && e.month === '2024-08' && e.type === 'failed')).toBe(false);
  });
});
