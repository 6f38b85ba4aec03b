// Two figures an operator alarms on, read from the streams the capacity manager already watches: how old the oldest
// work is, and how many dead letters wait. Set as Prometheus gauges and, with METRICS_EMF, CloudWatch metrics.
import type { JetStreamManager } from '@nats-io/jetstream';
import { CLOUDWATCH_METRICS, errorMessageOf, STREAMS } from '@sluice/contracts';
import { cloudWatchFigures, metrics, type Logger } from '@sluice/observability';

/**
 * Pure: the age in whole seconds of the oldest message of a work-queue stream, 0 when it holds none. A work-queue
 * stream keeps a message until it is acked, so its first message is the oldest work not done (waiting or in progress).
 */
export function backlogAgeSeconds(state: { messages: number; first_ts: string }, now: number): number {
  if (state.messages === 0) return 0;
  const first = Date.parse(state.first_ts);
  return Number.isNaN(first) ? 0 : Math.max(0, Math.floor((now - first) / 1000));
}

export class QueueFigures {
  private readAt = 0;
  private failing = false;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly log: Logger,
    /** Checks come with every event; the streams are read at most this often. */
    private readonly minIntervalMs: number,
  ) {}

  /** Never throws: a failed read is logged once until it works again, and scaling goes on. */
  async observe(now = Date.now()): Promise<void> {
    if (now - this.readAt < this.minIntervalMs) return;
    this.readAt = now;
    try {
      const [work, dlq] = await Promise.all([this.jsm.streams.info(STREAMS.work), this.jsm.streams.info(STREAMS.dlq)]);
      const age = backlogAgeSeconds(work.state, now);
      metrics.backlogAgeSeconds.set(age);
      metrics.dlqMessages.set(dlq.state.messages);
      cloudWatchFigures.set(CLOUDWATCH_METRICS.backlogAge, age);
      cloudWatchFigures.set(CLOUDWATCH_METRICS.dlqDepth, dlq.state.messages);
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.log.warn({ err: errorMessageOf(error) }, 'could not read the work and dead-letter streams for their figures; will retry');
      this.failing = true;
    }
  }
}
