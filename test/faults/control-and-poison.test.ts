// Fault 5 and 6: two pipeline.run at once give one run and one visible rejection; poison messages on every subject
// a service consumes go to the dead-letter stream with their reason while the consumers keep processing; the DLQ
// can be listed, replayed and purged from the CLI.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { jetstream } from '@nats-io/jetstream';
import { fileEventSubject, SUBJECTS } from '@sluice/contracts';
import { appEntry } from '@sluice/embedded';
import { MAX_MESSAGE_BYTES } from '@sluice/messaging';
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPipelineHarness, waitFor, type PipelineHarness } from '../support';
import { auditRun } from './fault-audit';

const exec = promisify(execFile);
const MONTHS = ['2024-01', '2024-02', '2024-03'];
const keys = MONTHS.map((m) => `fhvhv_tripdata_${m}.parquet`);
let h: PipelineHarness;
const sluice = (...args: string[]) =>
  exec(process.execPath, [appEntry('cli'), ...args], { env: h.cliEnv() }).then((r) => r.stdout);

beforeAll(async () => {
  h = await startPipelineHarness();
  for (const [i, m] of MONTHS.entries()) await h.source.put(keys[i], generateFhvhvParquet({ month: m, rows: 20_000, seed: i + 1 }));
  await h.startService('scanner');
  await h.startService('capacity-manager');
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

it('two pipeline.run at once: one run, the other visibly rejected', async () => {
  const js = jetstream(h.nc);
  await Promise.all([
    js.publish(SUBJECTS.run, JSON.stringify({ intent: 'incremental', runId: 'twin-a' })),
    js.publish(SUBJECTS.run, JSON.stringify({ intent: 'incremental', runId: 'twin-b' })),
  ]);
  const rejected = await waitFor(() => h.runEvents.find((e) => e.type === 'rejected'), { what: 'a rejection' });
  const winner = rejected.runId === 'twin-a' ? 'twin-b' : 'twin-a';
  expect(rejected).toMatchObject({ activeRunId: winner });
  const record = await waitFor(async () => {
    const r = await h.runs.get(winner);
    return r && r.state !== 'running' ? r : undefined;
  }, { what: 'the accepted run finished', timeoutMs: 60_000 });
  const row = await auditRun(h, 'two pipeline.run at once (one rejected)', record, keys);
  expect(row).toMatchObject({ completed: 3, lost: 0, duplicated: 0, partial: 0 });
  expect(await h.runs.get(rejected.runId)).toBeUndefined();
});

it('poison messages on every consumed subject are dead-lettered with their reason; consumers keep going', async () => {
  const js = jetstream(h.nc);
  const oversize = JSON.stringify({ intent: 'incremental', requestedBy: 'x'.repeat(MAX_MESSAGE_BYTES) });
  const poison: Array<[string, string, string]> = [
    [SUBJECTS.run, 'not json {', 'invalid_json'],
    [SUBJECTS.run, JSON.stringify({ intent: 'everything' }), 'invalid_message'],
    [SUBJECTS.cancel, JSON.stringify({ runId: 42 }), 'invalid_message'],
    [SUBJECTS.fileDiscovered, JSON.stringify({ v: 1, runId: 'x', dataset: 'taxi', month: '2024-01' }), 'invalid_message'],
    [SUBJECTS.fileDiscovered, '\u0000\u0001binary', 'invalid_json'],
    [fileEventSubject('ghost'), JSON.stringify({ type: 'done', runId: 'ghost' }), 'invalid_message'],
    // A key from outside that tries to escape: refused before any read.
    [
      SUBJECTS.fileDiscovered,
      JSON.stringify({ v: 1, runId: 'evil', dataset: 'fhvhv', month: '2024-01', target: 'production', reason: 'new', source: { key: '../../../etc/passwd', etag: 'x', size: 1 } }),
      'invalid_key',
    ],
  ];
  for (const [subject, body] of poison) await js.publish(subject, body);
  // Oversize is refused by the stream itself (max_msg_size) before any consumer sees it.
  await expect(js.publish(SUBJECTS.run, oversize)).rejects.toThrow(/maximum message size exceeded|message size/i);

  for (const m of await h.manifests()) await h.sink.delete(`_sluice/manifests/fhvhv/${m.month}.json`);
  const record = await h.run({ intent: 'incremental', runId: 'after-poison' }, 60_000);
  const row = await auditRun(h, 'poison messages on every subject, then a run', record, keys);
  expect(row).toMatchObject({ completed: 3, lost: 0, duplicated: 0, partial: 0 });

  const letters = await waitFor(async () => {
    const all = await h.deadLetters();
    return all.length >= poison.length ? all : undefined;
  }, { what: 'every poison message parked' });
  expect(letters.map((d) => [d.subject, d.code]).sort()).toEqual(poison.map(([s, , c]) => [s, c]).sort());
  for (const d of letters) expect(d.reason.length).toBeGreaterThan(5);

  const listed = await sluice('dlq', 'list');
  expect(listed).toContain('invalid_json');
  expect(JSON.parse(await sluice('dlq', 'list', '--json'))).toHaveLength(poison.length);
  await sluice('dlq', 'purge');
  expect(await sluice('dlq', 'list')).toContain('no dead letters');
});
