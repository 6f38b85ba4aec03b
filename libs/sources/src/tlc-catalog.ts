// The TLC publishes one file per dataset per month under a fixed name; there is no listing, so the candidates are
// enumerated: every dataset from its first month up to the current month, named by contracts' tlcFileName.
import { DATASET_NAMES, tlcFileName, type DatasetName, type TlcFile } from '@sluice/contracts';
import type { ListFilter } from './source';

export const TLC_FIRST_MONTH: Record<DatasetName, string> = {
  fhvhv: '2019-02',
  yellow: '2009-01',
  green: '2013-08',
  fhv: '2015-01',
};

export interface Candidate extends TlcFile {
  key: string;
}

const nextMonth = (month: string): string => {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};

/** Every candidate name for the filter, dataset by dataset, month by month, up to `now`'s month (UTC). */
export function tlcCandidates(filter: ListFilter = {}, now: Date = new Date()): Candidate[] {
  const current = now.toISOString().slice(0, 7);
  const wantedMonths = filter.months ? new Set(filter.months) : undefined;
  const out: Candidate[] = [];
  for (const dataset of filter.datasets ?? DATASET_NAMES) {
    for (let month = TLC_FIRST_MONTH[dataset]; month <= current; month = nextMonth(month)) {
      if (!wantedMonths || wantedMonths.has(month)) out.push({ key: tlcFileName(dataset, month), dataset, month });
    }
  }
  return out;
}
