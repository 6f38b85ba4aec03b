// The operator's alarms: an SNS topic (with an optional e-mail subscription) and one CloudWatch alarm per key figure
// the services publish as Embedded Metric Format lines (METRICS_EMF=1). CloudWatch Logs extracts those from the
// awslogs log groups by itself: no agent, no metric filter. Names, units and the namespace come from the same module
// the emitter uses (libs/contracts/src/cloudwatch-metrics.ts).
import { Duration, aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as actions, aws_sns as sns, aws_sns_subscriptions as subscriptions } from 'aws-cdk-lib';
import { CLOUDWATCH_DIMENSIONS, CLOUDWATCH_METRICS, CLOUDWATCH_NAMESPACE, type CloudWatchMetric } from '@sluice/contracts';
import { Construct } from 'constructs';
import type { SluiceSettings } from './settings';

/** Every alarm looks at 5-minute periods: CloudWatch keeps EMF metrics at one-minute resolution, gauges come every minute. */
export const ALARM_PERIOD = Duration.minutes(5);

export interface AlarmsProps {
  settings: Pick<SluiceSettings, 'alarmEmail' | 'backlogAgeAlarmMinutes' | 'stuckRunAlarmMinutes'>;
}

export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly filesFailed: cloudwatch.Alarm;
  readonly runsStuck: cloudwatch.Alarm;
  readonly backlogAge: cloudwatch.Alarm;
  readonly dlqDepth: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const { settings } = props;
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'sluice alarms' });
    if (settings.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(settings.alarmEmail));

    this.filesFailed = this.alarm('FilesFailed', CLOUDWATCH_METRICS.filesFailed, {
      statistic: cloudwatch.Stats.SUM,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // A count is only written when a file fails: no line is no failure.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: 'A file failed for good in a run (dead-lettered): `sluice status` and `sluice dlq list` say which and why.',
    });
    // The scanner writes 0 or 1 every minute. Minimum over each period: stuck for the whole period; the alarm wants
    // that for stuckRunAlarmMinutes in a row, so one slow file that holds a run for a while does not page anyone.
    const stuckPeriods = Math.ceil(settings.stuckRunAlarmMinutes / ALARM_PERIOD.toMinutes());
    this.runsStuck = this.alarm('RunsStuck', CLOUDWATCH_METRICS.runsStuck, {
      statistic: cloudwatch.Stats.MINIMUM,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: stuckPeriods,
      datapointsToAlarm: stuckPeriods,
      // A gauge: no line means no scanner holding a run reports it (none running, or EMF off). Not a stuck run.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `The active run has made no progress for ${settings.stuckRunAlarmMinutes} minutes: see \`sluice status\` and the scanner's log.`,
    });
    this.backlogAge = this.alarm('BacklogAge', CLOUDWATCH_METRICS.backlogAge, {
      statistic: cloudwatch.Stats.MAXIMUM,
      threshold: settings.backlogAgeAlarmMinutes * 60,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // Written every minute by the capacity manager; missing means it is down, which ECS restarts and its own logs show.
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
      alarmDescription: `Work has been waiting or in progress for more than ${settings.backlogAgeAlarmMinutes} minutes: are transformers starting (ECS events, Spot capacity)?`,
    });
    this.dlqDepth = this.alarm('DlqDepth', CLOUDWATCH_METRICS.dlqDepth, {
      statistic: cloudwatch.Stats.MAXIMUM,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
      alarmDescription: 'Dead letters are waiting: `sluice dlq list`, then replay or purge them (the alarm clears when the DLQ is empty).',
    });
  }

  /** An alarm on one of the shared metrics, notifying the topic when it fires and when it clears. */
  private alarm(id: string, metric: CloudWatchMetric, props: Omit<cloudwatch.CreateAlarmOptions, 'threshold'> & { statistic: string; threshold: number }): cloudwatch.Alarm {
    const { statistic, ...options } = props;
    const alarm = new cloudwatch.Metric({
      namespace: CLOUDWATCH_NAMESPACE,
      metricName: metric.name,
      dimensionsMap: { ...CLOUDWATCH_DIMENSIONS },
      // No unit: an alarm with one only sees datapoints written with that very unit (the emitter's is metric.unit).
      statistic,
      period: ALARM_PERIOD,
    }).createAlarm(this, id, options);
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    return alarm;
  }
}
