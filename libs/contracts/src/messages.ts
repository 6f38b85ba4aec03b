// Message bodies on every subject, as zod schemas with their inferred types.
// Every consumer parses with these at the boundary; inside a service the types are trusted.
import { z } from 'zod';

export const CONTRACT_VERSION = 1;

export const DATASET_NAMES = ['fhvhv', 'yellow', 'green', 'fhv'] as const;
export const DatasetSchema = z.enum(DATASET_NAMES);
export type DatasetName = z.infer<typeof DatasetSchema>;

/** A run id is a subject token and a KV key: letters, digits, `_` and `-` only. */
export const RunIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'runId must be 1-64 characters of A-Z a-z 0-9 _ -');
export type RunId = z.infer<typeof RunIdSchema>;

export const MonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month must be YYYY-MM');

export const INTENTS = ['incremental', 'reprocess', 'test_subset'] as const;
export const IntentSchema = z.enum(INTENTS);
export type Intent = z.infer<typeof IntentSchema>;

/**
 * The most a file's quality rules may drop, as a fraction of its rows (0..1); above it the file fails as
 * `quality_threshold` and nothing of it is committed. The transformer's MAX_DROP_FRACTION is the default.
 */
export const MaxDropFractionSchema = z.number().min(0).max(1);

/** `pipeline.run`. The original flow's empty-string intent means incremental. */
export const RunRequestSchema = z
  .object({
    intent: z
      .union([IntentSchema, z.literal('')])
      .optional()
      .transform((intent): Intent => (intent === undefined || intent === '' ? 'incremental' : intent)),
    datasets: z.array(DatasetSchema).min(1).max(DATASET_NAMES.length).optional(),
    months: z.array(MonthSchema).min(1).max(1200).optional(),
    limit: z.number().int().positive().max(100_000).optional(),
    requestedBy: z.string().max(120).optional(),
    runId: RunIdSchema.optional(),
    /** This run's drop limit for every file, for a deliberate case (e.g. 1 to keep a month whose rows are mostly bad). */
    maxDropFraction: MaxDropFractionSchema.optional(),
  })
  .strict();
export type RunRequest = z.infer<typeof RunRequestSchema>;
export type RunRequestInput = z.input<typeof RunRequestSchema>;

/** `pipeline.cancel`. */
export const CancelRequestSchema = z
  .object({
    runId: RunIdSchema,
    reason: z.string().max(500).optional(),
    requestedBy: z.string().max(120).optional(),
  })
  .strict();
export type CancelRequest = z.infer<typeof CancelRequestSchema>;

export const SourceObjectSchema = z.object({
  key: z.string().min(1).max(1024),
  etag: z.string().min(1).max(200),
  size: z.number().int().nonnegative(),
  lastModified: z.string().optional(),
});
export type SourceObject = z.infer<typeof SourceObjectSchema>;

/** A TLC source file as the listing finds it, the planner plans it and the work message carries it. */
export const SourceFileSchema = z.object({
  dataset: DatasetSchema,
  month: MonthSchema,
  source: SourceObjectSchema,
});
export type SourceFile = z.infer<typeof SourceFileSchema>;

export const PROCESS_REASONS = ['new', 'source_changed', 'schema_changed', 'reprocess', 'test_subset'] as const;
export const ProcessReasonSchema = z.enum(PROCESS_REASONS);
export type ProcessReason = z.infer<typeof ProcessReasonSchema>;

/** Where a file's output goes: the production layout or the test prefix (`test_subset`). */
export const OutputTargetSchema = z.enum(['production', 'test']);
export type OutputTarget = z.infer<typeof OutputTargetSchema>;

/** `pipeline.file.discovered`: one file of one run to normalize. */
export const FileDiscoveredSchema = z.object({
  v: z.literal(CONTRACT_VERSION),
  runId: RunIdSchema,
  ...SourceFileSchema.shape,
  target: OutputTargetSchema,
  reason: ProcessReasonSchema,
  /** The run's drop limit (from its `pipeline.run`); absent: the transformer's MAX_DROP_FRACTION. */
  maxDropFraction: MaxDropFractionSchema.optional(),
});
export type FileDiscovered = z.infer<typeof FileDiscoveredSchema>;

const DroppedSchema = z.record(z.string(), z.number().int().nonnegative());

const FileRef = {
  runId: RunIdSchema,
  dataset: DatasetSchema,
  month: MonthSchema,
  sourceKey: z.string(),
  at: z.string(),
};

/** `pipeline.event.file.<runId>`. */
export const FileEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('started'), ...FileRef, workerId: z.string(), attempt: z.number().int() }),
  z.object({
    type: z.literal('done'),
    ...FileRef,
    workerId: z.string(),
    rowsIn: z.number().int().nonnegative(),
    rowsOut: z.number().int().nonnegative(),
    dropped: DroppedSchema,
    outputKey: z.string(),
    outputBytes: z.number().int().nonnegative(),
    rowGroups: z.number().int().nonnegative(),
    durationMs: z.number().nonnegative(),
    /** True when a redelivered message found its manifest already committed. */
    alreadyCommitted: z.boolean().optional(),
  }),
  z.object({
    type: z.literal('failed'),
    ...FileRef,
    workerId: z.string(),
    code: z.string(),
    reason: z.string(),
    attempt: z.number().int(),
  }),
  z.object({ type: z.literal('skipped'), ...FileRef, workerId: z.string(), reason: z.string() }),
]);
export type FileEvent = z.infer<typeof FileEventSchema>;

export const RUN_STATES = ['planning', 'running', 'succeeded', 'completed_with_failures', 'failed', 'cancelled'] as const;
export const RunStateSchema = z.enum(RUN_STATES);
export type RunState = z.infer<typeof RunStateSchema>;
export const isFinalRunState = (s: RunState): boolean => s !== 'planning' && s !== 'running';

const RunCounts = {
  total: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
};

/** What a listing of the source found: `unknown` candidates could not be checked and are never taken as absent. */
export const SourceListingSummarySchema = z.object({
  url: z.string(),
  candidates: z.number().int().nonnegative(),
  found: z.number().int().nonnegative(),
  absent: z.number().int().nonnegative(),
  unknown: z.array(z.object({ key: z.string(), reason: z.string() })),
  complete: z.boolean(),
});
export type SourceListingSummary = z.infer<typeof SourceListingSummarySchema>;

/** The answer to `pipeline.plan`: what a run with this request would process and remove. */
export const PlanPreviewSchema = z.object({
  intent: IntentSchema,
  target: OutputTargetSchema,
  source: SourceListingSummarySchema,
  files: z.array(
    z.object({ key: z.string(), dataset: DatasetSchema, month: MonthSchema, reason: ProcessReasonSchema, etag: z.string(), size: z.number().int() }),
  ),
  orphans: z.array(z.object({ dataset: DatasetSchema, month: MonthSchema, outputKey: z.string(), sourceKey: z.string() })),
  upToDate: z.number().int().nonnegative(),
  unsupported: z.array(z.string()),
  conflicts: z.array(z.string()),
  ignored: z.number().int().nonnegative(),
});
export type PlanPreview = z.infer<typeof PlanPreviewSchema>;

export const PlanReplySchema = z.union([
  z.object({ ok: z.literal(true), preview: PlanPreviewSchema }),
  z.object({ ok: z.literal(false), code: z.string(), error: z.string() }),
]);
export type PlanReply = z.infer<typeof PlanReplySchema>;

/** `pipeline.event.run.<runId>`. */
export const RunEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('accepted'), runId: RunIdSchema, intent: IntentSchema, at: z.string() }),
  z.object({
    type: z.literal('rejected'),
    runId: RunIdSchema,
    reason: z.string(),
    activeRunId: RunIdSchema.optional(),
    at: z.string(),
  }),
  z.object({
    type: z.literal('planned'),
    runId: RunIdSchema,
    intent: IntentSchema,
    source: z.string(),
    listing: SourceListingSummarySchema,
    candidates: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    orphans: z.number().int().nonnegative(),
    at: z.string(),
  }),
  z.object({ type: z.literal('progress'), runId: RunIdSchema, ...RunCounts, at: z.string() }),
  z.object({
    type: z.literal('completed'),
    runId: RunIdSchema,
    state: RunStateSchema,
    ...RunCounts,
    reportKey: z.string().optional(),
    durationMs: z.number().nonnegative(),
    at: z.string(),
  }),
]);
export type RunEvent = z.infer<typeof RunEventSchema>;

/** `pipeline.event.capacity`: every scaling decision. */
export const CapacityEventSchema = z.object({
  backend: z.string(),
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  running: z.number().int().nonnegative(),
  backlog: z.number().int().nonnegative(),
  reason: z.string(),
  at: z.string(),
});
export type CapacityEvent = z.infer<typeof CapacityEventSchema>;

/**
 * nats-server's advisories about the work consumer (stored in PIPELINE_ADVISORIES): `max_deliver` when a message
 * exhausted its deliveries with no handler settling it (its payload is still in the work stream), `terminated` when
 * one was terminated (on a work-queue stream the payload is then gone). Only the fields sluice uses; the server may add more.
 */
export const WORK_ADVISORY_TYPES = {
  maxDeliveries: 'io.nats.jetstream.advisory.v1.max_deliver',
  terminated: 'io.nats.jetstream.advisory.v1.terminated',
} as const;
export const WorkAdvisorySchema = z.object({
  type: z.enum([WORK_ADVISORY_TYPES.maxDeliveries, WORK_ADVISORY_TYPES.terminated]),
  id: z.string().max(100),
  timestamp: z.string().max(64),
  stream: z.string().max(256),
  consumer: z.string().max(256),
  stream_seq: z.number().int().positive(),
  deliveries: z.number().int().nonnegative(),
});
export type WorkAdvisory = z.infer<typeof WorkAdvisorySchema>;

/** `pipeline.dlq.<original subject>`: a message no handler could settle. */
export const DeadLetterSchema = z.object({
  subject: z.string(),
  stream: z.string(),
  streamSeq: z.number().int().nonnegative(),
  consumer: z.string(),
  deliveryCount: z.number().int().nonnegative(),
  code: z.string(),
  reason: z.string(),
  runId: z.string().optional(),
  key: z.string().optional(),
  /** The original payload, base64, cut to a bounded size. */
  payloadBase64: z.string(),
  payloadTruncated: z.boolean(),
  at: z.string(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;
