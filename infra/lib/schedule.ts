// The weekly trigger: an EventBridge Scheduler schedule runs a one-shot task of the same image that executes
// `sluice run --intent incremental` (it publishes pipeline.run to NATS and exits). Run it by hand the same way.
import { Stack, aws_ecr_assets as assets, aws_ecs as ecs, aws_iam as iam, aws_scheduler as scheduler } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AppTask } from './app-task';
import type { NatsEndpoint } from './messaging';
import type { Network } from './network';
import type { SluiceSettings } from './settings';

export const INCREMENTAL_RUN_ARGS = ['run', '--intent', 'incremental'];

export interface WeeklyRunProps {
  settings: SluiceSettings;
  network: Network;
  cluster: ecs.Cluster;
  image: assets.DockerImageAsset;
  nats: NatsEndpoint;
  runtimePlatform: ecs.RuntimePlatform;
}

export class WeeklyRun extends Construct {
  readonly cli: AppTask;
  readonly schedule: scheduler.CfnSchedule;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: WeeklyRunProps) {
    super(scope, id);
    const { settings, network, cluster } = props;
    this.cli = new AppTask(this, 'Cli', {
      app: 'cli',
      args: INCREMENTAL_RUN_ARGS,
      image: props.image,
      nats: props.nats,
      environment: {},
      cpu: 256,
      memoryLimitMiB: 512,
      runtimePlatform: props.runtimePlatform,
      logRetentionDays: settings.logRetentionDays,
      healthCheck: false,
      description: 'sluice CLI one-shot task: talks to NATS only, no AWS permissions',
    });

    this.role = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'EventBridge Scheduler: run the sluice CLI task in the sluice cluster',
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RunCliTask',
        actions: ['ecs:RunTask'],
        resources: [this.cli.taskDefinition.taskDefinitionArn],
        conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PassCliRoles',
        actions: ['iam:PassRole'],
        resources: [this.cli.taskRole.roleArn, this.cli.taskDefinition.executionRole!.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );

    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: 'sluice: weekly incremental run',
      scheduleExpression: settings.schedule,
      scheduleExpressionTimezone: settings.scheduleTimezone,
      state: settings.scheduleEnabled ? 'ENABLED' : 'DISABLED',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: cluster.clusterArn,
        roleArn: this.role.roleArn,
        ecsParameters: {
          taskDefinitionArn: this.cli.taskDefinition.taskDefinitionArn,
          launchType: 'FARGATE',
          taskCount: 1,
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: network.vpc.publicSubnets.map((s) => s.subnetId),
              securityGroups: [network.appSecurityGroup.securityGroupId],
              assignPublicIp: 'ENABLED',
            },
          },
        },
        // A run request that could not start is retried for up to an hour, then dropped (next week's run catches up).
        retryPolicy: { maximumRetryAttempts: 5, maximumEventAgeInSeconds: 3600 },
      },
    });
  }
}
