// Durable records: the run entry in KV, the per-file manifest (commit point) and the run report in the sink.
import { z } from 'zod';
import {
  DatasetSchema,
  IntentSchema,
  MaxDropFractionSchema,
  MonthSchema,
  OutputTargetSchema,
  ProcessReasonSchema,
  RunIdSchema,
  RunStateSchema,
  SourceFileSchema,
  SourceListingSummarySchema,
} from './messages';
import { upgradeLegacyRunFile } from './legacy-run-file';

export const FILE_STATUSES = ['queued', 'done', 'failed', 'skipped'] as const;
export const FileStatusSchema = z.enum(FILE_STATUSES);
export type FileStatus = z.infer<typeof FileStatusSchema>;

/** Why a file failed: its `failed` event's code (`corrupt`, `worker_crashed`, …) and reason, kept apart. */
export const FileFailureSchema = z.object({
  code: z.string(),
  reason: z.string(),
  /** The delivery it failed on (0: failed by the scanner, its work lost); absent when read from a record of the string form. */
  attempt: z.number().int().optional(),
});
export type FileFailure = z.infer<typeof FileFailureSchema>;

const RunFileFields = z.object({
  /** The source file as planned: its ETag pins what the worker reads. */
  ...SourceFileSchema.shape,
  reason: ProcessReasonSchema,
  status: FileStatusSchema,
  rowsIn: z.number().int().optional(),
  rowsOut: z.number().int().optional(),
  dropped: z.record(z.string(), z.number().int()).optional(),
  outputKey: z.string().optional(),
  /** Present when the file failed. */
  failure: FileFailureSchema.optional(),
  /** Why a worker skipped the file (the run was cancelled). */
  skipReason: z.string().optional(),
  /** Sequence of its work message in PIPELINE_WORK: how an advisory (which names only the sequence) finds the file. */
  workSeq: z.number().int().positive().optional(),
});
/** A file of a run. A record written before failures kept their structure (`error: "code: reason"`) reads as this shape too. */
export const RunFileSchema = z.preprocess(upgradeLegacyRunFile, RunFileFields);
export type RunFile = z.infer<typeof RunFileSchema>;

/** A failed file's failure. The tracker always records one; a reader of a damaged record still gets a code to show. */
export function failureOf(file: RunFile): FileFailure {
  return file.failure ?? { code: 'unknown', reason: 'no reason was recorded' };
}

/** KV `sluice_runs` / `run.<runId>`: the run's state, owned by the scanner. */
export const RunRecordSchema = z.object({
  runId: RunIdSchema,
  intent: IntentSchema,
  state: RunStateSchema,
  target: OutputTargetSchema,
  requestedBy: z.string().optional(),
  filters: z.object({
    datasets: z.array(DatasetSchema).optional(),
    months: z.array(MonthSchema).optional(),
    limit: z.number().int().optional(),
  }),
  /** Per-run processing options from the request, copied into every work message (absent in older records). */
  options: z.object({ maxDropFraction: MaxDropFractionSchema.optional() }).optional(),
  source: z.string(),
  /** What the source listing found: candidates, found, absent, and the unknown ones with their reasons. */
  sourceListing: SourceListingSummarySchema,
  sink: z.string(),
  candidates: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  orphansRemoved: z.array(z.string()),
  /** sourceKey → status; the tracker counts each file once whatever events repeat. */
  files: z.record(z.string(), RunFileSchema),
  requestedAt: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  /** When a file of the run last settled (or the run was planned): how long a stuck run has made no progress. */
  lastProgressAt: z.string().optional(),
  reportKey: z.string().optional(),
  cancelReason: z.string().optional(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

/**
 * KV `sluice_runs` / `active`: the one-active-run lock, a lease. The scanner that holds it renews it while it lives;
 * once `expiresAt` has passed, any live scanner takes it over (and with it the run, whose file events are durable).
 * A lock written before leases existed has no `holder`/`expiresAt` and is treated as expired.
 */
export const ActiveRunLockSchema = z.object({
  runId: RunIdSchema,
  since: z.string(),
  holder: z.string().max(200).optional(),
  renewedAt: z.string().optional(),
  expiresAt: z.string().optional(),
});
export type ActiveRunLock = z.infer<typeof ActiveRunLockSchema>;

/** `<sink>/_sluice/manifests/<dataset>/YYYY-MM.json`: written after the data object, it commits it. */
export const ManifestSchema = z.object({
  manifestVersion: z.literal(1),
  dataset: DatasetSchema,
  month: MonthSchema,
  source: z.object({ store: z.string(), key: z.string(), etag: z.string(), size: z.number().int().nonnegative() }),
  schemaVersion: z.string(),
  rowsIn: z.number().int().nonnegative(),
  rowsOut: z.number().int().nonnegative(),
  dropped: z.record(z.string(), z.number().int().nonnegative()),
  droppedColumns: z.array(z.string()),
  output: z.object({
    key: z.string(),
    bytes: z.number().int().nonnegative(),
    rowGroups: z.number().int().nonnegative(),
  }),
  /** Present when the transformer ran with QUARANTINE=true: the dropped rows, written before the output. */
  quarantine: z
    .object({ key: z.string(), rows: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() })
    .optional(),
  runId: RunIdSchema,
  writtenAt: z.string(),
});
export type Manifest = z.infer<typeof ManifestSchema>;
