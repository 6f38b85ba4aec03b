// "Is this output current?": whether a manifest commits the output of this very source version under this schema
// version. The planner asks it of every source (incremental), the worker of a redelivered file; one answer for both.
import { sameEtag } from './etag';
import type { Manifest } from './records';

/** What the check reads of a manifest (the planner keeps only this much of each). */
export interface ManifestCommit {
  source: Pick<Manifest['source'], 'key' | 'etag'>;
  schemaVersion: string;
}

/** Whether the manifest's source is this object at this version: same key, same ETag (quotes and `W/` aside). */
export function isSameSourceVersion(recorded: ManifestCommit['source'], source: { key: string; etag: string }): boolean {
  return recorded.key === source.key && sameEtag(recorded.etag, source.etag);
}

/**
 * Whether `manifest` commits an output that is current for `source` normalized with `schemaVersion` (undefined: the
 * dataset has no canonical schema, so no output of it is current). Size is not compared: the ETag names the version
 * (a new upload gets a new ETag); the size is recorded for the reader.
 */
export function isCommittedFor(
  manifest: ManifestCommit | undefined,
  source: { key: string; etag: string },
  schemaVersion: string | undefined,
): boolean {
  return (
    manifest !== undefined &&
    schemaVersion !== undefined &&
    isSameSourceVersion(manifest.source, source) &&
    manifest.schemaVersion === schemaVersion
  );
}
