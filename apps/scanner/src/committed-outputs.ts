// What the sink has committed, from which source ETag, with which schema version: the planner's view of manifests.
import type { Logger } from '@sluice/observability';
import { readManifests, type ObjectStore } from '@sluice/storage';
import type { CommittedOutput } from './run-planner';

export async function readCommittedOutputs(sink: ObjectStore, log: Logger): Promise<CommittedOutput[]> {
  const manifests = await readManifests(sink, { onUnreadable: (key) => log.warn({ key }, 'ignoring unreadable manifest') });
  return manifests.map((m) => ({
    dataset: m.dataset,
    month: m.month,
    source: { key: m.source.key, etag: m.source.etag },
    schemaVersion: m.schemaVersion,
    hasQuarantine: m.quarantine !== undefined,
  }));
}
