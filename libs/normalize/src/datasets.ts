// The four TLC trip-record datasets, as the engine names them. The dataset names are part of the message contracts,
// and so is the TLC file naming that identifies a dataset and month (`parseTlcFileName`).
import { DATASET_NAMES, type DatasetName } from '@sluice/contracts';

export type Dataset = DatasetName;

export const DATASETS: readonly Dataset[] = DATASET_NAMES;

const MONTH = /^\d{4}-(?:0[1-9]|1[0-2])$/;

export function isMonth(month: string): boolean {
  return MONTH.test(month);
}

export function isDataset(value: string): value is Dataset {
  return (DATASETS as readonly string[]).includes(value);
}
