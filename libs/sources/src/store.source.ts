// A bucket or folder that can be listed (a mirror, your own bucket, MinIO, a local directory) as a source.
import { parseTlcFileName, PermanentError, type SourceFile } from '@sluice/contracts';
import { validateObjectKey, type DownloadOptions, type ObjectInfo, type ObjectStore, type RangeOptions } from '@sluice/storage';
import type { Source, SourceListing } from './source';
import { sourceFileOf } from './source-file';

export class StoreSource implements Source {
  constructor(
    private readonly store: ObjectStore,
    readonly kind: 's3' | 'file',
  ) {}

  get url(): string {
    return this.store.url;
  }

  /**
   * A listing either completes or throws: nothing in it is ever "unknown". Every object is looked at; the TLC trip
   * files are kept with their dataset and month, the rest ignored. The dataset and month filters are the planner's.
   */
  async list(): Promise<SourceListing> {
    const files: SourceFile[] = [];
    const ignored: string[] = [];
    for await (const object of this.store.list()) {
      const named = parseTlcFileName(object.key);
      if (named && isSafeKey(object.key)) files.push(sourceFileOf(object, named));
      else ignored.push(object.key);
    }
    return { files, ignored, candidates: files.length + ignored.length, absent: 0, unknown: [], complete: true };
  }

  head(key: string): Promise<ObjectInfo | undefined> {
    return this.store.head(key);
  }

  async require(key: string): Promise<ObjectInfo> {
    const info = await this.store.head(key);
    if (!info) throw new PermanentError('source_missing', `${this.url}${key}: the file is no longer there`);
    return info;
  }

  getRange(key: string, start: number, endExclusive: number, opts?: RangeOptions): Promise<Uint8Array> {
    return this.store.getRange(key, start, endExclusive, opts);
  }

  download(key: string, destPath: string, opts?: DownloadOptions): Promise<ObjectInfo> {
    return this.store.download(key, destPath, opts);
  }
}

function isSafeKey(key: string): boolean {
  try {
    validateObjectKey(key);
    return true;
  } catch {
    return false;
  }
}
