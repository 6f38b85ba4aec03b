// A source answers two questions: which files exist (key, ETag, size, last-modified), and "give me bytes [a, b)
// of this file". Three kinds, chosen by SOURCE_URL: the TLC's HTTPS distribution, an S3 bucket, a local folder.
import type { DatasetName, SourceFile } from '@sluice/contracts';
import type { DownloadOptions, ObjectInfo, RangeOptions } from '@sluice/storage';

export interface ListFilter {
  datasets?: readonly DatasetName[];
  months?: readonly string[];
}

export interface UnknownCandidate {
  key: string;
  reason: string;
}

export interface SourceListing {
  /** The TLC trip files found, each with the dataset and month its name gives. */
  files: SourceFile[];
  /** Listed objects that are not TLC trip files (other names, unsafe keys): counted for the report, never processed. */
  ignored: string[];
  /** Keys looked at: every enumerated name (HTTPS), or every listed object (bucket, folder). */
  candidates: number;
  /** Names that were looked up and are not published (HTTPS 403/404). */
  absent: number;
  /** Names whose existence could not be established: never treated as absent. */
  unknown: UnknownCandidate[];
  /** False when some candidate is unknown: then no output may be removed as an orphan. */
  complete: boolean;
}

export interface Source {
  /** Where the files come from, for logs and reports (never credentials). */
  readonly url: string;
  readonly kind: 'https' | 's3' | 'file';
  list(filter?: ListFilter): Promise<SourceListing>;
  /** The object's current version; undefined when absent (not published). */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** The object's current version; PermanentError('source_missing') naming why (an HTTP source: the status) when absent. */
  require(key: string): Promise<ObjectInfo>;
  /** Bytes [start, endExclusive); with ifMatch, PermanentError('source_changed') if the object is another version. */
  getRange(key: string, start: number, endExclusive: number, opts?: RangeOptions): Promise<Uint8Array>;
  /** Ranged reads into destPath, pinned to the ETag seen when the download starts; a replacement midway is transient. */
  download(key: string, destPath: string, opts?: DownloadOptions): Promise<ObjectInfo>;
}

/** Injection token for the service's one Source. */
export const SOURCE = Symbol('SOURCE');
