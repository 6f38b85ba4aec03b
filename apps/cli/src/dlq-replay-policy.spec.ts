import { CONTRACT_VERSION, deadLetterSubject, parseMessage, SUBJECTS, type DeadLetter, type FileDiscovered } from '@sluice/contracts';
import { describe, expect, it } from 'vitest';
import { decideReplay, REPLAYABLE_SUBJECTS } from './dlq-replay-policy';

function letter(subject: string, payload: unknown, extra: Partial<DeadLetter> = {}): DeadLetter {
  return {
    subject,
    stream: 'PIPELINE_CONTROL',
    streamSeq: 7,
    consumer: 'scanner',
    deliveryCount: 1,
    code: 'invalid_message',
    reason: 'x',
    payloadBase64: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)).toString('base64'),
    payloadTruncated: false,
    at: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}
const parked = (l: DeadLetter) => deadLetterSubject(l.subject);

describe('decideReplay', () => {
  it('replays only run and cancel requests, from the contracts', () => {
    expect(REPLAYABLE_SUBJECTS).toEqual([SUBJECTS.run, SUBJECTS.cancel]);
  });

  it('replays a valid run request, with its payload unchanged', () => {
    const l = letter(SUBJECTS.run, { intent: '', runId: 'r1' });
    const decision = decideReplay(l, parked(l));
    expect(decision).toMatchObject({ replay: true, subject: SUBJECTS.run });
    expect(decision.replay && Buffer.from(decision.payload).toString()).toBe('{"intent":"","runId":"r1"}');
  });

  it('replays a valid cancel request', () => {
    const l = letter(SUBJECTS.cancel, { runId: 'r1', reason: 'stop' });
    expect(decideReplay(l, parked(l))).toMatchObject({ replay: true, subject: SUBJECTS.cancel });
  });

  it('refuses a run or cancel request whose payload fails the schema, naming the problem', () => {
    const bad = letter(SUBJECTS.run, { intent: 'everything' });
    expect(decideReplay(bad, parked(bad))).toMatchObject({ replay: false, suspicious: false, reason: expect.stringMatching(/not a valid pipeline\.run message \(intent: /) });
    const noJson = letter(SUBJECTS.cancel, 'not json');
    expect(decideReplay(noJson, parked(noJson))).toMatchObject({ replay: false, reason: expect.stringMatching(/not a valid pipeline\.cancel message \(not JSON\)/) });
    const extra = letter(SUBJECTS.cancel, { runId: 'r1', purge: 'all' });
    expect(decideReplay(extra, parked(extra))).toMatchObject({ replay: false });
  });

  it("judges a payload by its subject's schema in the contracts' map: replayed exactly when it parses there, refused with its reason", () => {
    const bodies = [{ intent: 'reprocess', runId: 'r1' }, { runId: 'r1', reason: 'stop' }, { runId: 'r1' }, { intent: 'x' }, { v: CONTRACT_VERSION, runId: 'r1' }, {}];
    let replayed = 0;
    for (const subject of REPLAYABLE_SUBJECTS) {
      for (const body of bodies) {
        const l = letter(subject, body);
        const decision = decideReplay(l, parked(l));
        const parsed = parseMessage(subject, body, 3);
        expect(decision.replay, `${JSON.stringify(body)} on ${subject}`).toBe(parsed.ok);
        if (!decision.replay && !parsed.ok) expect(decision.reason).toBe(`its payload is not a valid ${subject} message (${parsed.reason})`);
        if (decision.replay) replayed += 1;
      }
    }
    // pipeline.run: the request, a bare run id and `{}` (every field is optional); pipeline.cancel: with and without a reason
    expect(replayed).toBe(5);
  });

  it('refuses a work letter with the supported path: an incremental run, or a reprocess of that month', () => {
    const work: FileDiscovered = {
      v: CONTRACT_VERSION,
      runId: 'r1',
      dataset: 'fhvhv',
      month: '2024-05',
      source: { key: 'fhvhv_tripdata_2024-05.parquet', etag: '"e"', size: 1 },
      target: 'production',
      reason: 'new',
    };
    const l = letter(SUBJECTS.fileDiscovered, work, { key: work.source.key });
    const decision = decideReplay(l, parked(l));
    expect(decision).toMatchObject({ replay: false, suspicious: false, reason: 'work is published only by the scanner' });
    expect(!decision.replay && decision.hint).toMatch(/`sluice run --intent incremental`: it picks up fhvhv_tripdata_2024-05\.parquet, which has no manifest/);
    expect(!decision.replay && decision.hint).toMatch(/`sluice run --intent reprocess --dataset fhvhv --months 2024-05`/);
  });

  it.each(['pipeline.event.file.r1', 'pipeline.event.run.r1', '$JS.API.STREAM.DELETE.PIPELINE_EVENTS', 'pipeline.plan', 'pipeline.dlq.pipeline.run', 'pipeline.run.x'])(
    'refuses a letter naming %s as suspicious',
    (subject) => {
      const l = letter(subject, { runId: 'r1' });
      expect(decideReplay(l, parked(l))).toMatchObject({ replay: false, suspicious: true, reason: expect.stringContaining('it may be forged') });
    },
  );

  it('refuses a letter parked under another subject than the one it names', () => {
    const l = letter(SUBJECTS.run, { runId: 'r1' });
    expect(decideReplay(l, 'pipeline.dlq.pipeline.event.file.r1')).toMatchObject({ replay: false, suspicious: true });
  });

  it('refuses a truncated payload', () => {
    const l = letter(SUBJECTS.run, { runId: 'r1' }, { payloadTruncated: true });
    expect(decideReplay(l, parked(l))).toMatchObject({ replay: false, reason: expect.stringMatching(/cut when it was parked/) });
  });
});
