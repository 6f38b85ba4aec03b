// `sluice dlq replay` republishes only what an operator may publish: run and cancel requests whose payload passes
// their schema. A work letter is refused with the supported path (an incremental run picks the file up); a letter
// naming any other subject — a forged file event, a JetStream API call — is refused and reported. A refused letter
// stays in the DLQ and the command exits 1.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { deadLetterSubject, STREAMS, SUBJECTS, type DeadLetter } from '@sluice/contracts';
import { appEntry } from '@sluice/embedded';
import { Publisher } from '@sluice/messaging';
import { generateBadFile, generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipelineHarness, waitFor, type PipelineHarness } from '../support';
import { recordSecurityRow } from './security-table';

const exec = promisify(execFile);
let h: PipelineHarness;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function sluice(...args: string[]): Promise<CliResult> {
  return exec(process.execPath, [appEntry('cli'), ...args], { env: h.envFor('cli') }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

/**
 * What a replay could have changed: every stream's message count and last sequence, the last sequence of the
 * subject a letter names (in the stream that holds it), and the sink's manifests.
 */
async function snapshot(subject?: string) {
  const streams: Record<string, { messages: number; last: number }> = {};
  for (const name of [STREAMS.control, STREAMS.work, STREAMS.events, STREAMS.dlq]) {
    const info = await h.jsm.streams.info(name).catch(() => undefined);
    streams[name] = info ? { messages: info.state.messages, last: info.state.last_seq } : { messages: -1, last: -1 };
  }
  const onSubject = subject ? await lastSeqOn(subject) : 0;
  const manifests = new Map((await h.manifests()).map((m) => [`${m.dataset}/${m.month}`, `${m.runId}:${m.source.etag}`]));
  return { streams, onSubject, manifests };
}
type Snapshot = Awaited<ReturnType<typeof snapshot>>;

async function lastSeqOn(subject: string): Promise<number> {
  const stream = await h.jsm.streams.find(subject).catch(() => undefined);
  if (!stream) return 0;
  const m = await h.jsm.streams.getMessage(stream, { last_by_subj: subject }).catch(() => undefined);
  return m?.seq ?? 0;
}

/**
 * lost: messages gone (a deleted stream loses all it held); duplicated: messages published by the replay (control
 * and work requests, and any on the subject the letter names); clobbered: manifests that changed.
 */
function compare(before: Snapshot, after: Snapshot) {
  let lost = 0;
  for (const [name, b] of Object.entries(before.streams)) {
    const a = after.streams[name];
    if (a.messages === -1) lost += Math.max(b.messages, 1);
    else if (name === STREAMS.dlq && a.messages < b.messages) lost += b.messages - a.messages;
  }
  const requests = [STREAMS.control, STREAMS.work].reduce((n, name) => n + Math.max(0, after.streams[name].last - before.streams[name].last), 0);
  const duplicated = requests + (after.onSubject > before.onSubject ? 1 : 0);
  const clobbered = [...before.manifests].filter(([k, v]) => after.manifests.get(k) !== v).length;
  return { lost, duplicated, clobbered };
}

async function forge(subject: string, payload: Record<string, unknown>): Promise<number> {
  const letter: DeadLetter = {
    runId: typeof payload.runId === 'string' ? payload.runId : undefined,
    subject,
    stream: STREAMS.control,
    streamSeq: 999,
    consumer: 'scanner',
    deliveryCount: 1,
    code: 'forged',
    reason: 'planted by the test',
    payloadBase64: Buffer.from(JSON.stringify(payload)).toString('base64'),
    payloadTruncated: false,
    at: new Date().toISOString(),
  };
  const ack = await new Publisher(h.nc).js.publish(deadLetterSubject(subject), JSON.stringify(letter));
  return ack.seq;
}

async function listed(): Promise<Array<{ id: number; subject: string; runId?: string }>> {
  const { stdout } = await sluice('dlq', 'list', '--json');
  return JSON.parse(stdout) as Array<{ id: number; subject: string; runId?: string }>;
}
const letterIds = async () => (await listed()).map((l) => l.id);

beforeAll(async () => {
  h = await startPipelineHarness({ env: { WORK_MAX_DELIVER: '2' } });
  await h.source.put('fhvhv_tripdata_2024-01.parquet', generateFhvhvParquet({ month: '2024-01', rows: 2_000, seed: 1 }));
  await h.source.put('fhvhv_tripdata_2024-02.parquet', generateBadFile('html'));
  await h.startService('scanner');
  await h.startService('capacity-manager');
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

describe('sluice dlq replay', () => {
  it('refuses a work letter with the supported path (an incremental run), keeps it, publishes no work', async () => {
    const first = await h.run({ intent: 'incremental', runId: 'dlq-first' });
    expect(first).toMatchObject({ state: 'completed_with_failures', done: 1, failed: 1 });
    const work = await waitFor(async () => (await h.deadLetters()).find((d) => d.runId === 'dlq-first' && d.subject === SUBJECTS.fileDiscovered), {
      what: 'the bad file dead-lettered',
    });
    await waitFor(() => h.capacityEvents.at(-1)?.to === 0, { what: 'workers back to 0', timeoutMs: 20_000 });
    const id = (await listed()).find((l) => l.runId === 'dlq-first' && l.subject === SUBJECTS.fileDiscovered)!.id;
    const before = await snapshot(SUBJECTS.fileDiscovered);
    const r = await sluice('dlq', 'replay', String(id));
    const after = await snapshot(SUBJECTS.fileDiscovered);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`dead letter ${id} \\(pipeline\\.file\\.discovered, fhvhv_tripdata_2024-02\\.parquet\\): not replayed: work is published only by the scanner; left in the DLQ`));
    expect(r.stderr).toMatch(/`sluice run --intent incremental`: it picks up fhvhv_tripdata_2024-02\.parquet, which has no manifest/);
    expect(await letterIds()).toContain(id);
    expect(after.streams[STREAMS.work].last).toBe(before.streams[STREAMS.work].last);
    const effect = compare(before, after);
    recordSecurityRow({
      area: 'dlq',
      scenario: '`sluice dlq replay` of a work letter (pipeline.file.discovered)',
      expected: 'refused with the supported path (`sluice run --intent incremental`), letter kept, exit 1, no work published',
      happened: `exit ${r.code}; letter kept: ${(await letterIds()).includes(id)}; work messages published: ${after.streams[STREAMS.work].last - before.streams[STREAMS.work].last}; hint: ${/--intent incremental/.test(r.stderr)}`,
      ...effect,
    });
    expect(effect).toEqual({ lost: 0, duplicated: 0, clobbered: 0 });
    expect(work.key).toBe('fhvhv_tripdata_2024-02.parquet');
  });

  it.each([
    ['a forged letter naming a JetStream API call', '$JS.API.STREAM.DELETE.PIPELINE_EVENTS', {}],
    ['a forged letter carrying a `done` file event', 'pipeline.event.file.dlq-first', { type: 'done', runId: 'dlq-first', sourceKey: 'fhvhv_tripdata_2024-02.parquet' }],
    ['a forged letter naming the plan request subject', SUBJECTS.plan, { intent: 'reprocess' }],
  ])('%s is refused and reported; nothing is published; the letter stays', async (scenario, subject, payload) => {
    const id = await forge(subject, payload);
    const before = await snapshot(subject);
    const r = await sluice('dlq', 'replay', String(id));
    const after = await snapshot(subject);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`dead letter ${id} (${subject}): refused (suspicious): ${subject} is not a subject sluice replays (only pipeline.run and pipeline.cancel); it may be forged; left in the DLQ`);
    const kept = (await letterIds()).includes(id);
    expect(kept).toBe(true);
    const effect = compare(before, after);
    recordSecurityRow({
      area: 'dlq',
      scenario: `\`sluice dlq replay\` of ${scenario} (${subject})`,
      expected: 'refused and reported, letter kept, exit 1, nothing published',
      happened: `exit ${r.code}; letter kept: ${kept}; streams intact: ${Object.values(after.streams).every((s) => s.messages >= 0)}; messages published: ${effect.duplicated}`,
      ...effect,
    });
    expect(effect).toEqual({ lost: 0, duplicated: 0, clobbered: 0 });
  });

  it('a run request whose payload fails its schema is refused; a valid run and cancel request are replayed and removed', async () => {
    const invalid = await forge(SUBJECTS.run, { intent: 'everything', runId: 'dlq-invalid' });
    const valid = await forge(SUBJECTS.run, { intent: 'incremental', runId: 'dlq-replayed' });
    const cancel = await forge(SUBJECTS.cancel, { runId: 'dlq-no-such-run', reason: 'replayed' });
    const before = await snapshot();
    const r = await sluice('dlq', 'replay', String(invalid), String(valid), String(cancel));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`dead letter ${invalid} \\(pipeline\\.run\\): not replayed: its payload is not a valid pipeline\\.run message \\(intent: .*\\); left in the DLQ`));
    expect(r.stdout).toContain(`replayed dead letter ${valid} to pipeline.run (run dlq-replayed)`);
    expect(r.stdout).toContain(`replayed dead letter ${cancel} to pipeline.cancel (run dlq-no-such-run)`);
    const record = await waitFor(async () => {
      const run = await h.runs.get('dlq-replayed');
      return run && run.state !== 'planning' && run.state !== 'running' ? run : undefined;
    }, { what: 'the replayed run to finish', timeoutMs: 60_000 });
    const after = await snapshot();
    const ids = await letterIds();
    expect(ids).toContain(invalid);
    expect(ids).not.toContain(valid);
    expect(ids).not.toContain(cancel);
    // The replayed incremental run finds the bad file again (it has no manifest) and nothing else.
    expect(record).toMatchObject({ total: 1, failed: 1 });
    expect(after.streams[STREAMS.control].last - before.streams[STREAMS.control].last).toBe(2);
    recordSecurityRow({
      area: 'dlq',
      scenario: '`sluice dlq replay` of a run request with an invalid payload, a valid run request and a valid cancel request',
      expected: 'the invalid one refused and kept (exit 1); the valid ones published to pipeline.run / pipeline.cancel and removed',
      happened: `exit ${r.code}; invalid kept: ${ids.includes(invalid)}; valid replayed and removed: ${!ids.includes(valid) && !ids.includes(cancel)}; replayed run ${record.state}`,
      lost: ids.includes(invalid) ? 0 : 1,
      duplicated: after.streams[STREAMS.control].last - before.streams[STREAMS.control].last - 2,
      clobbered: compare(before, after).clobbered,
    });
  });
});
