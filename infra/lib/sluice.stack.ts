// The whole deployment: sink bucket, network, ECS cluster, NATS, the three services and the weekly run.
import { CfnOutput, Fn, Stack, type StackProps, aws_ecs as ecs } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Alarms } from './alarms';
import { sluiceImage } from './app-task';
import { Catalog } from './catalog';
import { ExternalNats, NatsService, type NatsEndpoint } from './messaging';
import { Network } from './network';
import { WeeklyRun } from './schedule';
import type { SluiceSettings } from './settings';
import { Sink } from './storage';
import { Workers, transformerCapacityStrategy } from './workers';

export interface SluiceStackProps extends StackProps {
  settings: SluiceSettings;
  /** The repository root: its Dockerfile builds the one image every task runs. */
  repoRoot: string;
}

export class SluiceStack extends Stack {
  readonly sink: Sink;
  readonly catalog: Catalog;
  readonly network: Network;
  readonly cluster: ecs.Cluster;
  readonly nats: NatsEndpoint;
  readonly natsService?: NatsService;
  readonly workers: Workers;
  readonly weeklyRun: WeeklyRun;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: SluiceStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const architecture = settings.cpuArchitecture === 'ARM64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64;
    const runtimePlatform: ecs.RuntimePlatform = { cpuArchitecture: architecture, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX };

    this.sink = new Sink(this, 'Sink', { bucketName: settings.sinkBucketName, testPrefixExpiryDays: settings.testPrefixExpiryDays });
    this.catalog = new Catalog(this, 'Catalog', { sink: this.sink });
    this.network = new Network(this, 'Network');
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.network.vpc,
      enableFargateCapacityProviders: transformerCapacityStrategy(settings.transformerCapacity) !== undefined,
      containerInsightsV2: ecs.ContainerInsights.DISABLED, // per-metric charges; the services' /metrics and logs suffice
    });
    if (settings.nats === 'service') {
      this.natsService = new NatsService(this, 'Nats', {
        publicKeys: settings.natsPublicKeys!, // required by readSettings for nats=service
        seedSecretPrefix: settings.natsSeedSecretPrefix,
        network: this.network,
        cluster: this.cluster,
        image: settings.natsImage,
        runtimePlatform,
        logRetentionDays: settings.logRetentionDays,
      });
      this.nats = this.natsService;
    } else {
      this.nats = new ExternalNats(this, 'Nats', {
        url: settings.natsUrl!,
        secretArn: settings.natsSecretArn,
        auth: settings.natsAuth,
        seedSecretPrefix: settings.natsSeedSecretPrefix,
      });
    }

    const image = sluiceImage(this, props.repoRoot, architecture);
    const shared = { settings, network: this.network, cluster: this.cluster, image, nats: this.nats, runtimePlatform };
    this.workers = new Workers(this, 'Workers', { ...shared, sink: this.sink });
    if (this.natsService) {
      // The services exit when their first NATS connection fails: create them once NATS is steady.
      const w = this.workers;
      for (const service of [w.scannerService, w.capacityService, w.transformerService]) service.node.addDependency(this.natsService.service);
    }
    this.weeklyRun = new WeeklyRun(this, 'WeeklyRun', shared);
    this.alarms = new Alarms(this, 'Alarms', { settings });
    this.outputs();
  }

  /** What the README's "trigger a run" and "watch it" commands need. */
  private outputs(): void {
    const cli = this.weeklyRun.cli;
    const subnets = Fn.join(',', this.network.vpc.publicSubnets.map((s) => s.subnetId));
    const network = Fn.join('', [
      'awsvpcConfiguration={subnets=[',
      subnets,
      '],securityGroups=[',
      this.network.appSecurityGroup.securityGroupId,
      '],assignPublicIp=ENABLED}',
    ]);
    new CfnOutput(this, 'SinkUrl', { value: this.sink.url });
    new CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName });
    new CfnOutput(this, 'TransformerServiceName', { value: this.workers.transformerService.serviceName });
    new CfnOutput(this, 'CliTaskDefinition', { value: cli.taskDefinition.taskDefinitionArn });
    new CfnOutput(this, 'TaskNetwork', { value: network, description: 'the --network-configuration of a one-shot task' });
    new CfnOutput(this, 'RunNowCommand', {
      description: 'start an incremental run now: the same task the schedule runs',
      value: Fn.join('', [
        'aws ecs run-task --launch-type FARGATE --cluster ',
        this.cluster.clusterName,
        ' --task-definition ',
        cli.taskDefinition.taskDefinitionArn,
        ' --network-configuration "',
        network,
        '"',
      ]),
    });
    new CfnOutput(this, 'ScheduleName', { value: this.weeklyRun.schedule.ref });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn, description: 'subscribe to it for the alarms (or deploy with -c alarmEmail=…)' });
    new CfnOutput(this, 'LogGroups', {
      value: Fn.join(' ', [
        this.workers.scanner.logs.group.logGroupName,
        this.workers.capacityManager.logs.group.logGroupName,
        this.workers.transformer.logs.group.logGroupName,
        cli.logs.group.logGroupName,
        ...(this.natsService ? [this.natsService.logs.group.logGroupName] : []),
      ]),
      description: 'scanner, capacity manager, transformer, cli[, nats]',
    });
  }
}
