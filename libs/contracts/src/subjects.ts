// Every subject, stream, consumer and KV name in one place: no string literal subject elsewhere.

export const SUBJECTS = {
  run: 'pipeline.run',
  cancel: 'pipeline.cancel',
  /** Request-reply (core NATS, not stored): the plan a run would have, without running it (`--dry-run`). */
  plan: 'pipeline.plan',
  fileDiscovered: 'pipeline.file.discovered',
  events: 'pipeline.event.>',
  runEvents: 'pipeline.event.run.>',
  fileEvents: 'pipeline.event.file.>',
  capacityEvent: 'pipeline.event.capacity',
  deadLetters: 'pipeline.dlq.>',
} as const;

export const runEventSubject = (runId: string): string => `pipeline.event.run.${runId}`;
export const fileEventSubject = (runId: string): string => `pipeline.event.file.${runId}`;
/** Dead letters keep the subject they came from: `pipeline.dlq.pipeline.file.discovered`. */
export const deadLetterSubject = (sourceSubject: string): string => `pipeline.dlq.${sourceSubject}`;

export const STREAMS = {
  control: 'PIPELINE_CONTROL',
  work: 'PIPELINE_WORK',
  events: 'PIPELINE_EVENTS',
  dlq: 'PIPELINE_DLQ',
  /** JetStream's own advisories about the work consumer, kept so that none is missed while the scanner is down. */
  advisories: 'PIPELINE_ADVISORIES',
} as const;

export const CONSUMERS = {
  /** Scanner's durable pull consumer on PIPELINE_CONTROL. */
  scanner: 'scanner',
  /** Transformers share one durable pull consumer on the work-queue stream. */
  transformers: 'transformers',
  /** Scanner's run tracker: file events of every run, durable so completion survives a restart. */
  runTracker: 'run-tracker',
  /** Scanner: the work consumer's advisories (PIPELINE_ADVISORIES), to fail files no handler could settle. */
  workAdvisories: 'work-advisories',
} as const;

/** A durable consumer by where it lives: its stream and its name. */
export interface DurableRef {
  stream: string;
  consumer: string;
}

/**
 * Every durable consumer with its stream, in the order `sluice status` lists them: the one place that pairs them.
 * Their settings (ack wait, max deliver, filter…) are declared with the topology in libs/messaging, keyed the same way.
 */
export const DURABLES = {
  scanner: { stream: STREAMS.control, consumer: CONSUMERS.scanner },
  transformers: { stream: STREAMS.work, consumer: CONSUMERS.transformers },
  runTracker: { stream: STREAMS.events, consumer: CONSUMERS.runTracker },
  workAdvisories: { stream: STREAMS.advisories, consumer: CONSUMERS.workAdvisories },
} as const satisfies Record<keyof typeof CONSUMERS, DurableRef>;
export type DurableName = keyof typeof DURABLES;

/**
 * Advisories the server publishes about the `transformers` consumer: a work message that exhausted its deliveries
 * without any handler settling it (a worker crashed, was OOM-killed or hung), and (nats-server 2.10+) one a handler
 * terminated. Only the server publishes on `$JS.EVENT.>`; no sluice user may.
 */
export const WORK_ADVISORY_SUBJECTS = [
  `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${DURABLES.transformers.stream}.${DURABLES.transformers.consumer}`,
  `$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.${DURABLES.transformers.stream}.${DURABLES.transformers.consumer}`,
] as const;

/** The pattern both advisories match, for the scanner's handler. */
export const WORK_ADVISORIES_PATTERN = `$JS.EVENT.ADVISORY.CONSUMER.*.${DURABLES.transformers.stream}.${DURABLES.transformers.consumer}` as const;

export const KV = {
  runsBucket: 'sluice_runs',
  activeRunKey: 'active',
  runKey: (runId: string): string => `run.${runId}`,
} as const;
