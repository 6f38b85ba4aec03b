// Where an object a source found becomes the pipeline's shape for it: the dataset and month its TLC name gives,
// and its version as messages carry it (lastModified as an ISO string).
import type { SourceFile, TlcFile } from '@sluice/contracts';
import type { ObjectInfo } from '@sluice/storage';

export function sourceFileOf(object: ObjectInfo, named: TlcFile): SourceFile {
  return {
    dataset: named.dataset,
    month: named.month,
    source: { key: object.key, etag: object.etag, size: object.size, lastModified: object.lastModified.toISOString() },
  };
}
