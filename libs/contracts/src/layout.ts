// The sink describes itself: deterministic keys for data, manifests and run reports (DESIGN.md "Storage layout").
// Keys are relative to the sink store's root (production) or the test store's root (test_subset).
import type { DatasetName } from './messages';
import { DATASET_NAMES } from './messages';

export const MANIFEST_PREFIX = '_sluice/manifests/';
export const RUN_REPORT_PREFIX = '_sluice/runs/';

export function outputKey(dataset: DatasetName, month: string): string {
  const [year, mm] = month.split('-');
  return `${dataset}/year=${year}/month=${mm}/${dataset}_${month}.parquet`;
}

/** QUARANTINE=true: the rows a file's quality rules dropped, with the rule each broke; outside the dataset's Hive path. */
export const QUARANTINE_PREFIX = '_quarantine/';

export function quarantineKey(dataset: DatasetName, month: string): string {
  return `${QUARANTINE_PREFIX}${outputKey(dataset, month)}`;
}

export function manifestKey(dataset: DatasetName, month: string): string {
  return `${MANIFEST_PREFIX}${dataset}/${month}.json`;
}

export function runReportKey(runId: string): string {
  return `${RUN_REPORT_PREFIX}${runId}.json`;
}

/** `_sluice/manifests/fhvhv/2024-01.json` → { dataset, month }; anything else → null. */
export function parseManifestKey(key: string): { dataset: DatasetName; month: string } | null {
  const m = /^_sluice\/manifests\/([a-z]+)\/(\d{4}-(?:0[1-9]|1[0-2]))\.json$/.exec(key);
  if (!m || !(DATASET_NAMES as readonly string[]).includes(m[1])) return null;
  return { dataset: m[1] as DatasetName, month: m[2] };
}
