// Lists the source and keeps the TLC trip files: key, ETag, size, dataset and month from the file name.
import { parseTlcFileName, type SourceListingSummary } from '@sluice/contracts';
import type { ListFilter, Source } from '@sluice/sources';
import { validateObjectKey } from '@sluice/storage';
import type { SourceFile } from './run-planner';

export interface SourceListing {
  files: SourceFile[];
  /** Objects that are not TLC trip files (other names, unsafe keys): counted for the report, never processed. */
  ignored: string[];
  summary: SourceListingSummary;
}

export async function listSources(source: Source, filter: ListFilter): Promise<SourceListing> {
  const listing = await source.list(filter);
  const files: SourceFile[] = [];
  const ignored: string[] = [];
  for (const object of listing.objects) {
    const parsed = parseTlcFileName(object.key);
    if (!parsed || !isSafeKey(object.key)) {
      ignored.push(object.key);
      continue;
    }
    files.push({
      key: object.key,
      etag: object.etag,
      size: object.size,
      lastModified: object.lastModified.toISOString(),
      dataset: parsed.dataset,
      month: parsed.month,
    });
  }
  return {
    files,
    ignored,
    summary: {
      url: source.url,
      candidates: listing.candidates,
      found: listing.objects.length,
      absent: listing.absent,
      unknown: listing.unknown,
      complete: listing.complete,
    },
  };
}

function isSafeKey(key: string): boolean {
  try {
    validateObjectKey(key);
    return true;
  } catch {
    return false;
  }
}
