// Messages from permitted publishers are still checked against the run they claim. Seen before on b98030e:
// - a `pipeline.file.discovered` for a run that does not exist replaced green 2024-01's output with a 0-row file
//   whose manifest said `runId: "no-such-run"`;
// - two forged `done` file events completed a run as `succeeded` while no worker ran, and its report recorded
//   `rowsIn: 1999999998` and `outputKey: "../../etc/passwd"`.
// Now: forged work is refused before anything is read or written; a file event counts only for a file planned in
// that run, once, with figures that match the manifest it names. Both are dead-lettered with the reason.
import type { NatsConnection } from '@nats-io/transport-node';
import {
  CONTRACT_VERSION,
  DURABLES,
  fileEventSubject,
  manifestKey,
  outputKey,
  runReportKey,
  SUBJECTS,
  type BusRole,
  type FileDiscovered,
  type FileEvent,
} from '@sluice/contracts';
import { connectNats, Publisher } from '@sluice/messaging';
import { generateFhvhvParquet, generateGreenParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPipelineHarness, waitFor, type PipelineHarness } from '../support';
import { recordSecurityRow } from './security-table';

const GREEN = 'green_tripdata_2024-01.parquet';
const GREEN_EMPTY = 'green_tripdata_2023-12.parquet';
const FHVHV = ['fhvhv_tripdata_2024-01.parquet', 'fhvhv_tripdata_2024-02.parquet'];
let h: PipelineHarness;
const connections: NatsConnection[] = [];

/** A publisher holding a role's own credentials: the forgeries come from users the bus lets publish them. */
async function publisherAs(role: BusRole): Promise<Publisher> {
  const nc = await connectNats({ url: h.nats.url, nkeySeedFile: h.bus!.seedFiles[role] }, `forger-${role}`);
  connections.push(nc);
  return new Publisher(nc);
}

beforeAll(async () => {
  h = await startPipelineHarness();
  await h.source.put(GREEN, generateGreenParquet({ month: '2024-01', rows: 3_000, seed: 1 }));
  await h.source.put(GREEN_EMPTY, generateGreenParquet({ month: '2023-12', rows: 0, seed: 2 }));
  await h.startService('scanner');
  await h.startService('capacity-manager');
}, 60_000);
afterAll(async () => {
  await Promise.all(connections.map((nc) => nc.close()));
  await h?.stop();
});

const bytesOf = async (key: string) => Buffer.from((await h.sink.getBytes(key)) ?? new Uint8Array()).toString('base64');
const lettersWith = async (code: string) => (await h.deadLetters()).filter((d) => d.code === code);

it('forged work for a run that does not exist, or that has finished, is refused: nothing read or written', async () => {
  const good = await h.run({ intent: 'incremental', datasets: ['green'], months: ['2024-01'], runId: 'good-1' });
  expect(good.state).toBe('succeeded');
  const before = { output: await bytesOf(outputKey('green', '2024-01')), manifest: await bytesOf(manifestKey('green', '2024-01')) };
  const empty = (await h.source.head(GREEN_EMPTY))!;
  const green = (await h.source.head(GREEN))!;
  const forge = (runId: string, source: { key: string; etag: string; size: number }): FileDiscovered => ({
    v: CONTRACT_VERSION, runId, dataset: 'green', month: '2024-01', source, target: 'production', reason: 'reprocess',
  });
  // Only the scanner may publish work: these come with its credentials (a stolen scanner seed, or a bug in it).
  const publisher = await publisherAs('scanner');
  // The review's attack: green 2024-01's key, fed from a 0-row file.
  await publisher.publishJson(SUBJECTS.fileDiscovered, forge('no-such-run', { key: GREEN_EMPTY, etag: empty.etag, size: empty.size }));
  // Work naming the finished run (a replay, or a forgery).
  await publisher.publishJson(SUBJECTS.fileDiscovered, forge('good-1', { key: GREEN, etag: green.etag, size: green.size }));
  await waitFor(async () => (await lettersWith('unknown_run')).length === 1 && (await lettersWith('run_not_active')).length === 1, {
    what: 'both forged work messages dead-lettered',
    timeoutMs: 60_000,
  });
  const after = { output: await bytesOf(outputKey('green', '2024-01')), manifest: await bytesOf(manifestKey('green', '2024-01')) };
  const clobbered = Number(after.output !== before.output) + Number(after.manifest !== before.manifest);
  expect(clobbered).toBe(0);
  const manifest = (await h.manifests()).find((m) => m.dataset === 'green')!;
  expect(manifest).toMatchObject({ runId: 'good-1', rowsIn: 3_000 });
  expect(h.fileEvents.filter((e) => e.runId === 'no-such-run')).toEqual([]);
  recordSecurityRow({
    area: 'bus',
    scenario: 'forged pipeline.file.discovered: a run that does not exist (0-row source for green 2024-01), and a finished run',
    expected: 'refused before any read or write; dead-lettered unknown_run / run_not_active',
    happened: `dead letters: unknown_run ${(await lettersWith('unknown_run')).length}, run_not_active ${(await lettersWith('run_not_active')).length}; green 2024-01 manifest runId ${manifest.runId}`,
    lost: 0,
    duplicated: 0,
    clobbered,
  });
});

it('forged done events change nothing; the run counts only what its workers committed', async () => {
  for (const [i, key] of FHVHV.entries()) await h.source.put(key, generateFhvhvParquet({ month: `2024-0${i + 1}`, rows: 4_000, seed: i + 5 }));
  // No worker for now, so the forgeries arrive while the files are still queued.
  await h.services.get('capacity-manager')!.stop();
  await h.requestRun({ intent: 'incremental', datasets: ['fhvhv'], runId: 'victim' });
  await waitFor(async () => (await h.runs.get('victim'))?.total === 2, { what: 'victim planned' });
  const forged = (key: string, month: string, extra: Partial<Extract<FileEvent, { type: 'done' }>>): FileEvent => ({
    type: 'done', runId: 'victim', dataset: 'fhvhv', month, sourceKey: key, workerId: 'evil', rowsIn: 1_999_999_998, rowsOut: 1_999_999_998,
    dropped: {}, outputKey: '../../etc/passwd', outputBytes: 1, rowGroups: 1, durationMs: 1, at: new Date().toISOString(), ...extra,
  });
  // File events are the transformers' to publish: these come with a transformer's credentials.
  const publisher = await publisherAs('transformer');
  await publisher.publishJson(fileEventSubject('victim'), forged(FHVHV[0], '2024-01', {}));
  await publisher.publishJson(fileEventSubject('victim'), forged(FHVHV[1], '2024-02', {}));
  // A real `done` of another run, replayed into this one: its figures match a manifest, but not this run's.
  const greenManifest = (await h.manifests()).find((m) => m.dataset === 'green')!;
  await publisher.publishJson(fileEventSubject('victim'), forged(FHVHV[0], '2024-01', {
    rowsIn: greenManifest.rowsIn, rowsOut: greenManifest.rowsOut, outputKey: greenManifest.output.key,
  }));
  // and a `skipped` while the run is running
  await publisher.publishJson(fileEventSubject('victim'), { type: 'skipped', runId: 'victim', dataset: 'fhvhv', month: '2024-02', sourceKey: FHVHV[1], workerId: 'evil', reason: 'x', at: 'now' });
  // and a `failed` for a file whose work is still queued: it must not stop the worker that will take it
  await publisher.publishJson(fileEventSubject('victim'), {
    type: 'failed', runId: 'victim', dataset: 'fhvhv', month: '2024-02', sourceKey: FHVHV[1], workerId: 'evil', code: 'corrupt', reason: 'forged', attempt: 5, at: 'now',
  });
  const refused = await waitFor(async () => {
    const letters = (await h.deadLetters()).filter((d) => d.runId === 'victim' && d.subject === fileEventSubject('victim'));
    return letters.length === 4 ? letters : undefined;
  }, { what: 'the four forged events dead-lettered' });
  expect(refused.map((d) => d.code).sort()).toEqual(['event_mismatch', 'no_manifest', 'no_manifest', 'no_manifest'].sort());
  // The forged failure is held back (asked again with backoff) while the file's work message is still queued.
  await waitFor(async () => (await h.jsm.consumers.info(DURABLES.runTracker.stream, DURABLES.runTracker.consumer)).num_redelivered > 0, { what: 'the forged failure held back' });
  const during = (await h.runs.get('victim'))!;
  expect(during).toMatchObject({ state: 'running', done: 0, failed: 0, skipped: 0 });

  await h.startService('capacity-manager');
  const record = await waitFor(async () => {
    const r = await h.runs.get('victim');
    return r && r.state !== 'running' ? r : undefined;
  }, { what: 'victim finished', timeoutMs: 60_000 });
  expect(record.state).toBe('succeeded');
  for (const key of FHVHV) expect(record.files[key]).toMatchObject({ status: 'done', rowsIn: 4_000, outputKey: expect.stringMatching(/^fhvhv\/year=2024\/month=0[12]\//) });
  // the report is written right after the final state
  const report = await waitFor(async () => {
    const bytes = await h.sink.getBytes(runReportKey('victim'));
    return bytes && bytes.length > 0 ? JSON.parse(Buffer.from(bytes).toString()) : undefined;
  }, { what: 'the run report' });
  expect(JSON.stringify(report)).not.toMatch(/1999999998|etc\/passwd/);
  recordSecurityRow({
    area: 'bus',
    scenario: "forged file events with a transformer's credentials: two `done` (rowsIn 1999999998, outputKey ../../etc/passwd), another run's `done` replayed, a `skipped`, a `failed` while the file is queued",
    expected: 'none counted (no manifest / manifest of another run / skip while running / failure while its work is queued); the run counts only real commits',
    happened: `dead letters ${refused.map((d) => d.code).join(', ')}; while forged: done ${during.done}; finally ${record.state} with rowsIn ${FHVHV.map((k) => record.files[k].rowsIn).join('+')}`,
    lost: 0,
    duplicated: 0,
    clobbered: Number(/1999999998|etc\/passwd/.test(JSON.stringify(report))),
  });
});
