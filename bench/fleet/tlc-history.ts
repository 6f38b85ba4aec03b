// The whole TLC history as the fleet simulation sees it: every dataset from its first month to the last published
// one, with the rows and bytes of each file. Rows per month are yearly averages, anchored on the figures in
// ../shared/DATA.md where it gives them and marked as estimates where it does not; they add up to about 4.2 billion
// rows, the "about 4 billion" issue 15 states. Only the processing-time model reads them: the simulated source bucket
// holds tiny placeholder objects under the real names.
import { DATASET_NAMES, type DatasetName } from '@sluice/contracts';
import { tlcCandidates } from '@sluice/sources';

export interface HistoryFile {
  dataset: DatasetName;
  month: string;
  key: string;
  rows: number;
  bytes: number;
}

const M = 1_000_000;

/**
 * Average rows per month, in millions, by year (a month missing from its year takes the last year given before it).
 * Sources: DATA.md for fhvhv (12–24M a month, 2019-03 23.86M, 2020-04 ~4.3M, 2024-01..05 19.4–21.3M, ~1.6 billion in
 * all), yellow (~3M a month lately, 2024 ~3.5M, 2026-01 3.72M) and green (45–70k a month in 2023–2025). Estimates
 * (not in DATA.md; the order of magnitude of the TLC's published files): yellow before 2020, green before 2023, fhv.
 */
const ROWS_BY_YEAR: Record<DatasetName, Record<number, number>> = {
  fhvhv: { 2019: 21.5, 2020: 11, 2021: 14, 2022: 17, 2023: 19, 2024: 20.3, 2025: 20 },
  // estimates before 2020: the medallion-taxi years (about 14M a month in 2009–2014, falling to 7M in 2019)
  yellow: { 2009: 14.5, 2015: 12.7, 2016: 11, 2017: 9.7, 2018: 8.8, 2019: 7, 2020: 2, 2021: 2.5, 2022: 3.3, 2023: 3.2, 2024: 3.5, 2025: 3.7 },
  // estimates before 2023
  green: { 2013: 0.8, 2014: 1.3, 2015: 1.6, 2016: 1.3, 2017: 0.95, 2018: 0.75, 2019: 0.5, 2020: 0.15, 2021: 0.07, 2022: 0.06 },
  // estimates: the FHV file held the app-based trips until fhvhv took them over in 2019-02
  fhv: { 2015: 2.5, 2016: 5, 2017: 9, 2018: 20, 2019: 2, 2020: 1, 2021: 1.1, 2022: 1.5 },
};

/** Months DATA.md gives on their own. */
const ROWS_OF_MONTH: Record<string, number> = {
  'fhvhv/2019-03': 23.86,
  'fhvhv/2020-03': 13,
  'fhvhv/2020-04': 4.3,
  'fhvhv/2020-05': 6,
  'fhv/2019-01': 23, // the last month before fhvhv (estimate)
  'yellow/2026-01': 3.724889,
};

/**
 * Bytes per source row. fhvhv: 611 MB / 23.86M rows (2019-03) and 441–484 MiB / 19.4–21.3M (2024) → about 24 B.
 * yellow: 64 MB / 3.72M rows (2026-01) → about 17 B. green: taken as yellow's (similar columns). fhv: 7 columns →
 * about 12 B (estimate).
 */
const BYTES_PER_ROW: Record<DatasetName, number> = { fhvhv: 24, yellow: 17, green: 17, fhv: 12 };

function rowsOf(dataset: DatasetName, month: string): number {
  const exact = ROWS_OF_MONTH[`${dataset}/${month}`];
  if (exact !== undefined) return Math.round(exact * M);
  const year = Number(month.slice(0, 4));
  const years = Object.keys(ROWS_BY_YEAR[dataset]).map(Number).filter((y) => y <= year);
  return Math.round(ROWS_BY_YEAR[dataset][Math.max(...years)] * M);
}

/**
 * The last month the TLC has published at `now`: a month appears about 7–8 weeks after it ends (DATA.md), so two
 * months back.
 */
export function lastPublishedMonth(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1));
  return d.toISOString().slice(0, 7);
}

/** Every file of the history through `through` (YYYY-MM), named and enumerated as the HTTPS source does. */
export function tlcHistory(through: string): HistoryFile[] {
  const end = new Date(`${through}-01T00:00:00Z`);
  return tlcCandidates({ datasets: [...DATASET_NAMES] }, end).map(({ dataset, month, key }) => {
    const rows = rowsOf(dataset, month);
    return { dataset, month, key, rows, bytes: rows * BYTES_PER_ROW[dataset] };
  });
}
