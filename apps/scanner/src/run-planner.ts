// "Which files does this run process, and which outputs does it remove?" — a pure function of what the
// source lists, what the sink's manifests say, the intent and the filters. Unit tested; the scanner wires it to I/O.
import {
  isCommittedFor,
  isSameSourceVersion,
  type DatasetName,
  type Intent,
  type ManifestCommit,
  type ProcessReason,
  type SourceFile,
} from '@sluice/contracts';

/** What a manifest tells the planner about a committed output. */
export interface CommittedOutput extends ManifestCommit {
  dataset: DatasetName;
  month: string;
  /** The manifest lists a quarantine file (written with QUARANTINE=true): removed with the output if it is an orphan. */
  hasQuarantine: boolean;
}

export interface PlanFilters {
  datasets?: readonly DatasetName[];
  months?: readonly string[];
  limit?: number;
}

export interface PlanInput {
  intent: Intent;
  sources: readonly SourceFile[];
  committed: readonly CommittedOutput[];
  schemaVersionOf: (dataset: DatasetName) => string | undefined;
  filters: PlanFilters;
  /** False when some candidates could not be checked: then nothing is ever removed as an orphan. */
  listingComplete: boolean;
}

/** A source file as listed, with why this run processes it: a run record's file and a work message start from it. */
export interface PlannedFile extends SourceFile {
  reason: ProcessReason;
}

export interface Plan {
  files: PlannedFile[];
  /** Outputs whose source no longer exists (reprocess on a complete listing only). */
  orphans: CommittedOutput[];
  /** Sources of a dataset that has no canonical schema yet: listed, never enqueued. */
  unsupported: SourceFile[];
  /** Two source objects for one dataset-month: the first key (sorted) wins, the others are reported. */
  conflicts: SourceFile[];
  upToDate: number;
  /** Sources that passed the filters. */
  candidates: number;
}

const slot = (f: { dataset: string; month: string }) => `${f.dataset}/${f.month}`;
const byDatasetMonthKey = (a: SourceFile, b: SourceFile) =>
  a.dataset.localeCompare(b.dataset) || a.month.localeCompare(b.month) || a.source.key.localeCompare(b.source.key);

export function planRun(input: PlanInput): Plan {
  const { filters } = input;
  const inFilters = (f: { dataset: DatasetName; month: string }) =>
    (!filters.datasets || filters.datasets.includes(f.dataset)) && (!filters.months || filters.months.includes(f.month));

  const sorted = input.sources.filter(inFilters).sort(byDatasetMonthKey);
  const bySlot = new Map<string, SourceFile>();
  const conflicts: SourceFile[] = [];
  const unsupported: SourceFile[] = [];
  for (const file of sorted) {
    if (input.schemaVersionOf(file.dataset) === undefined) unsupported.push(file);
    else if (bySlot.has(slot(file))) conflicts.push(file);
    else bySlot.set(slot(file), file);
  }
  const eligible = [...bySlot.values()];
  const committed = new Map(input.committed.map((c) => [slot(c), c]));

  let files: PlannedFile[];
  let upToDate = 0;
  switch (input.intent) {
    case 'incremental':
      files = [];
      for (const file of eligible) {
        const reason = incrementalReason(file, committed.get(slot(file)), input.schemaVersionOf(file.dataset)!);
        if (reason) files.push({ ...file, reason });
        else upToDate += 1;
      }
      break;
    case 'reprocess':
      files = eligible.map((file) => ({ ...file, reason: 'reprocess' }));
      break;
    case 'test_subset':
      files = eligible.slice(0, filters.limit ?? 1).map((file) => ({ ...file, reason: 'test_subset' }));
      break;
  }
  if (filters.limit !== undefined) files = files.slice(0, filters.limit);

  const orphans =
    input.intent === 'reprocess' && input.listingComplete
      ? input.committed.filter((c) => inFilters(c) && !input.sources.some((s) => slot(s) === slot(c)))
      : [];
  return { files, orphans, unsupported, conflicts, upToDate, candidates: sorted.length };
}

function incrementalReason(file: SourceFile, output: CommittedOutput | undefined, schemaVersion: string): ProcessReason | undefined {
  if (!output) return 'new';
  if (isCommittedFor(output, file.source, schemaVersion)) return undefined;
  return isSameSourceVersion(output.source, file.source) ? 'schema_changed' : 'source_changed';
}
