// A bucket or folder that can be listed (a mirror, your own bucket, MinIO, a local directory) as a source.
import { PermanentError } from '@sluice/contracts';
import type { DownloadOptions, ObjectInfo, ObjectStore, RangeOptions } from '@sluice/storage';
import type { Source, SourceListing } from './source';

export class StoreSource implements Source {
  constructor(
    private readonly store: ObjectStore,
    readonly kind: 's3' | 'file',
  ) {}

  get url(): string {
    return this.store.url;
  }

  /** A listing either completes or throws: nothing in it is ever "unknown". Names are filtered by the planner. */
  async list(): Promise<SourceListing> {
    const objects: ObjectInfo[] = [];
    for await (const object of this.store.list()) objects.push(object);
    return { objects, candidates: objects.length, absent: 0, unknown: [], complete: true };
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
