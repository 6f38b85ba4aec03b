// The TLC's file naming, `<dataset>_tripdata_<YYYY-MM>.parquet`: the one place that formats and parses it. Here
// because every side needs it (the sources enumerate names, the scanner and the CLI read dataset and month back,
// the engine's callers name their inputs) and contracts is the library all of them may import.
import { DATASET_NAMES, type DatasetName } from './messages';

/** What a TLC file name says. */
export interface TlcFile {
  dataset: DatasetName;
  month: string;
}

/**
 * Exact (case-sensitive, no extra suffix): the TLC publishes exactly these names, anything else is not ours.
 * The alternation is the dataset list itself, so a new dataset is parsed as soon as the contracts know it.
 */
const TLC_FILE_NAME = new RegExp(`^(${DATASET_NAMES.join('|')})_tripdata_(\\d{4}-(?:0[1-9]|1[0-2]))\\.parquet$`);

/** `fhvhv`, `2024-01` → `fhvhv_tripdata_2024-01.parquet`. */
export function tlcFileName(dataset: DatasetName, month: string): string {
  return `${dataset}_tripdata_${month}.parquet`;
}

/**
 * The dataset and month of an object key whose basename is a TLC file name; the key may contain folders
 * (`trip data/fhvhv_tripdata_2024-01.parquet`). Null for anything else.
 */
export function parseTlcFileName(key: string): TlcFile | null {
  const match = TLC_FILE_NAME.exec(key.slice(key.lastIndexOf('/') + 1));
  return match ? { dataset: match[1] as DatasetName, month: match[2] } : null;
}
