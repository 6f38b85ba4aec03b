import { describe, expect, it } from 'vitest';
import { leaseExpired, leaseFor } from './lease';

describe('the active-run lease', () => {
  const now = Date.parse('2026-11-30T05:00:00.000Z');

  it('lasts ttlMs from its renewal and keeps when the run first took the lock', () => {
    expect(leaseFor('run-1', 'scanner-a', 30_000, now, '2026-11-30T04:00:00.000Z')).toEqual({
      runId: 'run-1',
      holder: 'scanner-a',
      since: '2026-11-30T04:00:00.000Z',
      renewedAt: '2026-11-30T05:00:00.000Z',
      expiresAt: '2026-11-30T05:00:30.000Z',
    });
  });

  it('expires at its expiresAt, not a millisecond later', () => {
    const lease = leaseFor('run-1', 'scanner-a', 30_000, now, '2026-11-30T04:00:00.000Z');
    expect(leaseExpired(lease, now + 29_999)).toBe(false);
    expect(leaseExpired(lease, now + 30_000)).toBe(true);
  });

  it('counts a lock written before leases existed (no expiry) as expired', () => {
    expect(leaseExpired({ runId: 'old', since: '2026-01-01T00:00:00.000Z' }, now)).toBe(true);
  });
});
