// The CloudWatch metrics sluice publishes without an agent (Embedded Metric Format lines in its JSON logs, with
// METRICS_EMF=1) and the CDK stack's alarms watch. One list, imported by the emitter and by infra/, so a metric the
// services write and a metric an alarm reads cannot drift apart.

export const CLOUDWATCH_NAMESPACE = 'Sluice';

/**
 * Dimensions (name → value) every metric line carries and every alarm names. None: one series per metric, which is
 * right for one deployment per account and region (the stack's name is fixed). Add one here and both sides follow.
 */
export const CLOUDWATCH_DIMENSIONS: Readonly<Record<string, string>> = {};

export interface CloudWatchMetric {
  name: string;
  unit: 'Count' | 'Seconds';
  /** `count`: one line per occurrence (alarm on the Sum). `gauge`: the current value, written every interval. */
  kind: 'count' | 'gauge';
}

export const CLOUDWATCH_METRICS = {
  /**
   * 1 per file that failed for good in a run, written by the scanner's run tracker when the run counts the failure:
   * once per file, whoever failed it (a worker, the max-deliveries advisory, the watchdog's lost work).
   */
  filesFailed: { name: 'FilesFailed', unit: 'Count', kind: 'count' },
  /** 1 while the active run has made no progress for the watchdog's grace period, else 0 (the lock-holding scanner). */
  runsStuck: { name: 'RunsStuck', unit: 'Count', kind: 'gauge' },
  /** Age of the oldest message in the work stream (waiting or in progress), 0 with none (the capacity manager). */
  backlogAge: { name: 'BacklogAgeSeconds', unit: 'Seconds', kind: 'gauge' },
  /** Messages in the dead-letter stream (the capacity manager). */
  dlqDepth: { name: 'DlqDepth', unit: 'Count', kind: 'gauge' },
} as const satisfies Record<string, CloudWatchMetric>;
