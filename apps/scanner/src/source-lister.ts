// Lists the source and keeps the TLC trip files: key, ETag, size, dataset and month from the file name.
import { parseSourceKey } from '@sluice/normalize';
import { validateObjectKey, type ObjectStore } from '@sluice/storage';
import type { SourceFile } from './run-planner';

export interface SourceListing {
  files: SourceFile[];
  /** Objects that are not TLC trip files (other names, unsafe keys): listed for the report, never processed. */
  ignored: string[];
  complete: boolean;
}

export async function listSources(store: ObjectStore): Promise<SourceListing> {
  const files: SourceFile[] = [];
  const ignored: string[] = [];
  for await (const object of store.list()) {
    const parsed = parseSourceKey(object.key);
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
  // An S3 or folder listing either completes or throws: there is no partially known state.
  return { files, ignored, complete: true };
}

function isSafeKey(key: string): boolean {
  try {
    validateObjectKey(key);
    return true;
  } catch {
    return false;
  }
}
