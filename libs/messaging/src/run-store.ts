// Run state in the `sluice_runs` KV bucket: one entry per run, and the one-active-run lock.
// Every write is a compare-and-set, so the run handler and the run tracker never overwrite each other.
import { Bucket, type KV as KvBucket } from '@nats-io/kv';
import { ActiveRunLockSchema, KV, RunRecordSchema, type ActiveRunLock, type RunRecord } from '@sluice/contracts';

const encode = (value: unknown) => JSON.stringify(value);

export type LockResult = { acquired: true } | { acquired: false; holder: ActiveRunLock };

export class RunStore {
  constructor(private readonly kv: KvBucket) {}

  async get(runId: string): Promise<RunRecord | undefined> {
    return (await this.getWithRevision(runId))?.record;
  }

  private async getWithRevision(runId: string): Promise<{ record: RunRecord; revision: number } | undefined> {
    const entry = await this.kv.get(KV.runKey(runId));
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    return { record: RunRecordSchema.parse(entry.json()), revision: entry.revision };
  }

  /** Creates the record; false if it already exists (a redelivered request). */
  async create(record: RunRecord): Promise<boolean> {
    try {
      await this.kv.create(KV.runKey(record.runId), encode(RunRecordSchema.parse(record)));
      return true;
    } catch (error) {
      if (isWrongLastSequence(error)) return false;
      throw error;
    }
  }

  /**
   * Applies `mutate` with compare-and-set, retrying on conflict. `mutate` returns undefined to leave the
   * record as it is. Returns the record as stored after the call, or undefined if it does not exist.
   */
  async update(runId: string, mutate: (record: RunRecord) => RunRecord | undefined): Promise<{ record: RunRecord; changed: boolean } | undefined> {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const current = await this.getWithRevision(runId);
      if (!current) return undefined;
      const next = mutate(structuredClone(current.record));
      if (!next) return { record: current.record, changed: false };
      try {
        await this.kv.update(KV.runKey(runId), encode(RunRecordSchema.parse(next)), current.revision);
        return { record: next, changed: true };
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
    }
    throw new Error(`run ${runId}: too many concurrent updates`);
  }

  async activeLock(): Promise<ActiveRunLock | undefined> {
    const entry = await this.kv.get(KV.activeRunKey);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    return ActiveRunLockSchema.parse(entry.json());
  }

  /**
   * Takes the lock for runId. Re-entrant for the same run (a redelivered request resumes it). A lock left by a
   * run that has already finished (a crash between finishing and releasing) is taken over.
   */
  async acquireLock(runId: string): Promise<LockResult> {
    const lock: ActiveRunLock = { runId, since: new Date().toISOString() };
    for (let attempt = 0; attempt < 10; attempt += 1) {
      try {
        await this.kv.create(KV.activeRunKey, encode(lock));
        return { acquired: true };
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
      const entry = await this.kv.get(KV.activeRunKey);
      if (!entry || entry.operation !== 'PUT' || entry.length === 0) continue; // released meanwhile
      const holder = ActiveRunLockSchema.parse(entry.json());
      if (holder.runId === runId) return { acquired: true };
      const holderRun = await this.get(holder.runId);
      if (holderRun && (holderRun.state === 'running' || holderRun.state === 'planning')) return { acquired: false, holder };
      try {
        await this.kv.update(KV.activeRunKey, encode(lock), entry.revision);
        return { acquired: true };
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
    }
    throw new Error('could not acquire the active-run lock: too much contention');
  }

  /** Releases the lock only if runId holds it. */
  async releaseLock(runId: string): Promise<void> {
    const entry = await this.kv.get(KV.activeRunKey);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return;
    if (ActiveRunLockSchema.parse(entry.json()).runId !== runId) return;
    try {
      await this.kv.delete(KV.activeRunKey, { previousSeq: entry.revision });
    } catch (error) {
      if (!isWrongLastSequence(error)) throw error;
    }
  }

  /** Most recent runs first. */
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

function isWrongLastSequence(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /wrong last sequence|key exists/i.test(message);
}
