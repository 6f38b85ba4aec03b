// The active-run lock is a lease: held by one scanner process, renewed while it lives, taken over once it expires.
import type { ActiveRunLock } from '@sluice/contracts';

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

export function leaseFor(runId: string, holder: string, ttlMs: number, now: number, since: string): ActiveRunLock {
  return { runId, since, holder, renewedAt: new Date(now).toISOString(), expiresAt: new Date(now + ttlMs).toISOString() };
}
