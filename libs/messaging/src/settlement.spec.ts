import { PermanentError, TransientError } from '@sluice/contracts';
import { describe, expect, it } from 'vitest';
import { finalFailureOf, settle } from './settlement';

const policy = { maxDeliver: 3, backoffMs: [100, 500] };

describe('settle', () => {
  it('acks success', () => {
    expect(settle({ ok: true }, 1, policy)).toEqual({ action: 'ack' });
  });

  it('dead-letters a permanent error on the first delivery, with its code and reason', () => {
    const s = settle({ ok: false, error: new PermanentError('not_parquet', 'not a Parquet file') }, 1, policy);
    expect(s).toEqual({ action: 'dead_letter', code: 'not_parquet', reason: 'not a Parquet file' });
  });

  it('naks a transient error with growing backoff, the last value repeating', () => {
    const error = new TransientError('storage_unavailable', 'S3 503');
    expect(settle({ ok: false, error }, 1, { maxDeliver: 10, backoffMs: [100, 500] })).toMatchObject({ action: 'nak', delayMs: 100 });
    expect(settle({ ok: false, error }, 2, { maxDeliver: 10, backoffMs: [100, 500] })).toMatchObject({ action: 'nak', delayMs: 500 });
    expect(settle({ ok: false, error }, 7, { maxDeliver: 10, backoffMs: [100, 500] })).toMatchObject({ action: 'nak', delayMs: 500 });
  });

  it('gives up after max_deliver: a dead letter, not an endless loop', () => {
    const s = settle({ ok: false, error: new TransientError('timeout', 'timed out') }, 3, policy);
    expect(s).toMatchObject({ action: 'dead_letter', code: 'max_deliver_exceeded' });
    expect(s.action === 'dead_letter' && s.reason).toContain('timed out');
  });

  it('treats unknown errors as transient', () => {
    expect(settle({ ok: false, error: new Error('boom') }, 1, policy)).toMatchObject({ action: 'nak', code: 'unexpected' });
  });

  it('tells a handler when a failure is final', () => {
    expect(finalFailureOf(new Error('x'), 2, policy)).toBeUndefined();
    expect(finalFailureOf(new Error('x'), 3, policy)).toEqual({ code: 'max_deliver_exceeded', reason: 'gave up after 3 attempts: x' });
    expect(finalFailureOf(new PermanentError('bad', 'bad'), 1, policy)).toEqual({ code: 'bad', reason: 'bad' });
  });
});
