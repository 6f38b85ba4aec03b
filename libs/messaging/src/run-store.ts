// Run state in the `sluice_runs` KV bucket: one entry per run, and the one-active-run lock.
// Every write is a compare-and-set, so the run handler and the run tracker never overwrite each other.
import { Bucket, type KV as KvBucket } from '@nats-io/kv';
import { ActiveRunLockSchema, KV, RunRecordSchema, type ActiveRunLock, type RunRecord } from '@sluice/contracts';

const encode = (value: unknown) => JSON.stringify(value);

export type LockResult = { acquired: true } | { acquired: false; holder: ActiveRunLock };

export interface LeaseOptions {
  /** Who holds the lease: one id per scanner process. */
  holder: string;
  /** How long a lease lasts unless renewed. */
  ttlMs: number;
  /** Renew only a lease this holder has: never take one over (used to give a lease up). */
  onlyIfHeld?: boolean;
  now?: () => number;
}

export type LeaseRenewal =
  | { state: 'none' | 'contended' }
  | { state: 'held_by_other'; lock: ActiveRunLock }
  | { state: 'renewed'; lock: ActiveRunLock }
  | { state: 'taken_over'; lock: ActiveRunLock; previous: ActiveRunLock };

/** A lock without an expiry (written before leases existed) counts as expired. */
export function leaseExpired(lock: ActiveRunLock, now: number): boolean {
  return lock.expiresAt === undefined || Date.parse(lock.expiresAt) <= now;
}

function leaseFor(runId: string, holder: string, ttlMs: number, now: number, since: string): ActiveRunLock {
  return { runId, since, holder, renewedAt: new Date(now).toISOString(), expiresAt: new Date(now + ttlMs).toISOString() };
}

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
    return (await this.lockEntry())?.lock;
  }

  private async lockEntry(): Promise<{ lock: ActiveRunLock; revision: number } | undefined> {
    const entry = await this.kv.get(KV.activeRunKey);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    return { lock: ActiveRunLockSchema.parse(entry.json()), revision: entry.revision };
  }

  /**
   * Takes the lock for runId as a lease held by `lease.holder`. Re-entrant for the same run (a redelivered request
   * resumes it). Refused while another run is still active, even if its scanner's lease expired: a live scanner
   * adopts that run (renewLease), it is not dropped. A lock left by a finished or unknown run is taken over.
   */
  async acquireLock(runId: string, lease: LeaseOptions): Promise<LockResult> {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const now = lease.now?.() ?? Date.now();
      const mine = leaseFor(runId, lease.holder, lease.ttlMs, now, new Date(now).toISOString());
      try {
        await this.kv.create(KV.activeRunKey, encode(mine));
        return { acquired: true };
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
      const current = await this.lockEntry();
      if (!current) continue; // released meanwhile
      const { lock: holder, revision } = current;
      if (holder.runId !== runId) {
        const holderRun = await this.get(holder.runId);
        if (holderRun && (holderRun.state === 'running' || holderRun.state === 'planning')) return { acquired: false, holder };
      }
      const next = holder.runId === runId ? { ...mine, since: holder.since } : mine;
      try {
        await this.kv.update(KV.activeRunKey, encode(next), revision);
        return { acquired: true };
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
    }
    throw new Error('could not acquire the active-run lock: too much contention');
  }

  /**
   * Renews the lease if `holder` holds it, or takes it over once it has expired (its scanner stopped renewing).
   * Leaves a live lease of another holder alone.
   */
  async renewLease(lease: LeaseOptions): Promise<LeaseRenewal> {
    const current = await this.lockEntry();
    if (!current) return { state: 'none' };
    const { lock, revision } = current;
    const now = lease.now?.() ?? Date.now();
    if (lock.holder !== lease.holder && (lease.onlyIfHeld || !leaseExpired(lock, now))) return { state: 'held_by_other', lock };
    const next = { ...leaseFor(lock.runId, lease.holder, lease.ttlMs, now, lock.since) };
    try {
      await this.kv.update(KV.activeRunKey, encode(next), revision);
    } catch (error) {
      if (isWrongLastSequence(error)) return { state: 'contended' };
      throw error;
    }
    return lock.holder === lease.holder ? { state: 'renewed', lock: next } : { state: 'taken_over', lock: next, previous: lock };
  }

  /** Releases the lock only if runId holds it. */
  async releaseLock(runId: string): Promise<void> {
    const current = await this.lockEntry();
    if (!current || current.lock.runId !== runId) return;
    try {
      await this.kv.delete(KV.activeRunKey, { previousSeq: current.revision });
    } catch (error) {
      if (!isWrongLastSequence(error)) throw error;
    }
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

function isWrongLastSequence(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /wrong last sequence|key exists/i.test(message);
}
