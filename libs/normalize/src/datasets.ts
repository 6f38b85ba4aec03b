// The four TLC trip-record datasets and the source file names that identify a dataset and month.
// The dataset names themselves are part of the message contracts; this library only reads file names.
import { DATASET_NAMES, type DatasetName } from '@sluice/contracts';

export type Dataset = DatasetName;

export const DATASETS: readonly Dataset[] = DATASET_NAMES;

const SOURCE_FILE_NAME = /^(fhvhv|yellow|green|fhv)_tripdata_(\d{4}-(?:0[1-9]|1[0-2]))\.parquet$/;
const MONTH = /^\d{4}-(?:0[1-9]|1[0-2])$/;

/**
 * Parses a source object key's basename `<dataset>_tripdata_YYYY-MM.parquet`; the key may contain folders
 * (`trip data/fhvhv_tripdata_2024-01.parquet`). Returns null if it is not a TLC trip file name. Matching is
 * exact (case-sensitive, no extra suffix): the TLC publishes exactly these names, anything else is not ours.
 */
export function parseSourceKey(key: string): { dataset: Dataset; month: string } | null {
  const basename = key.slice(key.lastIndexOf('/') + 1);
  const match = SOURCE_FILE_NAME.exec(basename);
  return match ? { dataset: match[1] as Dataset, month: match[2] } : null;
}

export function isMonth(month: string): boolean {
  return MONTH.test(month);
}

export function isDataset(value: string): value is Dataset {
  return (DATASETS as readonly string[]).includes(value);
}
