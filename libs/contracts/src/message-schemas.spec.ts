import { describe, expect, it } from 'vitest';
import { CONTRACT_VERSION, WORK_ADVISORY_TYPES } from './messages';
import { MESSAGE_SCHEMAS, messagePatternOf, parseMessage, type MessagePattern } from './message-schemas';
import { subjectMatches } from './subject-match';
import { deadLetterSubject, fileEventSubject, runEventSubject, SUBJECTS, WORK_ADVISORIES_PATTERN, WORK_ADVISORY_SUBJECTS } from './subjects';

const at = '2026-01-01T00:00:00.000Z';
const work = {
  v: CONTRACT_VERSION,
  runId: 'r1',
  dataset: 'fhvhv',
  month: '2024-05',
  source: { key: 'fhvhv_tripdata_2024-05.parquet', etag: '"e"', size: 1 },
  target: 'production',
  reason: 'new',
};

/** A message as sluice publishes it on each subject, with a subject it is published on. */
const SAMPLES: Record<MessagePattern, { subject: string; body: unknown }> = {
  [SUBJECTS.run]: { subject: SUBJECTS.run, body: { intent: 'reprocess', datasets: ['fhvhv'], runId: 'r1' } },
  [SUBJECTS.cancel]: { subject: SUBJECTS.cancel, body: { runId: 'r1', reason: 'stop' } },
  [SUBJECTS.plan]: { subject: SUBJECTS.plan, body: { intent: 'test_subset', limit: 1 } },
  [SUBJECTS.fileDiscovered]: { subject: SUBJECTS.fileDiscovered, body: work },
  [SUBJECTS.runEvents]: { subject: runEventSubject('r1'), body: { type: 'accepted', runId: 'r1', intent: 'incremental', at } },
  [SUBJECTS.fileEvents]: {
    subject: fileEventSubject('r1'),
    body: { type: 'started', runId: 'r1', dataset: 'fhvhv', month: '2024-05', sourceKey: work.source.key, at, workerId: 'w1', attempt: 1 },
  },
  [SUBJECTS.capacityEvent]: { subject: SUBJECTS.capacityEvent, body: { backend: 'local', from: 0, to: 1, running: 0, backlog: 2, reason: 'backlog 2', at } },
  [SUBJECTS.deadLetters]: {
    subject: deadLetterSubject(SUBJECTS.fileDiscovered),
    body: {
      subject: SUBJECTS.fileDiscovered,
      stream: 'PIPELINE_WORK',
      streamSeq: 7,
      consumer: 'transformers',
      deliveryCount: 5,
      code: 'max_deliver_exceeded',
      reason: 'gave up',
      payloadBase64: Buffer.from(JSON.stringify(work)).toString('base64'),
      payloadTruncated: false,
      at,
    },
  },
  [WORK_ADVISORIES_PATTERN]: {
    subject: WORK_ADVISORY_SUBJECTS[0],
    body: { type: WORK_ADVISORY_TYPES.maxDeliveries, id: 'a1', timestamp: at, stream: 'PIPELINE_WORK', consumer: 'transformers', stream_seq: 7, deliveries: 5 },
  },
};
const PATTERNS = Object.keys(MESSAGE_SCHEMAS) as MessagePattern[];

describe('the subject → schema map', () => {
  it('has a schema for every subject constant; `events` spans run, file and capacity events, each with its own', () => {
    for (const [name, subject] of Object.entries(SUBJECTS)) {
      if (subject === SUBJECTS.events) continue;
      expect(PATTERNS, name).toContain(subject);
    }
    expect(PATTERNS).toContain(WORK_ADVISORIES_PATTERN);
    expect([runEventSubject('r1'), fileEventSubject('r1'), SUBJECTS.capacityEvent].map(messagePatternOf)).toEqual([
      SUBJECTS.runEvents,
      SUBJECTS.fileEvents,
      SUBJECTS.capacityEvent,
    ]);
  });

  it('finds one pattern for each subject sluice publishes on, and none for others', () => {
    for (const pattern of PATTERNS) {
      const { subject } = SAMPLES[pattern];
      expect(PATTERNS.filter((p) => subjectMatches(p, subject)), subject).toEqual([pattern]);
      expect(messagePatternOf(subject), subject).toBe(pattern);
    }
    for (const subject of ['pipeline.other', 'pipeline.run.x', 'pipeline.event.r1', '$JS.EVENT.ADVISORY.API']) expect(messagePatternOf(subject), subject).toBeUndefined();
  });

  it("parses each subject's message with its schema", () => {
    for (const pattern of PATTERNS) {
      const { subject, body } = SAMPLES[pattern];
      expect(parseMessage(subject, body), subject).toMatchObject({ ok: true, pattern });
    }
    expect(parseMessage(SUBJECTS.run, { intent: '' })).toEqual({ ok: true, pattern: SUBJECTS.run, message: { intent: 'incremental' } });
  });

  it("refuses a payload for one subject under another's schema, wherever the two differ", () => {
    let pairs = 0;
    for (const from of PATTERNS) {
      for (const to of PATTERNS) {
        if (MESSAGE_SCHEMAS[from] === MESSAGE_SCHEMAS[to]) continue;
        pairs += 1;
        expect(parseMessage(SAMPLES[to].subject, SAMPLES[from].body).ok, `${from} body on ${SAMPLES[to].subject}`).toBe(false);
      }
    }
    expect(pairs).toBe(PATTERNS.length * (PATTERNS.length - 1) - 2); // run and plan share a schema
  });

  it('names the problem, and refuses a subject it has no schema for', () => {
    expect(parseMessage(SUBJECTS.run, { intent: 'everything' })).toMatchObject({ ok: false, reason: expect.stringMatching(/^intent: /) });
    const many = parseMessage(SUBJECTS.fileDiscovered, {}, 2);
    expect(!many.ok && many.reason.split('; ')).toHaveLength(2);
    expect(parseMessage('pipeline.other', {})).toEqual({ ok: false, reason: 'no schema for subject pipeline.other' });
  });
});
