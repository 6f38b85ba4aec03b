// The key figures as CloudWatch metrics with no agent: Embedded Metric Format (EMF) lines in the JSON logs, which
// CloudWatch Logs turns into metrics by itself (METRICS_EMF=1; the CDK stack sets it). Off by default: Prometheus
// `/metrics` is the same figures for everyone else. Names, units and the namespace come from @sluice/contracts,
// which the stack's alarms read too.
import { CLOUDWATCH_DIMENSIONS, CLOUDWATCH_NAMESPACE, type CloudWatchMetric } from '@sluice/contracts';
import type { Logger } from 'pino';

/** Fields an EMF line may carry besides its metrics: short labels (dataset, failure code), never a message or a secret. */
export type EmfProperties = Record<string, string | number>;

export interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [field: string]: unknown;
}

/** Pure: one EMF document with these metric values (each a top-level field named as the metric) at `timestamp` (ms). */
export function emfDocument(values: ReadonlyArray<readonly [CloudWatchMetric, number]>, timestamp: number, properties: EmfProperties = {}): EmfDocument {
  return {
    ...properties,
    ...CLOUDWATCH_DIMENSIONS,
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: CLOUDWATCH_NAMESPACE,
          Dimensions: [Object.keys(CLOUDWATCH_DIMENSIONS)],
          Metrics: values.map(([metric]) => ({ Name: metric.name, Unit: metric.unit })),
        },
      ],
    },
    ...Object.fromEntries(values.map(([metric, value]) => [metric.name, value])),
  };
}

/**
 * Writes the figures a service knows: a count at once (one line per occurrence), gauges all together every interval
 * (their latest values; the first value set is written right away, so a fresh service reports at once). Does nothing
 * until enabled.
 */
export class CloudWatchFigures {
  private log?: Logger;
  private timer?: NodeJS.Timeout;
  private readonly gauges = new Map<CloudWatchMetric, number>();
  private flushedOnce = false;
  private flushQueued = false;

  constructor(private readonly now: () => number = Date.now) {}

  get enabled(): boolean {
    return this.log !== undefined;
  }

  /** From then on writes EMF lines through this logger, at info whatever LOG_LEVEL says (they are metrics, not chatter). */
  enable(logger: Logger, gaugeIntervalMs: number): void {
    this.disable();
    this.log = logger.child({}, { level: 'info' });
    this.timer = setInterval(() => this.flush(), gaugeIntervalMs);
    this.timer.unref();
  }

  disable(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.log = undefined;
  }

  /** An occurrence of a `count` metric (a file failed): written at once. */
  count(metric: CloudWatchMetric, n: number, properties: EmfProperties = {}): void {
    this.log?.info(emfDocument([[metric, n]], this.now(), properties), `metric ${metric.name}`);
  }

  /** A gauge's current value, or undefined when this process no longer knows it (its next lines leave it out). */
  set(metric: CloudWatchMetric, value: number | undefined): void {
    if (value === undefined) this.gauges.delete(metric);
    else this.gauges.set(metric, value);
    if (this.flushedOnce || !this.enabled || this.flushQueued) return;
    this.flushQueued = true;
    // The first values: written now, not an interval later; gauges set in the same tick share the line.
    setImmediate(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  /** One line with every gauge's latest value (nothing when there is none). */
  flush(): void {
    if (!this.log || this.gauges.size === 0) return;
    this.flushedOnce = true;
    const values = [...this.gauges.entries()];
    this.log.info(emfDocument(values, this.now()), `metrics ${values.map(([m]) => m.name).join(' ')}`);
  }
}

/** The process's figures (like the Prometheus registry): enabled by runService when METRICS_EMF is set. */
export const cloudWatchFigures = new CloudWatchFigures();
