// The always-on scanner and capacity manager, and the transformer service the capacity manager owns (desired 0).
import { Duration, Stack, aws_ecr_assets as assets, aws_ecs as ecs } from 'aws-cdk-lib';
import { Construct, Dependable, type IDependable } from 'constructs';
import { AppTask, HTTP_PORT } from './app-task';
import type { NatsEndpoint } from './messaging';
import type { Network } from './network';
import { FARGATE_MAX_STOP_TIMEOUT_SECONDS, type SluiceSettings, type TransformerCapacity } from './settings';
import type { Sink } from './storage';
import { capacityStatements, scannerSinkStatements, sourceStatements, taskProtectionStatements, transformerSinkStatements } from './task-policies';

/** On SIGTERM a transformer finishes its file or returns it to the queue within this, well inside the stop timeout. */
export const TRANSFORMER_DRAIN_TIMEOUT_MS = 100_000;

/**
 * The transformer service's capacity provider strategy: Spot first, then on-demand with its base; undefined when no
 * task may run on Spot (the service then keeps the FARGATE launch type, as the scanner and capacity manager do).
 */
export function transformerCapacityStrategy(capacity: TransformerCapacity): ecs.CapacityProviderStrategy[] | undefined {
  if (capacity.spotWeight === 0) return undefined;
  const onDemand = capacity.onDemandWeight > 0 || capacity.onDemandBase > 0;
  return [
    { capacityProvider: 'FARGATE_SPOT', weight: capacity.spotWeight },
    ...(onDemand ? [{ capacityProvider: 'FARGATE', weight: capacity.onDemandWeight, ...(capacity.onDemandBase > 0 ? { base: capacity.onDemandBase } : {}) }] : []),
  ];
}

/** The scanner and the capacity manager write their key figures as EMF lines, which the stack's alarms watch (alarms.ts). */
export const CLOUDWATCH_FIGURES_ENV = { METRICS_EMF: 'true' };

export interface WorkersProps {
  settings: SluiceSettings;
  network: Network;
  cluster: ecs.Cluster;
  image: assets.DockerImageAsset;
  nats: NatsEndpoint;
  sink: Sink;
  runtimePlatform: ecs.RuntimePlatform;
}

export class Workers extends Construct {
  readonly scanner: AppTask;
  readonly capacityManager: AppTask;
  readonly transformer: AppTask;
  readonly scannerService: ecs.FargateService;
  readonly capacityService: ecs.FargateService;
  readonly transformerService: ecs.FargateService;

  constructor(scope: Construct, id: string, props: WorkersProps) {
    super(scope, id);
    const { settings, network, cluster, sink } = props;
    const stack = Stack.of(this);
    const common = { image: props.image, nats: props.nats, runtimePlatform: props.runtimePlatform, logRetentionDays: settings.logRetentionDays };
    // The scanner declares the streams with this many replicas; the others read the same topology settings. Unset
    // for one replica (the services' default), so a single-server stack's task definitions are as before.
    const replicasEnv: Record<string, string> = settings.natsReplicas === 1 ? {} : { NATS_REPLICAS: String(settings.natsReplicas) };
    const pipelineEnv: Record<string, string> = {
      HTTP_PORT: String(HTTP_PORT),
      AWS_REGION: stack.region,
      SINK_URL: sink.url,
      SOURCE_URL: settings.sourceUrl,
      ...replicasEnv,
    };
    const source = sourceStatements(settings.sourceUrl, stack);

    this.transformer = new AppTask(this, 'Transformer', {
      ...common,
      app: 'transformer',
      description: 'sluice transformer: read the source, write outputs and manifests under the sink prefixes, hold its own scale-in protection',
      environment: { ...pipelineEnv, DRAIN_TIMEOUT_MS: String(TRANSFORMER_DRAIN_TIMEOUT_MS) },
      cpu: settings.transformerCpu,
      memoryLimitMiB: settings.transformerMemoryMiB,
      healthCheck: true,
      stopTimeout: Duration.seconds(FARGATE_MAX_STOP_TIMEOUT_SECONDS),
    });
    for (const s of [...transformerSinkStatements(sink), ...source.transformer, ...taskProtectionStatements(cluster, stack)]) {
      this.transformer.taskRole.addToPrincipalPolicy(s);
    }
    this.transformerService = new ecs.FargateService(this, 'TransformerService', {
      cluster,
      taskDefinition: this.transformer.taskDefinition,
      // Owned by the capacity manager from then on; a redeploy resets it to 0 and the manager scales up again.
      desiredCount: 0,
      assignPublicIp: true,
      vpcSubnets: network.subnets,
      securityGroups: [network.appSecurityGroup],
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      // With a strategy, CDK leaves LaunchType out (ECS refuses both).
      capacityProviderStrategies: transformerCapacityStrategy(settings.transformerCapacity),
    });
    if (transformerCapacityStrategy(settings.transformerCapacity)) {
      // CloudFormation may create the service before the cluster's FARGATE_SPOT association, which ECS rejects.
      this.transformerService.node.addDependency(capacityProviderAssociations(cluster));
    }

    this.scanner = new AppTask(this, 'Scanner', {
      ...common,
      app: 'scanner',
      description: 'sluice scanner: list the source, read manifests, write run reports, remove orphan outputs',
      environment: { ...pipelineEnv, ...CLOUDWATCH_FIGURES_ENV },
      cpu: 256,
      memoryLimitMiB: 512,
      healthCheck: true,
    });
    for (const s of [...scannerSinkStatements(sink), ...source.scanner]) this.scanner.taskRole.addToPrincipalPolicy(s);
    this.scannerService = this.alwaysOn('ScannerService', this.scanner, props);

    this.capacityManager = new AppTask(this, 'CapacityManager', {
      ...common,
      app: 'capacity-manager',
      description: 'sluice capacity manager: describe and update the transformer service, nothing else',
      environment: {
        HTTP_PORT: String(HTTP_PORT),
        CAPACITY_BACKEND: 'ecs',
        ECS_CLUSTER: cluster.clusterName,
        ECS_SERVICE: this.transformerService.serviceName,
        AWS_REGION: stack.region,
        WORKERS_MAX: String(settings.workersMax),
        IDLE_TIMEOUT_MS: String(settings.idleTimeoutMs),
        SCALE_COOLDOWN_MS: String(settings.scaleCooldownMs),
        ...replicasEnv,
        ...CLOUDWATCH_FIGURES_ENV,
      },
      cpu: 256,
      memoryLimitMiB: 512,
      healthCheck: true,
    });
    for (const s of capacityStatements(this.transformerService)) this.capacityManager.taskRole.addToPrincipalPolicy(s);
    this.capacityService = this.alwaysOn('CapacityManagerService', this.capacityManager, props);
  }

  /** One task, replaced stop-first: two scanners or two capacity managers never overlap. */
  private alwaysOn(id: string, task: AppTask, props: WorkersProps): ecs.FargateService {
    return new ecs.FargateService(this, id, {
      cluster: props.cluster,
      taskDefinition: task.taskDefinition,
      desiredCount: 1,
      assignPublicIp: true,
      vpcSubnets: props.network.subnets,
      securityGroups: [props.network.appSecurityGroup],
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { rollback: true },
    });
  }
}

/**
 * The cluster's capacity provider associations, which `enableFargateCapacityProviders` creates in an aspect at synth
 * time: resolved when CDK reads dependencies, after the aspects have run.
 */
function capacityProviderAssociations(cluster: ecs.Cluster): IDependable {
  const dependable: IDependable = {};
  Dependable.implement(dependable, {
    get dependencyRoots() {
      return cluster.node.children.filter((child) => child instanceof ecs.CfnClusterCapacityProviderAssociations);
    },
  });
  return dependable;
}
