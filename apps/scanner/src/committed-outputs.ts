// Reads the sink's manifests: what is committed, from which source ETag, with which schema version.
import { MANIFEST_PREFIX, ManifestSchema, parseManifestKey } from '@sluice/contracts';
import type { Logger } from '@sluice/observability';
import type { ObjectStore } from '@sluice/storage';
import type { CommittedOutput } from './run-planner';

const CONCURRENCY = 16;

export async function readCommittedOutputs(sink: ObjectStore, log: Logger): Promise<CommittedOutput[]> {
  const keys: string[] = [];
  for await (const object of sink.list(MANIFEST_PREFIX)) if (parseManifestKey(object.key)) keys.push(object.key);

  const outputs: CommittedOutput[] = [];
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++];
      const bytes = await sink.getBytes(key);
      if (!bytes) continue; // removed since the listing
      const parsed = ManifestSchema.safeParse(safeJson(bytes));
      if (!parsed.success) {
        // An unreadable manifest commits nothing: the file is treated as not yet processed.
        log.warn({ key }, 'ignoring unreadable manifest');
        continue;
      }
      const m = parsed.data;
      outputs.push({ dataset: m.dataset, month: m.month, sourceKey: m.source.key, sourceEtag: m.source.etag, schemaVersion: m.schemaVersion });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, keys.length) }, worker));
  return outputs;
}

function safeJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
}
