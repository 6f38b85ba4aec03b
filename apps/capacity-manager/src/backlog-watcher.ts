// Watches the transformers consumer's backlog and keeps the worker count where the scaling policy wants it.
// Polls consumer info every POLL_INTERVAL_MS and re-checks at once when a run or file event arrives.
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { desiredWorkers, type CapacityBackend, type ScalingConfig } from '@sluice/capacity';
import { DURABLES, errorCodeOf, errorKindOf, errorMessageOf, SUBJECTS } from '@sluice/contracts';
import { JETSTREAM_MANAGER, LOGGER, NATS_CONNECTION, Publisher } from '@sluice/messaging';
import { metrics, type Logger } from '@sluice/observability';
import { QueueFigures } from './queue-figures';

export const CAPACITY_BACKEND = Symbol('CAPACITY_BACKEND');
export const SCALING_CONFIG = Symbol('SCALING_CONFIG');
export const POLL_INTERVAL_MS = Symbol('POLL_INTERVAL_MS');

/** The backlog is this consumer's pending and ack-pending counts. */
export const BACKLOG_CONSUMER = DURABLES.transformers;

/**
 * The least time between the starts of two checks (or the poll interval, if that is shorter): a check reads the
 * consumer and asks the backend (ECS DescribeServices), and events arrive at the fleet's pace — a simulated fleet of
 * 100 tasks drove 29 DescribeServices calls in one simulated second when every event started a check. A burst of
 * events becomes one check, within a second of the first.
 */
const MIN_CHECK_SPACING_MS = 1_000;

@Injectable()
export class BacklogWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private idleTimer?: NodeJS.Timeout;
  private subscription?: Subscription;
  private idleSince = Date.now();
  private checking?: Promise<void>;
  private again = false;
  private lastCheckAt = Number.NEGATIVE_INFINITY;
  private deferred?: NodeJS.Timeout;
  private stopped = false;
  private lastBacklog = -1;
  private reportedError?: string;
  private readonly queueFigures: QueueFigures;

  constructor(
    @Inject(CAPACITY_BACKEND) private readonly backend: CapacityBackend,
    @Inject(SCALING_CONFIG) private readonly config: ScalingConfig,
    @Inject(POLL_INTERVAL_MS) private readonly pollIntervalMs: number,
    @Inject(JETSTREAM_MANAGER) private readonly jsm: JetStreamManager,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly publisher: Publisher,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.queueFigures = new QueueFigures(jsm, log, pollIntervalMs);
  }

  onApplicationBootstrap(): void {
    this.subscription = this.nc.subscribe(SUBJECTS.events, { callback: () => this.nudge() });
    this.timer = setInterval(() => this.nudge(), this.pollIntervalMs);
    this.nudge();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.idleTimer);
    clearTimeout(this.deferred);
    this.subscription?.unsubscribe();
    await this.checking;
    await this.backend.shutdown();
  }

  /**
   * Asks for a check. Requests while one runs collapse into one more check after it; requests sooner than the minimum
   * interval after the last start collapse into one check at the end of that interval.
   */
  nudge(): void {
    if (this.stopped) return;
    if (this.checking) {
      this.again = true;
      return;
    }
    const wait = this.lastCheckAt + Math.min(this.pollIntervalMs, MIN_CHECK_SPACING_MS) - Date.now();
    if (wait > 0) {
      this.deferred ??= setTimeout(() => {
        this.deferred = undefined;
        this.nudge();
      }, wait);
      return;
    }
    this.lastCheckAt = Date.now();
    this.checking = this.check()
      .catch((error: unknown) => this.report(error))
      .finally(() => {
        this.checking = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.nudge();
        }
      });
  }

  /** Scale-in must not wait for the next poll (or an event that may never come): check when the idle timeout ends. */
  private wakeWhenIdle(now: number): void {
    clearTimeout(this.idleTimer);
    const remaining = Math.max(0, this.idleSince + this.config.idleTimeoutMs - now);
    this.idleTimer = setTimeout(() => this.nudge(), remaining + 10);
  }

  private async check(): Promise<void> {
    const info = await this.jsm.consumers.info(BACKLOG_CONSUMER.stream, BACKLOG_CONSUMER.consumer);
    const backlog = info.num_pending + info.num_ack_pending;
    const now = Date.now();
    if (backlog > 0) this.idleSince = now;
    if (backlog !== this.lastBacklog) this.log.debug({ backlog }, 'backlog changed');
    this.lastBacklog = backlog;
    await this.queueFigures.observe(now);

    const counts = await this.backend.observe();
    metrics.backlog.set(backlog);
    metrics.workersDesired.set(counts.desired);
    metrics.workersRunning.set(counts.running);
    const from = counts.desired;
    const decision = desiredWorkers({ backlog, idleForMs: backlog > 0 ? 0 : now - this.idleSince, current: from }, this.config);
    if (backlog === 0 && from > this.config.min) this.wakeWhenIdle(now);
    // Same count, fewer alive than asked for: the backend replaces exited workers (ECS does it by itself).
    const replacing = decision.desired === from && counts.running + counts.pending < from;
    if ((decision.desired === from && !replacing) || this.stopped) return;
    const reason = replacing ? `replacing ${from - counts.running - counts.pending} exited worker(s)` : decision.reason;
    const result = await this.backend.scaleTo(decision.desired, reason);
    this.reportedError = undefined;
    if (result !== 'changed') return;
    const after = await this.backend.observe();
    this.log.info({ from, to: decision.desired, running: after.running, backlog }, `scaling: ${reason}`);
    await this.publisher.capacityEvent({
      backend: this.backend.name,
      from,
      to: decision.desired,
      running: after.running,
      backlog,
      reason,
      at: new Date().toISOString(),
    });
  }

  /** A permanent backend error (access denied, no such service) is reported once, not every second. */
  private report(error: unknown): void {
    const code = errorCodeOf(error);
    if (errorKindOf(error) === 'permanent') {
      if (this.reportedError === code) return;
      this.reportedError = code;
      this.log.error({ code, backend: this.backend.name }, `capacity backend refuses: ${errorMessageOf(error)} — fix the configuration; retrying quietly`);
      return;
    }
    this.log.warn({ code, err: errorMessageOf(error) }, 'capacity check failed; will retry');
  }
}
