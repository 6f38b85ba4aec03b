// The scanner's side of the run state: it creates and updates run records and holds the active-run lock.
// Every write is a compare-and-set, so the run handler and the run tracker never overwrite each other.
import { KV, RunRecordSchema, type RunRecord } from '@sluice/contracts';
import { leaseExpired, leaseFor, type LeaseOptions, type LeaseRenewal, type LockResult } from '../lease';
import { readLockEntry, readRunEntry } from '../run-entries';
import { RunReader } from '../run.reader';

const encode = (value: unknown) => JSON.stringify(value);

export class RunWriter extends RunReader {
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
      const current = await readRunEntry(this.kv, runId);
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
      const current = await readLockEntry(this.kv);
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
    const current = await readLockEntry(this.kv);
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
    const current = await readLockEntry(this.kv);
    if (!current || current.lock.runId !== runId) return;
    try {
      await this.kv.delete(KV.activeRunKey, { previousSeq: current.revision });
    } catch (error) {
      if (!isWrongLastSequence(error)) throw error;
    }
  }
}

function isWrongLastSequence(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /wrong last sequence|key exists/i.test(message);
}
