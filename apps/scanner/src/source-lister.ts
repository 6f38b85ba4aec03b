// Lists the source: the TLC trip files with their dataset and month (the source reads them from the name), and the
// summary a run records.
import type { SourceFile, SourceListingSummary } from '@sluice/contracts';
import type { ListFilter, Source } from '@sluice/sources';

export interface SourceListing {
  files: SourceFile[];
  /** Objects that are not TLC trip files (other names, unsafe keys): counted for the report, never processed. */
  ignored: string[];
  summary: SourceListingSummary;
}

export async function listSources(source: Source, filter: ListFilter): Promise<SourceListing> {
  const listing = await source.list(filter);
  return {
    files: listing.files,
    ignored: listing.ignored,
    summary: {
      url: source.url,
      candidates: listing.candidates,
      found: listing.files.length + listing.ignored.length,
      absent: listing.absent,
      unknown: listing.unknown,
      complete: listing.complete,
    },
  };
}
