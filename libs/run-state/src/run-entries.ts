// The two kinds of entry in the `sluice_runs` KV bucket, read with the revision a compare-and-set needs: one record per
// run (`run.<runId>`) and the one-active-run lock. A deleted or purged entry reads as absent.
import type { KV as KvBucket } from '@nats-io/kv';
import { ActiveRunLockSchema, KV, RunRecordSchema, type ActiveRunLock, type RunRecord } from '@sluice/contracts';

export async function readRunEntry(kv: KvBucket, runId: string): Promise<{ record: RunRecord; revision: number } | undefined> {
  const entry = await kv.get(KV.runKey(runId));
  if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
  return { record: RunRecordSchema.parse(entry.json()), revision: entry.revision };
}

export async function readLockEntry(kv: KvBucket): Promise<{ lock: ActiveRunLock; revision: number } | undefined> {
  const entry = await kv.get(KV.activeRunKey);
  if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
  return { lock: ActiveRunLockSchema.parse(entry.json()), revision: entry.revision };
}
