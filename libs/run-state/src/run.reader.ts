// Run state as the transformer and the CLI see it: records and the active-run lock, read only. Only the scanner
// writes them, through RunWriter (`@sluice/run-state/writer`), which extends this reader.
import { Bucket, type KV as KvBucket } from '@nats-io/kv';
import type { ActiveRunLock, RunRecord } from '@sluice/contracts';
import { readLockEntry, readRunEntry } from './run-entries';

export class RunReader {
  constructor(protected readonly kv: KvBucket) {}

  async get(runId: string): Promise<RunRecord | undefined> {
    return (await readRunEntry(this.kv, runId))?.record;
  }

  async activeLock(): Promise<ActiveRunLock | undefined> {
    return (await readLockEntry(this.kv))?.lock;
  }

  /**
   * Every run, newest first. The keys come from the bucket's stream info (its subjects), not from `kv.keys()`:
   * keys() runs an ordered consumer that was seen to hang while runs were being written (a scheduled run every
   * 2 s in the schedule test), which would hang `sluice status` too.
   */
  async list(): Promise<RunRecord[]> {
    const records: RunRecord[] = [];
    for (const key of await this.runKeys()) {
      const record = await this.get(key.slice('run.'.length));
      if (record) records.push(record);
    }
    return records.sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
  }

  private async runKeys(): Promise<string[]> {
    if (!(this.kv instanceof Bucket)) {
      const keys: string[] = [];
      for await (const key of await this.kv.keys('run.>')) keys.push(key);
      return keys;
    }
    const bucket = this.kv;
    const prefix = bucket.subjectForKey('');
    const info = await bucket.jsm.streams.info(bucket.stream, { subjects_filter: bucket.subjectForKey('run.>') });
    return Object.keys(info.state.subjects ?? {}).map((subject) => bucket.decodeKey(subject.slice(prefix.length)));
  }
}
