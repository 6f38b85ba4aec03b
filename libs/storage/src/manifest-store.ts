// Manifests are the sink's commit records: one JSON object per dataset-month under `_sluice/manifests/`.
// Everything that reads them (planning, the "already committed?" check, reports, tests) goes through here.
import { MANIFEST_PREFIX, manifestKey, ManifestSchema, parseManifestKey, type DatasetName, type Manifest } from '@sluice/contracts';
import pLimit from 'p-limit';
import type { ObjectStore } from './object-store';

/** undefined when absent, or when it cannot be read: an unreadable manifest commits nothing. */
export async function readManifest(store: ObjectStore, dataset: DatasetName, month: string): Promise<Manifest | undefined> {
  return parseManifest(await store.getBytes(manifestKey(dataset, month)));
}

/**
 * Every readable manifest of the store, sorted by dataset then month. Unreadable ones are skipped and reported
 * through `onUnreadable` (the file then counts as not yet processed).
 */
export async function readManifests(store: ObjectStore, opts: { concurrency?: number; onUnreadable?: (key: string) => void } = {}): Promise<Manifest[]> {
  const keys: string[] = [];
  for await (const object of store.list(MANIFEST_PREFIX)) if (parseManifestKey(object.key)) keys.push(object.key);
  const limit = pLimit(opts.concurrency ?? 16);
  const read = await Promise.all(
    keys.map((key) =>
      limit(async () => {
        const bytes = await store.getBytes(key);
        if (!bytes) return undefined; // removed since the listing
        const manifest = parseManifest(bytes);
        if (!manifest) opts.onUnreadable?.(key);
        return manifest;
      }),
    ),
  );
  return read
    .filter((m): m is Manifest => m !== undefined)
    .sort((a, b) => a.dataset.localeCompare(b.dataset) || a.month.localeCompare(b.month));
}

function parseManifest(bytes: Uint8Array | undefined): Manifest | undefined {
  if (!bytes) return undefined;
  try {
    const parsed = ManifestSchema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
