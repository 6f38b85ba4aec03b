// One log group per service, with a retention: logs are the main way to watch a run on AWS.
import { RemovalPolicy, aws_ecs as ecs, aws_logs as logs } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

export interface ServiceLogs {
  group: logs.LogGroup;
  driver: ecs.LogDriver;
}

export function serviceLogs(scope: Construct, service: string, retentionDays: number): ServiceLogs {
  const group = new logs.LogGroup(scope, 'Logs', {
    retention: retentionDays as logs.RetentionDays,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return { group, driver: ecs.LogDrivers.awsLogs({ logGroup: group, streamPrefix: service }) };
}
