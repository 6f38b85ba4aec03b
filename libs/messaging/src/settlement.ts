// The one place that decides what happens to a JetStream message after its handler ran.
// Handlers only return (done) or throw (with a kind); they never ack/nak themselves.
import { errorCodeOf, errorKindOf, errorMessageOf } from '@sluice/contracts';

export type Settlement =
  | { action: 'ack' }
  | { action: 'nak'; delayMs: number; code: string; reason: string }
  /**
   * `term` removes the message for good — on a work-queue stream the payload is gone — so the
   * transport publishes the dead letter first and only terms once the DLQ has it.
   */
  | { action: 'dead_letter'; code: string; reason: string };

export interface SettlementPolicy {
  maxDeliver: number;
  /** Delay before redelivery after the n-th failed attempt (last value repeats). */
  backoffMs: readonly number[];
}

export const DEFAULT_BACKOFF_MS = [1_000, 5_000, 15_000, 30_000, 60_000] as const;

export function settle(outcome: { ok: true } | { ok: false; error: unknown }, deliveryCount: number, policy: SettlementPolicy): Settlement {
  if (outcome.ok) return { action: 'ack' };
  const code = errorCodeOf(outcome.error);
  const reason = errorMessageOf(outcome.error);
  if (errorKindOf(outcome.error) === 'permanent') return { action: 'dead_letter', code, reason };
  if (deliveryCount >= policy.maxDeliver) {
    return { action: 'dead_letter', code: 'max_deliver_exceeded', reason: `gave up after ${deliveryCount} attempts: ${reason}` };
  }
  const index = Math.min(Math.max(deliveryCount - 1, 0), policy.backoffMs.length - 1);
  return { action: 'nak', delayMs: policy.backoffMs[index] ?? 0, code, reason };
}

/**
 * The code and reason a failure with this error on this delivery will be dead-lettered with; undefined when it
 * will be retried. A handler's last chance to report the failure in its own events, in the same words.
 */
export function finalFailureOf(error: unknown, deliveryCount: number, policy: SettlementPolicy): { code: string; reason: string } | undefined {
  const s = settle({ ok: false, error }, deliveryCount, policy);
  return s.action === 'dead_letter' ? { code: s.code, reason: s.reason } : undefined;
}
